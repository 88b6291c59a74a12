//! All IO of the app: storage (`store`, the IndexedDB layout; `repo`, the documents,
//! through `docs`, the page's end of the document worker), the network (`api`, `pokes`),
//! the sync loop (`sync`) and the browser's platform APIs (`platform`, `phone`). Views
//! never do IO themselves: they call these through the [`crate::app::Ctx`] context.
//!
//! `store` and `phone` are the store crate's (`pwa/store`), which the document worker
//! uses too.
pub mod api;
pub mod docs;
pub mod platform;
pub mod pokes;
pub mod repo;
pub mod speech;
pub mod sync;
pub mod zone_offsets;

pub use dialbook_pwa_store::{phone, store};

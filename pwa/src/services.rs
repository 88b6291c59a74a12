//! All IO of the app: storage (`store`, `repo`, and `docs`, the bridge to the module
//! that holds the documents), the network (`api`, `pokes`), the sync
//! loop (`sync`) and the browser's platform APIs (`platform`). Views never do IO
//! themselves: they call these through the [`crate::app::Ctx`] context.
pub mod api;
pub mod docs;
pub mod phone;
pub mod platform;
pub mod pokes;
pub mod repo;
pub mod speech;
pub mod store;
pub mod sync;

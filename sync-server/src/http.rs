//! HTTP plumbing shared by every area: who the client is (IP, HTTPS) behind an optional
//! reverse proxy, the checks and headers of every request (`guard`), the health check,
//! and serving the built PWA. No business rules here.

pub mod client;
pub mod guard;
pub mod health;
pub mod static_files;

pub use client::ClientInfo;

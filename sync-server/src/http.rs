//! HTTP plumbing shared by every area: who the client is (IP, HTTPS) behind an optional
//! reverse proxy, the health check, and serving the built PWA. No business rules here.

pub mod client;
pub mod health;
pub mod static_files;

pub use client::ClientInfo;

//! The state every handler shares. Cheap to clone: handles and `Arc`s only, no locks
//! around data (the database is the shared memory between requests and instances).

use crate::config::Config;
use crate::db::Db;
use crate::sync::poke::PokeHub;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub pokes: PokeHub,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        Self { db, config: Arc::new(config), pokes: PokeHub::new() }
    }
}

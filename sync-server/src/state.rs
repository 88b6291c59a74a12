//! The state every handler shares. Cheap to clone: handles and `Arc`s only, no locks
//! around data (the database is the shared memory between requests and instances).

use crate::config::Config;
use crate::db::Db;
use crate::sync::cache::DocCache;
use crate::sync::commit::Committer;
use crate::sync::poke::PokeHub;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub pokes: PokeHub,
    /// Stores checked pushes, many per transaction (`sync/commit.rs`).
    pub committer: Committer,
    /// Recently stored docs, loaded (`sync/cache.rs`).
    pub docs: DocCache,
}

impl AppState {
    /// Starts the committer task, so call it inside a Tokio runtime.
    pub fn new(db: Db, config: Config) -> Self {
        let pokes = PokeHub::new();
        let committer = Committer::start(db.clone(), pokes.clone());
        Self { db, config: Arc::new(config), pokes, committer, docs: DocCache::default() }
    }
}

//! Recently stored documents, kept loaded in memory with the lead as it reads, so the
//! next push to the same lead skips loading the saved bytes and reading the lead again
//! (most of the Automerge cost of a push). An entry is used only while its version
//! (`updated_seq`) is still the database's, so a write by another server instance, a
//! server-side edit, or a rebuild simply makes it a miss. Bounded; oldest out first.

use automerge::Automerge;
use dialbook_core::DocId;
use dialbook_core::lead::Lead;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// ~2,000 small lead docs stay well under 100 MB, and cover a busy team's working set.
const CAPACITY: usize = 2_000;

#[derive(Clone)]
pub struct CachedDoc {
    pub version: i64,
    pub doc: Arc<Automerge>,
    pub lead: Option<Arc<Lead>>,
}

#[derive(Clone, Default)]
pub struct DocCache {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    docs: HashMap<DocId, CachedDoc>,
    order: VecDeque<DocId>,
}

impl DocCache {
    /// The cached doc, if it is still at `version`.
    pub fn get(&self, id: &DocId, version: i64) -> Option<CachedDoc> {
        let inner = self.inner.lock().expect("the cache lock is never held across a panic");
        inner.docs.get(id).filter(|c| c.version == version).cloned()
    }

    pub fn put(&self, id: DocId, entry: CachedDoc) {
        let mut inner = self.inner.lock().expect("the cache lock is never held across a panic");
        if inner.docs.insert(id.clone(), entry).is_none() {
            inner.order.push_back(id);
        }
        while inner.docs.len() > CAPACITY {
            let Some(oldest) = inner.order.pop_front() else { break };
            inner.docs.remove(&oldest);
        }
    }
}

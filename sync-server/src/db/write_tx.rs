//! A write transaction that, on SQLite, holds the process-wide write lock for its whole
//! life, including the rollback of a transaction dropped without commit.

use sqlx::{Any, AnyConnection, Transaction};
use std::ops::{Deref, DerefMut};
use tokio::sync::OwnedMutexGuard;

/// Derefs to the `sqlx::Transaction`, so `&mut *tx` (or [`WriteTx::conn`]) is an executor.
pub struct WriteTx {
    // Both are `Some` until commit/rollback/drop takes them.
    tx: Option<Transaction<'static, Any>>,
    guard: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(super) fn new(tx: Transaction<'static, Any>, guard: Option<OwnedMutexGuard<()>>) -> Self {
        Self { tx: Some(tx), guard }
    }

    /// The connection, as an executor for `sqlx::query(..).execute(tx.conn())`.
    pub fn conn(&mut self) -> &mut AnyConnection {
        self
    }

    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let tx = self.tx.take().expect("WriteTx used after commit");
        let result = tx.commit().await;
        drop(self.guard.take());
        result
    }

    pub async fn rollback(mut self) -> Result<(), sqlx::Error> {
        let tx = self.tx.take().expect("WriteTx used after rollback");
        let result = tx.rollback().await;
        drop(self.guard.take());
        result
    }
}

impl Deref for WriteTx {
    type Target = Transaction<'static, Any>;
    fn deref(&self) -> &Self::Target {
        self.tx.as_ref().expect("WriteTx used after commit")
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.tx.as_mut().expect("WriteTx used after commit")
    }
}

impl Drop for WriteTx {
    /// Dropped without commit (an error path, or a cancelled request): roll back, and only
    /// then let the next writer in. sqlx's own drop merely queues the rollback until the
    /// connection is next used, which would let the next SQLite writer start while this
    /// one still holds the database's write lock.
    fn drop(&mut self) {
        let Some(tx) = self.tx.take() else { return };
        let guard = self.guard.take();
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move {
                    if let Err(e) = tx.rollback().await {
                        tracing::warn!(error = %e, "rolling back a dropped write transaction failed");
                    }
                    drop(guard);
                });
            }
            Err(_) => drop((tx, guard)),
        }
    }
}

//! Documents and the change log in SQL. Every accepted change goes through `append`,
//! which writes the log row, the document's new state and access, and the projections,
//! inside the caller's transaction — so a push is stored whole or not at all.
//!
//! Ordering: on Postgres, `lock_log` takes a transaction-scoped advisory lock just before
//! the first log insert, so log sequence numbers commit in order and a pull cursor can
//! never skip a change that commits late with a lower number. SQLite writers are already
//! serialised by `Db::write_tx`.

use crate::db::Backend;
use automerge::{Automerge, Change};
use dialbook_core::lead::Lead;
use dialbook_core::{DocId, UserId};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};

const LOG_LOCK: i64 = 0x0d1a_1b00;

/// A document as stored, with who may read it.
pub struct StoredDoc {
    pub doc: Automerge,
    pub assignee: Option<UserId>,
}

/// Load a document; on Postgres also lock its row until the transaction ends, so two
/// instances applying pushes to one lead never overwrite each other.
pub async fn load_for_update(conn: &mut AnyConnection, backend: Backend, id: &DocId) -> Result<Option<StoredDoc>, StoreError> {
    let sql = match backend {
        Backend::Postgres => "SELECT snapshot, assignee FROM docs WHERE doc_id = $1 FOR UPDATE",
        Backend::Sqlite => "SELECT snapshot, assignee FROM docs WHERE doc_id = $1",
    };
    load_with(conn, sql, id).await
}

/// A document as stored, read without locking (for reads and for server-side edits,
/// which go through the push path and its own version check).
pub async fn load(conn: &mut AnyConnection, id: &DocId) -> Result<Option<Automerge>, StoreError> {
    Ok(load_with(conn, "SELECT snapshot, assignee FROM docs WHERE doc_id = $1", id).await?.map(|s| s.doc))
}

async fn load_with(conn: &mut AnyConnection, sql: &str, id: &DocId) -> Result<Option<StoredDoc>, StoreError> {
    let row = sqlx::query(sql).bind(id.as_str()).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(None) };
    let bytes: Vec<u8> = row.try_get("snapshot")?;
    let doc = Automerge::load(&bytes).map_err(|e| StoreError::Corrupt(format!("stored doc {id} does not load: {e}")))?;
    Ok(Some(StoredDoc { doc, assignee: row.try_get::<Option<i64>, _>("assignee")?.map(UserId) }))
}

/// The current version (`updated_seq`) of each doc, None for those that do not exist;
/// on Postgres the rows stay locked until the transaction ends. Each doc comes with
/// whether the caller expects to create it. One round trip (two if some are new),
/// whatever the number of docs.
///
/// Locks are taken in doc-id order, first the per-doc creation locks, then the rows, so
/// two instances locking overlapping sets never deadlock.
pub async fn versions_for_update(
    conn: &mut AnyConnection,
    backend: Backend,
    docs: &[(&DocId, bool)],
) -> Result<BTreeMap<DocId, Option<i64>>, StoreError> {
    let mut ids: Vec<&str> = docs.iter().map(|(id, _)| id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut creating: Vec<&str> = docs.iter().filter(|(_, c)| *c).map(|(id, _)| id.as_str()).collect();
    creating.sort_unstable();
    creating.dedup();
    let by_name: HashMap<&str, &DocId> = docs.iter().map(|(id, _)| (id.as_str(), *id)).collect();
    let mut versions: BTreeMap<DocId, Option<i64>> = docs.iter().map(|(id, _)| ((*id).clone(), None)).collect();
    for chunk in ids.chunks(MAX_PARAMS) {
        if backend == Backend::Postgres {
            let new: Vec<&str> = chunk.iter().copied().filter(|id| creating.binary_search(id).is_ok()).collect();
            if !new.is_empty() {
                // `FOR UPDATE` locks nothing for a doc that does not exist yet, so two
                // instances could both create it; a per-doc advisory lock (two-int keys,
                // a space apart from the log lock's) makes the second wait and then see it.
                let sql = format!(
                    "SELECT COUNT(pg_advisory_xact_lock(1, hashtext(v.column1))) AS locked FROM (VALUES {}) AS v",
                    rows(new.len(), 1, plain)
                );
                new.iter().fold(sqlx::query(&sql), |q, id| q.bind(*id)).execute(&mut *conn).await?;
            }
        }
        let lock = if backend == Backend::Postgres { " ORDER BY doc_id FOR UPDATE" } else { "" };
        let sql = format!("SELECT doc_id, updated_seq FROM docs WHERE doc_id IN ({}){lock}", list(chunk.len()));
        for row in chunk.iter().fold(sqlx::query(&sql), |q, id| q.bind(*id)).fetch_all(&mut *conn).await? {
            let id: String = row.try_get("doc_id")?;
            let Some(doc) = by_name.get(id.as_str()) else {
                return Err(StoreError::Corrupt(format!("asked for some docs, got {id:?}")));
            };
            versions.insert((*doc).clone(), Some(row.try_get("updated_seq")?));
        }
    }
    Ok(versions)
}

/// A doc's version, read without locking (the push's first phase).
pub async fn version(conn: &mut AnyConnection, id: &DocId) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar("SELECT updated_seq FROM docs WHERE doc_id = $1").bind(id.as_str()).fetch_optional(&mut *conn).await?)
}

/// A doc's saved bytes and version, read without locking (the push's first phase).
pub async fn read_versioned(conn: &mut AnyConnection, id: &DocId) -> Result<Option<(Vec<u8>, i64)>, StoreError> {
    let row = sqlx::query("SELECT snapshot, updated_seq FROM docs WHERE doc_id = $1").bind(id.as_str()).fetch_optional(&mut *conn).await?;
    Ok(match row {
        Some(row) => Some((row.try_get("snapshot")?, row.try_get("updated_seq")?)),
        None => None,
    })
}

/// Call once per transaction before the first `append`.
pub async fn lock_log(conn: &mut AnyConnection, backend: Backend) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock($1)) AS l")
            .bind(LOG_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// What `append` stores for one document.
pub struct Append<'a> {
    pub id: &'a DocId,
    /// The document after the change, saved (`Automerge::save`): done by the caller,
    /// outside any lock.
    pub snapshot: &'a [u8],
    pub new_changes: &'a [Change],
    /// The lead before and after, for leads (None for the team document).
    pub before: Option<&'a Lead>,
    pub lead: Option<&'a Lead>,
    pub existed: bool,
    pub pushed_by: Option<UserId>,
    /// The device session whose push this is: that device already has these changes and
    /// is not sent them back. None for edits the server makes on an admin's behalf.
    pub pushed_session: Option<i64>,
    pub now_ms: i64,
}

/// Append accepted changes to the log and bring the doc row and projections up to date.
/// Returns the log sequence number.
pub async fn append(conn: &mut AnyConnection, a: Append<'_>) -> Result<i64, StoreError> {
    let seqs = append_all(conn, std::slice::from_ref(&a)).await?;
    seqs.first().copied().ok_or_else(|| StoreError::Corrupt("appending one doc gave no log position".into()))
}

/// [`append`] for many docs (each at most once) in a handful of statements rather than a
/// few per doc: on Postgres each statement is a round trip, and the committer holds the
/// log lock through all of them. Returns each doc's log sequence number, in order.
pub async fn append_all(conn: &mut AnyConnection, appends: &[Append<'_>]) -> Result<Vec<i64>, StoreError> {
    let mut seen = HashMap::with_capacity(appends.len());
    for (i, a) in appends.iter().enumerate() {
        if seen.insert(a.id.as_str(), i).is_some() {
            return Err(StoreError::Corrupt(format!("doc {} appended twice in one batch", a.id)));
        }
    }
    // The log: one row per doc; RETURNING names the doc, since row order is not promised.
    let mut seqs = vec![0i64; appends.len()];
    for chunk in appends.chunks(MAX_PARAMS / 5) {
        let sql = format!(
            "INSERT INTO change_log (doc_id, changes, pushed_by, pushed_session, created_at) VALUES {} RETURNING seq, doc_id",
            rows(chunk.len(), 5, plain)
        );
        let query = chunk.iter().fold(sqlx::query(&sql), |q, a| {
            let bytes: Vec<u8> = a.new_changes.iter().flat_map(|c| c.raw_bytes().iter().copied()).collect();
            q.bind(a.id.as_str()).bind(bytes).bind(a.pushed_by.map(|u| u.0)).bind(a.pushed_session).bind(a.now_ms)
        });
        for row in query.fetch_all(&mut *conn).await? {
            let id: String = row.try_get("doc_id")?;
            let i = seen.get(id.as_str()).ok_or_else(|| StoreError::Corrupt(format!("the log returned doc {id:?}")))?;
            seqs[*i] = row.try_get("seq")?;
        }
    }

    // The doc rows: new docs inserted, docs whose reader did not change updated together,
    // reassigned docs one by one (with the revocation for the previous assignee).
    let assignee = |a: &Append<'_>| a.lead.and_then(|l| l.assignee);
    let prev_assignee = |a: &Append<'_>| a.before.and_then(|l| l.assignee);
    let all: Vec<(&Append<'_>, i64)> = appends.iter().zip(seqs.iter().copied()).collect();
    let created: Vec<_> = all.iter().filter(|(a, _)| !a.existed).collect();
    let updated: Vec<_> = all.iter().filter(|(a, _)| a.existed && assignee(a) == prev_assignee(a)).collect();
    let reassigned: Vec<_> = all.iter().filter(|(a, _)| a.existed && assignee(a) != prev_assignee(a)).collect();
    for chunk in created.chunks(MAX_PARAMS / 6) {
        let sql = format!(
            "INSERT INTO docs (doc_id, kind, snapshot, public, assignee, created_seq, access_seq, updated_seq) VALUES {}",
            rows(chunk.len(), 6, |p, _| format!("(${p}, ${}, ${}, ${}, ${}, ${s}, ${s}, ${s})", p + 1, p + 2, p + 3, p + 4, s = p + 5))
        );
        let query = chunk.iter().fold(sqlx::query(&sql), |q, (a, seq)| {
            let (kind, public) = match a.id {
                DocId::Team => ("team", 1i64),
                DocId::Lead(_) => ("lead", 0),
            };
            q.bind(a.id.as_str()).bind(kind).bind(a.snapshot).bind(public).bind(assignee(a).map(|u| u.0)).bind(*seq)
        });
        query.execute(&mut *conn).await?;
    }
    for chunk in updated.chunks(MAX_PARAMS / 3) {
        // VALUES columns are column1, column2, … on both backends.
        let sql = format!(
            "UPDATE docs SET snapshot = v.column2, updated_seq = v.column3 FROM (VALUES {}) AS v WHERE docs.doc_id = v.column1",
            rows(chunk.len(), 3, plain)
        );
        let query = chunk.iter().fold(sqlx::query(&sql), |q, (a, seq)| q.bind(a.id.as_str()).bind(a.snapshot).bind(*seq));
        query.execute(&mut *conn).await?;
    }
    for (a, seq) in reassigned {
        sqlx::query("UPDATE docs SET snapshot = $2, assignee = $3, access_seq = $4, updated_seq = $4 WHERE doc_id = $1")
            .bind(a.id.as_str())
            .bind(a.snapshot)
            .bind(assignee(a).map(|u| u.0))
            .bind(*seq)
            .execute(&mut *conn)
            .await?;
        if let Some(prev) = prev_assignee(a) {
            sqlx::query("INSERT INTO revocations (seq, doc_id, user_id) VALUES ($1, $2, $3)")
                .bind(*seq)
                .bind(a.id.as_str())
                .bind(prev.0)
                .execute(&mut *conn)
                .await?;
        }
    }

    let leads: Vec<(&Lead, Option<&Lead>, i64)> =
        all.iter().filter_map(|(a, seq)| Some((a.lead?, a.before, *seq))).collect();
    crate::leads::projection::upsert_all(conn, &leads).await?;
    Ok(seqs)
}

/// Parameters per statement, under SQLite's limit (32,766) and Postgres's (65,535).
pub(crate) const MAX_PARAMS: usize = 8_000;

/// `n` comma-separated placeholders from `$1`: an `IN (…)` list.
fn list(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// One `VALUES` row of `width` consecutive placeholders from `$first`.
pub(crate) fn plain(first: usize, width: usize) -> String {
    format!("({})", (first..first + width).map(|i| format!("${i}")).collect::<Vec<_>>().join(", "))
}

/// `VALUES` rows for a multi-row statement: `n` rows of `width` parameters each, the row
/// starting at `$first` written by `row(first, width)`.
pub(crate) fn rows(n: usize, width: usize, row: impl Fn(usize, usize) -> String) -> String {
    (0..n).map(|r| row(r * width + 1, width)).collect::<Vec<_>>().join(", ")
}

/// The newest log position (0 for an empty log).
pub async fn head_seq(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(seq) FROM change_log").fetch_one(&mut *conn).await?.unwrap_or(0))
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    #[error("{0}")]
    Corrupt(String),
}

impl From<StoreError> for crate::error::ApiError {
    fn from(e: StoreError) -> Self {
        crate::error::ApiError::Internal(anyhow::Error::new(e))
    }
}

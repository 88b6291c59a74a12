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

/// The doc's current version (`updated_seq`), None if it does not exist; on Postgres
/// the row stays locked until the transaction ends.
/// `creating`: the caller expects the doc not to exist yet.
pub async fn version_for_update(conn: &mut AnyConnection, backend: Backend, id: &DocId, creating: bool) -> Result<Option<i64>, StoreError> {
    let sql = match backend {
        Backend::Postgres => {
            if creating {
                // `FOR UPDATE` locks nothing for a doc that does not exist yet, so two
                // instances could both create it; a per-doc advisory lock (two-int keys,
                // a space apart from the log lock's) makes the second wait and then see it.
                sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(1, hashtext($1))) AS l")
                    .bind(id.as_str())
                    .execute(&mut *conn)
                    .await?;
            }
            "SELECT updated_seq FROM docs WHERE doc_id = $1 FOR UPDATE"
        }
        Backend::Sqlite => "SELECT updated_seq FROM docs WHERE doc_id = $1",
    };
    Ok(sqlx::query_scalar(sql).bind(id.as_str()).fetch_optional(&mut *conn).await?)
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
    let bytes: Vec<u8> = a.new_changes.iter().flat_map(|c| c.raw_bytes().iter().copied()).collect();
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO change_log (doc_id, changes, pushed_by, pushed_session, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING seq",
    )
    .bind(a.id.as_str())
    .bind(bytes)
    .bind(a.pushed_by.map(|u| u.0))
    .bind(a.pushed_session)
    .bind(a.now_ms)
    .fetch_one(&mut *conn)
    .await?;
    let snapshot = a.snapshot.to_vec();
    let assignee = a.lead.and_then(|l| l.assignee);
    let prev_assignee = a.before.and_then(|l| l.assignee);
    if !a.existed {
        let (kind, public) = match a.id {
            DocId::Team => ("team", 1i64),
            DocId::Lead(_) => ("lead", 0),
        };
        sqlx::query(
            "INSERT INTO docs (doc_id, kind, snapshot, public, assignee, created_seq, access_seq, updated_seq) VALUES ($1, $2, $3, $4, $5, $6, $6, $6)",
        )
        .bind(a.id.as_str())
        .bind(kind)
        .bind(snapshot)
        .bind(public)
        .bind(assignee.map(|u| u.0))
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    } else if assignee != prev_assignee {
        sqlx::query("UPDATE docs SET snapshot = $2, assignee = $3, access_seq = $4, updated_seq = $4 WHERE doc_id = $1")
            .bind(a.id.as_str())
            .bind(snapshot)
            .bind(assignee.map(|u| u.0))
            .bind(seq)
            .execute(&mut *conn)
            .await?;
        if let Some(prev) = prev_assignee {
            sqlx::query("INSERT INTO revocations (seq, doc_id, user_id) VALUES ($1, $2, $3)")
                .bind(seq)
                .bind(a.id.as_str())
                .bind(prev.0)
                .execute(&mut *conn)
                .await?;
        }
    } else {
        sqlx::query("UPDATE docs SET snapshot = $2, updated_seq = $3 WHERE doc_id = $1")
            .bind(a.id.as_str())
            .bind(snapshot)
            .bind(seq)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(lead) = a.lead {
        crate::leads::projection::upsert(conn, lead, a.before, seq).await?;
    }
    Ok(seq)
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

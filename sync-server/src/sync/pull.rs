//! `POST /api/sync/pull`: pages of what the caller may read past their cursor.
//!
//! A *round* starts when the caller has gained docs since their cursor (a fresh device:
//! all of them): first a snapshot of each new doc, in doc-id order, then the log's changes
//! for the docs they already had, up to the log position taken when the round began.
//! Without new docs a pull is just the log past the cursor plus revocations. An idle
//! reconnect is one small request and one small answer.

use super::body::{Wire, WireBody};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use dialbook_core::protocol::cursor::{ServerCursor, SnapshotPhase};
use dialbook_core::protocol::wire::{Progress, PullItem, PullRequest, PullResponse};
use dialbook_core::{DocId, Role};
use sqlx::{AnyConnection, Row};

/// The smallest page served, whatever is asked: phones on 2G ask for pages this small
/// after a pull timed out (`ClientConfig::pull_min_bytes`), and fewer bytes than this
/// per request would spend more on the request than on the data.
const MIN_PAGE_BYTES: u32 = 16 * 1024;
const MAX_PAGE_BYTES: u32 = 8 * 1024 * 1024;
const ROWS_PER_QUERY: i64 = 500;

pub async fn pull(State(state): State<AppState>, caller: Caller, Wire(req): Wire<PullRequest>) -> Result<WireBody<PullResponse>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let epoch = super::epoch(&mut conn).await?;
    let cursor = ServerCursor::decode(&req.cursor)
        .map_err(|e| ApiError::BadRequest { code: "bad_cursor", message: format!("{e}; start again with an empty cursor") })?;
    let head = super::store::head_seq(&mut conn).await?;
    let who = Reader::new(&caller);
    let start = ServerCursor { epoch, seq: 0, check: 0, admin: who.admin, snapshot: None };
    let (mut cursor, reset) = match cursor {
        Some(c) if still_valid(&mut conn, &c, epoch, head, who.admin).await? => (c, false),
        // A cursor from another database, from another state of this one (restored from
        // an older backup), or made for another role: the device resyncs everything.
        Some(_) => (start, true),
        None => (start, false),
    };
    let checked_seq = cursor.seq;
    let budget = req.max_bytes.clamp(MIN_PAGE_BYTES, MAX_PAGE_BYTES) as usize;

    if cursor.snapshot.is_none() && cursor.seq < head {
        let total = who.count_new(&mut conn, cursor.seq, head).await?;
        if total > 0 {
            cursor.snapshot = Some(SnapshotPhase { from: cursor.seq, upto: head, after: None, done: 0, total });
        }
    }
    let mut page = Page { items: Vec::new(), bytes: 0, budget };
    let mut progress = None;
    let mut more = false;
    if let Some(phase) = cursor.snapshot.clone() {
        // Snapshots first; the phase's `after` is None both before the first doc and once
        // every snapshot is out, told apart by `done == total`.
        let mut phase = phase;
        if phase.done < phase.total {
            let finished = who.snapshots(&mut conn, &mut phase, &mut page).await?;
            if finished {
                phase.done = phase.total;
            }
        }
        progress = Some(Progress { done: phase.done, total: phase.total });
        if phase.done >= phase.total && !page.full() {
            let (reached, done) = who.changes(&mut conn, cursor.seq, phase.upto, phase.from, &mut page).await?;
            cursor.seq = reached;
            if done {
                cursor.snapshot = None;
            } else {
                cursor.snapshot = Some(phase);
            }
        } else {
            cursor.snapshot = Some(phase);
        }
        more = cursor.snapshot.is_some() || cursor.seq < head;
    } else if cursor.seq < head {
        let (reached, done) = who.changes(&mut conn, cursor.seq, head, cursor.seq, &mut page).await?;
        cursor.seq = reached;
        more = !done;
    }
    // A cursor that did not move (an idle reconnect) keeps the fingerprint just checked.
    if cursor.seq != checked_seq {
        cursor.check = fingerprint(&mut conn, cursor.seq).await?;
    }
    Ok(WireBody(PullResponse { items: page.items, cursor: cursor.encode(), more, reset, progress }))
}

/// The fingerprint of the log entry at `seq`: when it was written. Entries written after
/// a restore reuse sequence numbers, never the millisecond. None if there is no entry.
async fn fingerprint_of(conn: &mut AnyConnection, seq: i64) -> Result<Option<i64>, sqlx::Error> {
    if seq == 0 {
        return Ok(Some(0));
    }
    sqlx::query_scalar("SELECT created_at FROM change_log WHERE seq = $1").bind(seq).fetch_optional(&mut *conn).await
}

async fn fingerprint(conn: &mut AnyConnection, seq: i64) -> Result<i64, ApiError> {
    Ok(fingerprint_of(conn, seq).await?.unwrap_or(0))
}

async fn still_valid(conn: &mut AnyConnection, c: &ServerCursor, epoch: u64, head: i64, admin: bool) -> Result<bool, ApiError> {
    let in_range = c.epoch == epoch && c.admin == admin && c.seq <= head && c.snapshot.as_ref().is_none_or(|s| s.upto <= head);
    Ok(in_range && fingerprint_of(conn, c.seq).await? == Some(c.check))
}

struct Page {
    items: Vec<PullItem>,
    bytes: usize,
    budget: usize,
}

impl Page {
    fn full(&self) -> bool {
        self.bytes >= self.budget
    }
    fn push(&mut self, item: PullItem, size: usize) {
        self.bytes += size + 40;
        self.items.push(item);
    }
}

/// The caller, as the SQL filters that say what they may read.
struct Reader {
    user: i64,
    admin: bool,
    /// This device's session: the log entries it pushed itself are not sent back.
    session: i64,
}

impl Reader {
    fn new(c: &Caller) -> Self {
        Self { user: c.user_id.0, admin: c.role == Role::Admin, session: c.session_id }
    }

    /// `(readable, access)`: which docs the caller may read, and the log position from
    /// which they could (their creation for admins and the team doc, else assignment).
    fn filters(&self) -> (&'static str, &'static str) {
        if self.admin {
            ("($1 = $1)", "d.created_seq")
        } else {
            ("(d.public = 1 OR d.assignee = $1)", "(CASE WHEN d.public = 1 THEN d.created_seq ELSE d.access_seq END)")
        }
    }

    async fn count_new(&self, conn: &mut AnyConnection, from: i64, upto: i64) -> Result<u64, sqlx::Error> {
        let (readable, access) = self.filters();
        let sql = format!("SELECT COUNT(*) FROM docs d WHERE {readable} AND {access} > $2 AND {access} <= $3");
        let n: i64 = sqlx::query_scalar(&sql).bind(self.user).bind(from).bind(upto).fetch_one(&mut *conn).await?;
        Ok(n as u64)
    }

    /// Add snapshots of docs new since `from` until the page is full. True when none are left.
    async fn snapshots(&self, conn: &mut AnyConnection, phase: &mut SnapshotPhase, page: &mut Page) -> Result<bool, ApiError> {
        let (readable, access) = self.filters();
        let sql = format!(
            "SELECT d.doc_id, d.snapshot FROM docs d WHERE {readable} AND {access} > $2 AND {access} <= $3 AND d.doc_id > $4
             ORDER BY d.doc_id LIMIT $5"
        );
        loop {
            let rows = sqlx::query(&sql)
                .bind(self.user)
                .bind(phase.from)
                .bind(phase.upto)
                .bind(phase.after.clone().unwrap_or_default())
                .bind(ROWS_PER_QUERY)
                .fetch_all(&mut *conn)
                .await?;
            let fetched = rows.len();
            for row in rows {
                let id: String = row.try_get("doc_id")?;
                let bytes: Vec<u8> = row.try_get("snapshot")?;
                let doc = parse_doc_id(&id)?;
                let size = bytes.len();
                page.push(PullItem::Snapshot { doc, bytes }, size);
                phase.after = Some(id);
                phase.done += 1;
                // Docs can be assigned to the caller during a round; never report more
                // done than there are.
                phase.total = phase.total.max(phase.done);
                if page.full() {
                    return Ok(phase.done >= phase.total);
                }
            }
            if (fetched as i64) < ROWS_PER_QUERY {
                return Ok(true);
            }
        }
    }

    /// Add log changes and revocations in `(from, upto]` for docs readable since `known`
    /// (docs gained later came as snapshots). Returns the position reached and whether it
    /// is `upto`.
    async fn changes(&self, conn: &mut AnyConnection, from: i64, upto: i64, known: i64, page: &mut Page) -> Result<(i64, bool), ApiError> {
        let (readable, access) = self.filters();
        let sql = format!(
            "SELECT c.seq, c.doc_id, c.changes FROM change_log c JOIN docs d ON d.doc_id = c.doc_id
             WHERE c.seq > $2 AND c.seq <= $3 AND {readable} AND {access} <= $4
               AND (c.pushed_session IS NULL OR c.pushed_session <> $6)
             ORDER BY c.seq LIMIT $5"
        );
        let mut reached = from;
        loop {
            let rows = sqlx::query(&sql)
                .bind(self.user)
                .bind(reached)
                .bind(upto)
                .bind(known)
                .bind(ROWS_PER_QUERY)
                .bind(self.session)
                .fetch_all(&mut *conn)
                .await?;
            let fetched = rows.len();
            for row in rows {
                let seq: i64 = row.try_get("seq")?;
                let id: String = row.try_get("doc_id")?;
                let bytes: Vec<u8> = row.try_get("changes")?;
                let size = bytes.len();
                page.push(PullItem::Changes { doc: parse_doc_id(&id)?, bytes }, size);
                if page.full() {
                    self.revocations(conn, from, seq, page).await?;
                    return Ok((seq, seq >= upto));
                }
                reached = seq;
            }
            if (fetched as i64) < ROWS_PER_QUERY {
                self.revocations(conn, from, upto, page).await?;
                return Ok((upto, true));
            }
        }
    }

    async fn revocations(&self, conn: &mut AnyConnection, from: i64, upto: i64, page: &mut Page) -> Result<(), ApiError> {
        if self.admin {
            return Ok(());
        }
        let rows = sqlx::query(
            "SELECT DISTINCT r.doc_id FROM revocations r WHERE r.user_id = $1 AND r.seq > $2 AND r.seq <= $3
             AND NOT EXISTS (SELECT 1 FROM docs d WHERE d.doc_id = r.doc_id AND (d.public = 1 OR d.assignee = $1))",
        )
        .bind(self.user)
        .bind(from)
        .bind(upto)
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            let id: String = row.try_get("doc_id")?;
            page.push(PullItem::Revoked { doc: parse_doc_id(&id)? }, 0);
        }
        Ok(())
    }
}

fn parse_doc_id(id: &str) -> Result<DocId, ApiError> {
    DocId::parse(id).map_err(|e| ApiError::Internal(anyhow::anyhow!("stored doc id {id:?}: {e}")))
}

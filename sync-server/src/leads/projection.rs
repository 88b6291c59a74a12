//! The lead projections: SQL rows derived from lead documents on every applied change
//! (`upsert`), and rebuildable from the change log (`rebuild`). They serve dashboards,
//! admin search, CSV export and reminders; the documents stay the source of truth.

use super::super::sync::store::{MAX_PARAMS, StoreError, plain, rows};
use automerge::Automerge;
use dialbook_core::lead::{Lead, read_lead};
use dialbook_core::{DocId, UserId};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// Bring the projection rows of these leads up to date: each lead after a change, the
/// lead before it (None if new; its calls are already projected) and the change's log
/// position. Two statements for any number of leads (more past `MAX_PARAMS`).
pub async fn upsert_all(conn: &mut AnyConnection, leads: &[(&Lead, Option<&Lead>, i64)]) -> Result<(), StoreError> {
    const LEAD_COLUMNS: usize = 18;
    for chunk in leads.chunks(MAX_PARAMS / LEAD_COLUMNS) {
        // created_seq is the first change's position: set on insert, kept on update.
        let sql = format!(
            "INSERT INTO leads (lead_id, name, mobile, alt_mobile, source, status, follow_up, assignee, deleted, tags, custom, notes,
                                created_at, created_by, call_count, last_call_at, last_outcome, updated_seq, created_seq)
             VALUES {}
             ON CONFLICT (lead_id) DO UPDATE SET
                name = excluded.name, mobile = excluded.mobile, alt_mobile = excluded.alt_mobile, source = excluded.source,
                status = excluded.status, follow_up = excluded.follow_up, assignee = excluded.assignee, deleted = excluded.deleted,
                tags = excluded.tags, custom = excluded.custom, notes = excluded.notes, call_count = excluded.call_count,
                last_call_at = excluded.last_call_at, last_outcome = excluded.last_outcome, updated_seq = excluded.updated_seq",
            rows(chunk.len(), LEAD_COLUMNS, |first, width| {
                let cols = plain(first, width);
                format!("{}, ${})", &cols[..cols.len() - 1], first + width - 1)
            })
        );
        let query = chunk.iter().fold(sqlx::query(&sql), |q, (lead, _, seq)| {
            let last = lead.last_call();
            q.bind(lead.id.as_str())
                .bind(lead.name.as_str())
                .bind(lead.mobile.e164())
                .bind(lead.alt_mobile.as_ref().map(|m| m.e164()))
                .bind(lead.source.as_str())
                .bind(lead.status.as_str())
                .bind(lead.follow_up.map(|t| t.0))
                .bind(lead.assignee.map(|u| u.0))
                .bind(i64::from(lead.deleted))
                .bind(lead.tags.iter().cloned().collect::<Vec<_>>().join(","))
                .bind(serde_json::to_string(&lead.custom).expect("string maps always serialise"))
                .bind(lead.notes.as_str())
                .bind(lead.created_at.0)
                .bind(lead.created_by.0)
                .bind(lead.calls().count() as i64)
                .bind(last.map(|(a, _)| a.at.0))
                .bind(last.map(|(_, c)| c.outcome.as_str()))
                .bind(*seq)
        });
        query.execute(&mut *conn).await?;
    }

    // The calls each change added (re-sent ones are ignored by the key).
    let calls: Vec<_> = leads
        .iter()
        .flat_map(|(lead, before, _)| {
            let known: BTreeSet<&str> = before.map(|b| b.activities.iter().map(|a| a.id.as_str()).collect()).unwrap_or_default();
            lead.calls().filter(move |(a, _)| !known.contains(a.id.as_str())).map(move |(a, c)| (*lead, a, c))
        })
        .collect();
    for chunk in calls.chunks(MAX_PARAMS / 8) {
        let sql = format!(
            "INSERT INTO call_activities (lead_id, activity_id, at, by_user, device, outcome, duration_secs, note)
             VALUES {} ON CONFLICT (lead_id, activity_id) DO NOTHING",
            rows(chunk.len(), 8, plain)
        );
        let query = chunk.iter().fold(sqlx::query(&sql), |q, (lead, activity, call)| {
            q.bind(lead.id.as_str())
                .bind(activity.id.as_str())
                .bind(activity.at.0)
                .bind(activity.by.0)
                .bind(activity.device.as_str())
                .bind(call.outcome.as_str())
                .bind(i64::from(call.duration_secs))
                .bind(call.note.as_str())
        });
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Rebuild docs' access columns, revocations and the lead projections by replaying the
/// change log from the start. Runs in the caller's transaction.
pub async fn rebuild(conn: &mut AnyConnection) -> Result<RebuildReport, StoreError> {
    for table in ["leads", "call_activities", "revocations"] {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *conn).await?;
    }
    let rows = sqlx::query("SELECT seq, doc_id, changes FROM change_log ORDER BY seq").fetch_all(&mut *conn).await?;
    let mut docs: BTreeMap<String, (Automerge, Option<Lead>, i64, i64)> = BTreeMap::new();
    let mut report = RebuildReport::default();
    for row in rows {
        let seq: i64 = row.try_get("seq")?;
        let doc_id: String = row.try_get("doc_id")?;
        let bytes: Vec<u8> = row.try_get("changes")?;
        let entry = docs.entry(doc_id.clone()).or_insert_with(|| (Automerge::new(), None, seq, seq));
        entry.0.load_incremental(&bytes).map_err(|e| StoreError::Corrupt(format!("log entry {seq} for {doc_id}: {e}")))?;
        report.changes += 1;
        if !matches!(DocId::parse(&doc_id), Ok(DocId::Lead(_))) {
            continue;
        }
        let lead = read_lead(&entry.0).map_err(|e| StoreError::Corrupt(format!("lead {doc_id} at {seq}: {e}")))?;
        let before = entry.1.take();
        if before.as_ref().is_some_and(|b| b.assignee != lead.assignee) {
            entry.3 = seq;
            if let Some(UserId(prev)) = before.as_ref().and_then(|b| b.assignee) {
                sqlx::query("INSERT INTO revocations (seq, doc_id, user_id) VALUES ($1, $2, $3)")
                    .bind(seq)
                    .bind(&doc_id)
                    .bind(prev)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        upsert_all(conn, &[(&lead, before.as_ref(), seq)]).await?;
        entry.1 = Some(lead);
    }
    for (doc_id, (_, lead, created_seq, access_seq)) in &docs {
        sqlx::query("UPDATE docs SET assignee = $2, created_seq = $3, access_seq = $4 WHERE doc_id = $1")
            .bind(doc_id)
            .bind(lead.as_ref().and_then(|l| l.assignee).map(|u| u.0))
            .bind(created_seq)
            .bind(access_seq)
            .execute(&mut *conn)
            .await?;
        if lead.is_some() {
            report.leads += 1;
        }
    }
    Ok(report)
}

#[derive(Debug, Default, Clone, Copy)]
pub struct RebuildReport {
    pub changes: u64,
    pub leads: u64,
}

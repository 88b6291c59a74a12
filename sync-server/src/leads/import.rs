//! `POST /api/admin/leads/import`: a CSV file or pasted WhatsApp lines. Each row is
//! imported, skipped as a duplicate ("row 17: duplicate of lead …"), or reported with
//! what was wrong. Duplicates are found on the normalised mobile, against existing leads
//! and earlier rows of the same import. `dry_run` reports without storing anything.

use super::parse::{self, RowLead};
use super::{AdminCaller, changes_of, ctx, server_actor, store_edits};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use dialbook_core::lead::{LeadDoc, NewLead};
use dialbook_core::protocol::wire::DocChanges;
use dialbook_core::{DocId, LeadId};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::BTreeMap;

/// Bigger lists go in several imports; this keeps one request well inside a minute.
const MAX_ROWS: usize = 20_000;

#[derive(Deserialize)]
pub struct ImportRequest {
    pub format: Format,
    pub data: String,
    #[serde(default)]
    pub assign: Assign,
    /// Source for rows that name none ("Facebook ad, Nov").
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Text,
}

#[derive(Deserialize, Clone, Copy, Default)]
#[serde(rename_all = "snake_case")]
pub enum Assign {
    /// Leave in the unassigned pool.
    #[default]
    Unassigned,
    /// Spread over active telecallers, fewest open leads first.
    RoundRobin,
    User(i64),
}

#[derive(Serialize)]
pub struct ImportReport {
    pub imported: usize,
    pub duplicates: usize,
    pub errors: usize,
    pub rows: Vec<RowReport>,
}

#[derive(Serialize)]
pub struct RowReport {
    pub row: usize,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<i64>,
    pub message: String,
}

pub async fn import(State(state): State<AppState>, admin: AdminCaller, Json(req): Json<ImportRequest>) -> Result<Json<ImportReport>, ApiError> {
    let rows = match req.format {
        Format::Csv => parse::parse_csv(&req.data).map_err(|m| ApiError::BadRequest { code: "bad_csv", message: m })?,
        Format::Text => parse::parse_lines(&req.data),
    };
    if rows.is_empty() {
        return Err(ApiError::BadRequest { code: "empty_import", message: "there are no leads in what was sent".into() });
    }
    if rows.len() > MAX_ROWS {
        return Err(ApiError::BadRequest {
            code: "import_too_large",
            message: format!("{} rows is more than one import takes ({MAX_ROWS}); split the list", rows.len()),
        });
    }
    let assignees = super::assign::assignees(&state, req.assign).await?;
    let mut next_assignee = assignees.iter().copied().cycle();
    let existing = existing_mobiles(&state).await?;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut report = ImportReport { imported: 0, duplicates: 0, errors: 0, rows: Vec::new() };
    let mut docs = Vec::new();
    let context = ctx(&admin);
    let actor = server_actor();
    for row in rows {
        let lead = match row {
            Err(e) => {
                report.errors += 1;
                report.rows.push(RowReport { row: e.row, status: "error", lead_id: None, assignee: None, message: format!("row {}: {}", e.row, e.message) });
                continue;
            }
            Ok(lead) => lead,
        };
        if let Some(message) = duplicate(&lead, &existing, &seen) {
            report.duplicates += 1;
            report.rows.push(RowReport { row: lead.row, status: "duplicate", lead_id: None, assignee: None, message });
            continue;
        }
        seen.insert(lead.mobile.e164().to_owned(), lead.row);
        if let Some(alt) = &lead.alt_mobile {
            seen.insert(alt.e164().to_owned(), lead.row);
        }
        let id = LeadId::from_random(rand::random());
        let assignee = next_assignee.next().flatten();
        let row = lead.row;
        let new = NewLead {
            id: id.clone(),
            name: lead.name,
            mobile: lead.mobile,
            alt_mobile: lead.alt_mobile,
            source: lead.source.or(req.source.clone()).unwrap_or_default(),
            assignee,
            follow_up: None,
            tags: Default::default(),
            custom: lead.custom,
            notes: lead.notes,
        };
        match LeadDoc::create(actor.clone(), &context, new) {
            Ok(mut doc) => {
                docs.push(DocChanges { doc: DocId::Lead(id.clone()), changes: changes_of(&mut doc, &[]) });
                report.rows.push(RowReport {
                    row,
                    status: "imported",
                    lead_id: Some(id.to_string()),
                    assignee: assignee.map(|u| u.0),
                    message: format!("row {row}: imported"),
                });
            }
            Err(e) => {
                report.errors += 1;
                report.rows.push(RowReport { row, status: "error", lead_id: None, assignee: None, message: format!("row {row}: {e}") });
            }
        }
    }
    if !req.dry_run && !docs.is_empty() {
        let results = store_edits(&state, &admin, docs).await?;
        let refused: BTreeMap<String, String> =
            results.iter().filter_map(|r| super::refusal_message(&r.status).map(|m| (r.doc.to_string(), m))).collect();
        for r in &mut report.rows {
            if let Some(m) = r.lead_id.as_ref().and_then(|id| refused.get(id)) {
                r.status = "error";
                r.message = format!("row {}: {m}", r.row);
                r.lead_id = None;
                report.errors += 1;
            }
        }
    }
    report.imported = report.rows.iter().filter(|r| r.status == "imported").count();
    report.rows.sort_by_key(|r| r.row);
    Ok(Json(report))
}

/// Existing leads by normalised mobile (and alternate mobile): mobile → (lead id, name).
async fn existing_mobiles(state: &AppState) -> Result<BTreeMap<String, (String, String)>, ApiError> {
    let rows = sqlx::query("SELECT lead_id, name, mobile, alt_mobile FROM leads WHERE deleted = 0").fetch_all(&state.db.pool).await?;
    let mut out = BTreeMap::new();
    for row in rows {
        let id: String = row.try_get("lead_id")?;
        let name: String = row.try_get("name")?;
        out.insert(row.try_get::<String, _>("mobile")?, (id.clone(), name.clone()));
        if let Some(alt) = row.try_get::<Option<String>, _>("alt_mobile")? {
            out.entry(alt).or_insert((id, name));
        }
    }
    Ok(out)
}

fn duplicate(lead: &RowLead, existing: &BTreeMap<String, (String, String)>, seen: &BTreeMap<String, usize>) -> Option<String> {
    let mobiles = std::iter::once(&lead.mobile).chain(lead.alt_mobile.as_ref());
    for m in mobiles {
        if let Some((id, name)) = existing.get(m.e164()) {
            return Some(format!("row {}: duplicate of lead {id} ({name}, {})", lead.row, m.display()));
        }
        if let Some(first) = seen.get(m.e164()) {
            return Some(format!("row {}: duplicate of row {first} ({})", lead.row, m.display()));
        }
    }
    None
}


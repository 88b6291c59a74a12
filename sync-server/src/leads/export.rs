//! `GET /api/admin/leads/export.csv`: the leads matching a filter as CSV, one column per
//! custom field, times in the team's time zone — what an admin opens in a spreadsheet.
//!
//! Every cell a person typed is made safe for spreadsheets (OWASP, "CSV Injection"): a
//! cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
//! formula, so it gets a leading `'`, which spreadsheets show as text. A cell that is only
//! a phone number (`+91 98765 43210`) has nothing to run and is left as it is.

use super::AdminCaller;
use super::search::{COLUMNS, Filter, lead_row};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use std::collections::BTreeSet;

pub async fn export(State(state): State<AppState>, _admin: AdminCaller, Query(f): Query<Filter>) -> Result<impl IntoResponse, ApiError> {
    let tz = state.config.tz().map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    let w = super::search::filter_clause(&f)?;
    let sql = format!("SELECT {COLUMNS} FROM leads{} ORDER BY created_at, created_seq", w.sql);
    let rows = w.apply(sqlx::query(&sql)).fetch_all(&state.db.pool).await?;
    let leads = rows.iter().map(lead_row).collect::<Result<Vec<_>, _>>()?;
    let custom_keys: BTreeSet<String> =
        leads.iter().filter_map(|l| l.custom.as_object()).flat_map(|m| m.keys().cloned()).collect();
    let when = |ms: Option<i64>| {
        ms.and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["lead_id", "name", "mobile", "alt_mobile", "source", "status", "follow_up", "assignee", "tags"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    header.extend(custom_keys.iter().cloned());
    header.extend(["notes", "calls", "last_call", "last_outcome", "created"].map(str::to_owned));
    let csv_err = |e: csv::Error| ApiError::Internal(anyhow::anyhow!("writing CSV: {e}"));
    w.write_record(header.iter().map(|cell| neutralise(cell).into_owned())).map_err(csv_err)?;
    for l in &leads {
        let mut rec = vec![
            l.lead_id.clone(),
            l.name.clone(),
            l.mobile.clone(),
            l.alt_mobile.clone().unwrap_or_default(),
            l.source.clone(),
            l.status.clone(),
            when(l.follow_up),
            l.assignee.map(|a| a.to_string()).unwrap_or_default(),
            l.tags.join(" "),
        ];
        for k in &custom_keys {
            rec.push(l.custom.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned());
        }
        rec.extend([l.notes.clone(), l.call_count.to_string(), when(l.last_call_at), l.last_outcome.clone().unwrap_or_default(), when(Some(l.created_at))]);
        w.write_record(rec.iter().map(|cell| neutralise(cell).into_owned())).map_err(csv_err)?;
    }
    let body = w.into_inner().map_err(|e| ApiError::Internal(anyhow::anyhow!("writing CSV: {e}")))?;
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"dialbook-leads.csv\"")],
        body,
    ))
}

/// The cell as a spreadsheet should show it: text, never a formula.
fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && !is_phone_number(cell) { format!("'{cell}").into() } else { cell.into() }
}

/// `+` then digits and spaces: how numbers are written in the export.
fn is_phone_number(cell: &str) -> bool {
    cell.strip_prefix('+').is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()) && rest.chars().all(|c| c.is_ascii_digit() || c == ' '))
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_become_text_and_numbers_stay_readable() {
        for (cell, shown) in [
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("+91 98765 43210", "+91 98765 43210"),
            ("+919876543210", "+919876543210"),
            ("Ravi Kumar", "Ravi Kumar"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell), shown, "{cell:?}");
        }
    }
}

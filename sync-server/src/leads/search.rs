//! Admin reads over the projections: lead search (`GET /api/admin/leads`), one lead with
//! its timeline (`GET /api/admin/leads/{id}`), and the team's numbers for a day
//! (`GET /api/admin/stats`).

use super::{AdminCaller, lead_doc_id};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{NaiveDate, TimeZone};
use dialbook_core::lead::read_lead;
use dialbook_core::{LeadStatus, PhoneNumber};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

#[derive(Deserialize, Default)]
pub struct Filter {
    /// Name, mobile typed any way, or a custom field value (reg. no.).
    pub q: Option<String>,
    pub status: Option<String>,
    /// A user id, or "none" for the unassigned pool.
    pub assignee: Option<String>,
    #[serde(default)]
    pub include_deleted: bool,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize)]
pub struct LeadRow {
    pub lead_id: String,
    pub name: String,
    pub mobile: String,
    pub alt_mobile: Option<String>,
    pub source: String,
    pub status: String,
    pub follow_up: Option<i64>,
    pub assignee: Option<i64>,
    pub deleted: bool,
    pub tags: Vec<String>,
    pub custom: serde_json::Value,
    pub notes: String,
    pub created_at: i64,
    pub call_count: i64,
    pub last_call_at: Option<i64>,
    pub last_outcome: Option<String>,
}

pub(super) const COLUMNS: &str = "lead_id, name, mobile, alt_mobile, source, status, follow_up, assignee, deleted, tags, custom, notes, created_at, call_count, last_call_at, last_outcome";

/// A WHERE clause with `$N` placeholders and the values to bind, in order.
/// (sqlx's `QueryBuilder<Any>` writes `?` placeholders, which Postgres does not take.)
#[derive(Default)]
pub(super) struct Where {
    pub sql: String,
    args: Vec<Arg>,
}

enum Arg {
    Int(i64),
    Text(String),
}

impl Where {
    fn bind(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    pub fn int(&mut self, v: i64) -> String {
        self.bind(Arg::Int(v))
    }

    /// Bind this clause's values to a query built from SQL that embeds `self.sql`.
    pub fn apply<'q>(&self, mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
        for a in &self.args {
            q = match a {
                Arg::Int(i) => q.bind(*i),
                Arg::Text(t) => q.bind(t.clone()),
            };
        }
        q
    }
}

/// The WHERE clause for a filter. Bad filter values are the caller's mistake and say so.
pub(super) fn filter_clause(f: &Filter) -> Result<Where, ApiError> {
    let mut w = Where { sql: " WHERE 1 = 1".into(), ..Where::default() };
    if !f.include_deleted {
        w.sql.push_str(" AND deleted = 0");
    }
    if let Some(status) = f.status.as_deref().filter(|s| !s.is_empty()) {
        let status = LeadStatus::parse(status).map_err(|e| ApiError::BadRequest { code: "bad_status", message: e.to_string() })?;
        let p = w.bind(Arg::Text(status.as_str().into()));
        w.sql.push_str(&format!(" AND status = {p}"));
    }
    match f.assignee.as_deref().filter(|s| !s.is_empty()) {
        None => {}
        Some("none") => w.sql.push_str(" AND assignee IS NULL"),
        Some(id) => {
            let id: i64 = id.parse().map_err(|_| ApiError::BadRequest { code: "bad_assignee", message: format!("assignee {id:?} is not a user id or \"none\"") })?;
            let p = w.int(id);
            w.sql.push_str(&format!(" AND assignee = {p}"));
        }
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let like = w.bind(Arg::Text(format!("%{}%", q.to_lowercase().replace(['%', '_'], ""))));
        w.sql.push_str(&format!(" AND (LOWER(name) LIKE {like} OR LOWER(custom) LIKE {like}"));
        if let Some(digits) = PhoneNumber::search_key(q) {
            let d = w.bind(Arg::Text(format!("%{digits}%")));
            w.sql.push_str(&format!(" OR mobile LIKE {d} OR alt_mobile LIKE {d}"));
        }
        w.sql.push(')');
    }
    Ok(w)
}

pub(super) fn lead_row(row: &AnyRow) -> Result<LeadRow, sqlx::Error> {
    let tags: String = row.try_get("tags")?;
    let custom: String = row.try_get("custom")?;
    Ok(LeadRow {
        lead_id: row.try_get("lead_id")?,
        name: row.try_get("name")?,
        mobile: row.try_get("mobile")?,
        alt_mobile: row.try_get("alt_mobile")?,
        source: row.try_get("source")?,
        status: row.try_get("status")?,
        follow_up: row.try_get("follow_up")?,
        assignee: row.try_get("assignee")?,
        deleted: row.try_get::<i64, _>("deleted")? != 0,
        tags: tags.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect(),
        custom: serde_json::from_str(&custom).unwrap_or(serde_json::Value::Null),
        notes: row.try_get("notes")?,
        created_at: row.try_get("created_at")?,
        call_count: row.try_get("call_count")?,
        last_call_at: row.try_get("last_call_at")?,
        last_outcome: row.try_get("last_outcome")?,
    })
}

#[derive(Serialize)]
pub struct SearchResult {
    pub total: i64,
    pub leads: Vec<LeadRow>,
}

pub async fn search(State(state): State<AppState>, _admin: AdminCaller, Query(f): Query<Filter>) -> Result<Json<SearchResult>, ApiError> {
    let limit = f.limit.unwrap_or(50).clamp(1, 500);
    let offset = f.offset.unwrap_or(0).max(0);
    let mut w = filter_clause(&f)?;
    let count_sql = format!("SELECT COUNT(*) AS n FROM leads{}", w.sql);
    let total: i64 = w.apply(sqlx::query(&count_sql)).fetch_one(&state.db.pool).await?.try_get("n")?;
    let (l, o) = (w.int(limit), w.int(offset));
    let sql = format!("SELECT {COLUMNS} FROM leads{} ORDER BY created_at DESC, created_seq DESC LIMIT {l} OFFSET {o}", w.sql);
    let rows = w.apply(sqlx::query(&sql)).fetch_all(&state.db.pool).await?;
    let leads = rows.iter().map(lead_row).collect::<Result<_, _>>()?;
    Ok(Json(SearchResult { total, leads }))
}

pub async fn detail(State(state): State<AppState>, _admin: AdminCaller, Path(id): Path<String>) -> Result<Json<dialbook_core::lead::Lead>, ApiError> {
    let id = lead_doc_id(&id)?;
    let mut conn = state.db.pool.acquire().await?;
    let doc = crate::sync::store::load(&mut conn, &id).await?.ok_or_else(|| ApiError::NotFound(format!("no lead {id}")))?;
    let lead = read_lead(&doc).map_err(|e| ApiError::Internal(anyhow::anyhow!("stored lead {id} does not read: {e}")))?;
    Ok(Json(lead))
}

#[derive(Deserialize)]
pub struct StatsQuery {
    /// A day in the team's time zone, `YYYY-MM-DD`; today if absent.
    pub day: Option<String>,
}

#[derive(Serialize)]
pub struct UserStats {
    pub user_id: i64,
    pub calls: i64,
    pub talk_secs: i64,
    pub outcomes: std::collections::BTreeMap<String, i64>,
    pub open_leads: i64,
    pub overdue: i64,
}

#[derive(Serialize)]
pub struct Stats {
    pub day: String,
    pub unassigned: i64,
    pub users: Vec<UserStats>,
}

pub async fn stats(State(state): State<AppState>, _admin: AdminCaller, Query(q): Query<StatsQuery>) -> Result<Json<Stats>, ApiError> {
    let tz = state.config.tz().map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    let now = crate::clock::now_ms();
    let day = match q.day.as_deref() {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| ApiError::BadRequest { code: "bad_day", message: format!("{d:?} is not a date like 2026-11-21") })?,
        None => chrono::DateTime::from_timestamp_millis(now).unwrap_or_default().with_timezone(&tz).date_naive(),
    };
    let start = |d: NaiveDate| tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists")).earliest().map(|t| t.timestamp_millis()).unwrap_or(0);
    let (from, to) = (start(day), start(day.succ_opt().unwrap_or(day)));
    let mut users: std::collections::BTreeMap<i64, UserStats> = std::collections::BTreeMap::new();
    let calls = sqlx::query("SELECT by_user, outcome, COUNT(*) AS n, CAST(SUM(duration_secs) AS BIGINT) AS secs FROM call_activities WHERE at >= $1 AND at < $2 GROUP BY by_user, outcome")
        .bind(from)
        .bind(to)
        .fetch_all(&state.db.pool)
        .await?;
    for row in calls {
        let s = user(&mut users, row.try_get("by_user")?);
        let n: i64 = row.try_get("n")?;
        s.calls += n;
        s.talk_secs += row.try_get::<Option<i64>, _>("secs")?.unwrap_or(0);
        s.outcomes.insert(row.try_get("outcome")?, n);
    }
    let open = sqlx::query("SELECT assignee, COUNT(*) AS n, CAST(SUM(CASE WHEN follow_up IS NOT NULL AND follow_up < $1 THEN 1 ELSE 0 END) AS BIGINT) AS overdue FROM leads WHERE deleted = 0 AND status NOT IN ('not_interested', 'wrong_number', 'converted') GROUP BY assignee")
        .bind(now)
        .fetch_all(&state.db.pool)
        .await?;
    let mut unassigned = 0;
    for row in open {
        match row.try_get::<Option<i64>, _>("assignee")? {
            None => unassigned = row.try_get("n")?,
            Some(id) => {
                let s = user(&mut users, id);
                s.open_leads = row.try_get("n")?;
                s.overdue = row.try_get::<Option<i64>, _>("overdue")?.unwrap_or(0);
            }
        }
    }
    Ok(Json(Stats { day: day.to_string(), unassigned, users: users.into_values().collect() }))
}

fn user(users: &mut std::collections::BTreeMap<i64, UserStats>, id: i64) -> &mut UserStats {
    users.entry(id).or_insert_with(|| UserStats { user_id: id, calls: 0, talk_secs: 0, outcomes: Default::default(), open_leads: 0, overdue: 0 })
}

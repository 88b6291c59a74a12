//! `POST /api/admin/leads/assign` (manual, round-robin over active telecallers, or back
//! to the unassigned pool) and `DELETE /api/admin/leads/{id}`. Both edit the lead
//! document on the server and store it through the push path, so the old assignee's
//! phone gets a revocation on its next pull and the new one a snapshot.

use super::import::Assign;
use super::{AdminCaller, changes_of, ctx, lead_doc_id, refusal_message, server_actor, store_edits};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use dialbook_core::lead::LeadDoc;
use dialbook_core::protocol::wire::DocChanges;
use dialbook_core::{DocId, Role, UserId};
use serde::{Deserialize, Serialize};
use sqlx::Row;

#[derive(Deserialize)]
pub struct AssignRequest {
    pub lead_ids: Vec<String>,
    pub to: Assign,
}

#[derive(Serialize)]
pub struct AssignResult {
    pub lead_id: String,
    pub ok: bool,
    pub assignee: Option<i64>,
    pub message: String,
}

/// Who the next leads go to, in order (cycled by the caller).
pub(super) async fn assignees(state: &AppState, assign: Assign) -> Result<Vec<Option<UserId>>, ApiError> {
    match assign {
        Assign::Unassigned => Ok(vec![None]),
        Assign::User(id) => match crate::users::user_exists_active(&state.db, UserId(id)).await? {
            Some(Role::Telecaller) | Some(Role::Admin) => Ok(vec![Some(UserId(id))]),
            None => Err(ApiError::BadRequest { code: "unknown_user", message: format!("user {id} does not exist or is disabled") }),
        },
        Assign::RoundRobin => {
            let telecallers = crate::users::active_telecallers(&state.db).await?;
            if telecallers.is_empty() {
                return Err(ApiError::BadRequest {
                    code: "no_telecallers",
                    message: "there are no active telecallers to share the leads between; add one first".into(),
                });
            }
            // Fewest open leads first, so a new telecaller catches up.
            let rows = sqlx::query("SELECT assignee, COUNT(*) AS open FROM leads WHERE deleted = 0 AND assignee IS NOT NULL AND status NOT IN ('not_interested', 'wrong_number', 'converted') GROUP BY assignee")
                .fetch_all(&state.db.pool)
                .await?;
            let mut load = std::collections::BTreeMap::new();
            for row in rows {
                load.insert(row.try_get::<i64, _>("assignee")?, row.try_get::<i64, _>("open")?);
            }
            let mut users = telecallers;
            users.sort_by_key(|u| (load.get(&u.0).copied().unwrap_or(0), u.0));
            Ok(users.into_iter().map(Some).collect())
        }
    }
}

pub async fn assign(State(state): State<AppState>, admin: AdminCaller, Json(req): Json<AssignRequest>) -> Result<Json<Vec<AssignResult>>, ApiError> {
    if req.lead_ids.is_empty() {
        return Err(ApiError::BadRequest { code: "no_leads", message: "choose at least one lead to assign".into() });
    }
    let ids: Vec<DocId> = req.lead_ids.iter().map(|id| lead_doc_id(id)).collect::<Result<_, _>>()?;
    let targets = assignees(&state, req.to).await?;
    let mut next = targets.iter().copied().cycle();
    let context = ctx(&admin);
    let actor = server_actor();
    let mut out = Vec::new();
    let mut edits = Vec::new();
    let mut conn = state.db.pool.acquire().await?;
    for id in ids {
        let Some(doc) = crate::sync::store::load(&mut conn, &id).await? else {
            out.push(AssignResult { lead_id: id.to_string(), ok: false, assignee: None, message: format!("no lead {id}") });
            continue;
        };
        let to = next.next().flatten();
        let mut lead = LeadDoc::from_automerge(doc);
        lead.inner().set_actor(actor.clone());
        let before = lead.heads();
        lead.assign(&context, to).map_err(|e| ApiError::Internal(anyhow::anyhow!("assigning {id}: {e}")))?;
        let changes = changes_of(&mut lead, &before);
        if !changes.is_empty() {
            edits.push(DocChanges { doc: id.clone(), changes });
        }
        out.push(AssignResult { lead_id: id.to_string(), ok: true, assignee: to.map(|u| u.0), message: "assigned".into() });
    }
    drop(conn);
    for result in store_edits(&state, &admin, edits).await? {
        if let Some(m) = refusal_message(&result.status)
            && let Some(r) = out.iter_mut().find(|r| r.lead_id == result.doc.to_string())
        {
            r.ok = false;
            r.message = m;
        }
    }
    Ok(Json(out))
}

pub async fn delete(State(state): State<AppState>, admin: AdminCaller, Path(id): Path<String>) -> Result<Json<serde_json::Value>, ApiError> {
    let id = lead_doc_id(&id)?;
    let mut conn = state.db.pool.acquire().await?;
    let doc = crate::sync::store::load(&mut conn, &id).await?.ok_or_else(|| ApiError::NotFound(format!("no lead {id}")))?;
    drop(conn);
    let mut lead = LeadDoc::from_automerge(doc);
    lead.inner().set_actor(server_actor());
    let before = lead.heads();
    lead.set_deleted(&ctx(&admin), true).map_err(|e| ApiError::Internal(anyhow::anyhow!("deleting {id}: {e}")))?;
    let changes = changes_of(&mut lead, &before);
    let results = store_edits(&state, &admin, vec![DocChanges { doc: id.clone(), changes }]).await?;
    if let Some(m) = results.first().and_then(|r| refusal_message(&r.status)) {
        return Err(ApiError::Conflict { code: "not_deleted", message: m });
    }
    Ok(Json(serde_json::json!({ "lead_id": id.to_string(), "deleted": true })))
}

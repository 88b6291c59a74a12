//! `GET /health`, for load balancers and uptime checks: 200 when this instance can reach
//! its database, 503 when it cannot (so a balancer stops sending it traffic).

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match tokio::time::timeout(Duration::from_secs(3), state.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ok", "db": "ok" }))),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "health check: database unreachable");
            unavailable()
        }
        Err(_) => {
            tracing::error!("health check: database did not answer within 3 s");
            unavailable()
        }
    }
}

fn unavailable() -> (StatusCode, Json<Value>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({
            "status": "unavailable",
            "db": "unreachable",
            "error": "db_unreachable",
            "message": "This server cannot reach its database.",
        })),
    )
}

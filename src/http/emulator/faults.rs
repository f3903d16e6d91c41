//! `/_emulator/faults`: add, list and remove fault rules (README, "Fault injection").

use super::failure;
use crate::domain::faults::FaultSpec;
use crate::state::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde_json::json;

pub fn router() -> Router<App> {
    Router::new()
        .route("/faults", post(add).get(list).delete(clear))
        .route("/faults/{id}", delete(remove))
}

async fn add(State(app): State<App>, body: Bytes) -> Response {
    let spec: FaultSpec = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => {
            return failure(
                StatusCode::BAD_REQUEST,
                format!("bad fault rule: {e}; a rule is {{\"operation\", \"userPoolId\"?, \"clientId\"?, \"username\"?, \"error\"?: {{\"type\", \"message\"?, \"status\"?}}, \"latencyMs\"?, \"count\"?, \"probability\"?, \"seed\"?}}"),
            )
        }
    };
    let id = app.faults.next_id();
    match app.faults.with(|s| s.add(id, spec).map(|r| r.view())) {
        Ok(view) => (StatusCode::CREATED, Json(view)).into_response(),
        Err(m) => failure(StatusCode::BAD_REQUEST, m),
    }
}

async fn list(State(app): State<App>) -> Json<serde_json::Value> {
    let rules: Vec<_> = app
        .faults
        .with(|s| s.rules().iter().map(|r| r.view()).collect());
    Json(json!({ "faults": rules }))
}

async fn clear(State(app): State<App>) -> Json<serde_json::Value> {
    app.faults.with(|s| s.clear());
    Json(json!({}))
}

async fn remove(State(app): State<App>, Path(id): Path<String>) -> Response {
    if app.faults.with(|s| s.remove(&id)) {
        Json(json!({})).into_response()
    } else {
        failure(StatusCode::NOT_FOUND, format!("no fault rule {id}"))
    }
}

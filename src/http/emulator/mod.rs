//! Emulator-only endpoints under `/_emulator/` (README, "Emulator endpoints").

use crate::state::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

mod faults;
mod outbox;

pub fn router() -> Router<App> {
    Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
        .route("/clock", post(set_clock).get(get_clock))
        .merge(super::import_upload::router())
        .merge(faults::router())
        .merge(outbox::router())
        .route(
            "/triggers/{pool_id}",
            get(super::triggers::get_triggers).put(super::triggers::put_triggers),
        )
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

pub(super) fn failure(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

async fn reset(State(app): State<App>) -> Response {
    match app.store.reset().await {
        Ok(()) => {
            app.drop_keys(None);
            app.triggers.clear();
            app.faults.with(|s| s.clear());
            Json(json!({})).into_response()
        }
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockRequest {
    advance_seconds: Option<i64>,
    set: Option<String>,
    reset: Option<bool>,
}

async fn get_clock(State(app): State<App>) -> Json<serde_json::Value> {
    Json(json!({"now": app.clock.now().to_rfc3339()}))
}

async fn set_clock(State(app): State<App>, body: axum::body::Bytes) -> Response {
    let req: ClockRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return failure(
                StatusCode::BAD_REQUEST,
                format!("expected {{\"advanceSeconds\": N}}, {{\"set\": \"RFC 3339\"}} or {{\"reset\": true}}: {e}"),
            )
        }
    };
    if req.reset == Some(true) {
        app.clock.reset();
    }
    if let Some(at) = req.set {
        match chrono::DateTime::parse_from_rfc3339(&at) {
            Ok(t) => app.clock.set(t.with_timezone(&chrono::Utc)),
            Err(e) => return failure(StatusCode::BAD_REQUEST, format!("bad RFC 3339 time: {e}")),
        }
    }
    if let Some(s) = req.advance_seconds {
        app.clock.advance(s);
    }
    Json(json!({"now": app.clock.now().to_rfc3339()})).into_response()
}

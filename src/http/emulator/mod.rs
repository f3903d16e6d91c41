//! Emulator-only endpoints under `/_emulator/` (README, "Emulator endpoints").

use crate::domain::records::MessageFilter;
use crate::state::App;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

mod faults;

pub fn router() -> Router<App> {
    Router::new()
        .route("/health", get(health))
        .route("/messages", get(list_messages).delete(clear_messages))
        .route("/reset", post(reset))
        .route("/clock", post(set_clock).get(get_clock))
        .merge(super::import_upload::router())
        .merge(faults::router())
        .route(
            "/triggers/{pool_id}",
            get(super::triggers::get_triggers).put(super::triggers::put_triggers),
        )
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageQuery {
    user_pool_id: Option<String>,
    username: Option<String>,
    channel: Option<String>,
    purpose: Option<String>,
}

pub(super) fn failure(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

async fn list_messages(State(app): State<App>, Query(q): Query<MessageQuery>) -> Response {
    let f = MessageFilter {
        user_pool_id: q.user_pool_id,
        username: q.username,
        channel: q.channel,
        purpose: q.purpose,
    };
    match app.store.list_messages(&f).await {
        Ok(m) => Json(json!({"messages": m})).into_response(),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn clear_messages(State(app): State<App>) -> Response {
    match app.store.clear_messages().await {
        Ok(()) => Json(json!({})).into_response(),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
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

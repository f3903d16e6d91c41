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
pub(super) mod requests;
mod snapshots;
mod ui;

pub fn router() -> Router<App> {
    Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
        .route("/clock", post(set_clock).get(get_clock))
        .merge(super::import_upload::router())
        .merge(faults::router())
        .merge(outbox::router())
        .merge(snapshots::router())
        .merge(requests::router())
        .merge(ui::router())
        .merge(super::oauth2::federation::emulator_router())
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

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResetRequest {
    #[serde(default)]
    reseed: bool,
}

async fn reset(State(app): State<App>, body: axum::body::Bytes) -> Response {
    let req: ResetRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ResetRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return failure(
                    StatusCode::BAD_REQUEST,
                    format!("expected no body, {{}} or {{\"reseed\": true}}: {e}"),
                )
            }
        }
    };
    let reseeder = app.reseed.get().cloned();
    if req.reseed && reseeder.is_none() {
        return failure(
            StatusCode::BAD_REQUEST,
            "reseed needs a seed file: start the emulator with --seed FILE",
        );
    }
    if let Err(e) = app.store.reset().await {
        return failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    }
    app.drop_keys(None);
    app.triggers.clear();
    app.faults.with(|s| s.clear());
    if let Some(reseed) = reseeder.filter(|_| req.reseed) {
        if let Err(m) = reseed(app.clone()).await {
            return failure(
                StatusCode::BAD_REQUEST,
                format!("the state was wiped but the seed file did not apply: {m}"),
            );
        }
    }
    Json(json!({})).into_response()
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
    // Everything is checked before the clock moves: a bad request leaves it as it was.
    let reset = req.reset == Some(true);
    let mut at = if reset {
        chrono::Utc::now()
    } else {
        app.clock.now()
    };
    if let Some(set) = &req.set {
        match chrono::DateTime::parse_from_rfc3339(set) {
            Ok(t) => at = t.with_timezone(&chrono::Utc),
            Err(e) => return failure(StatusCode::BAD_REQUEST, format!("bad RFC 3339 time: {e}")),
        }
    }
    if let Some(s) = req.advance_seconds {
        match chrono::TimeDelta::try_seconds(s).and_then(|d| at.checked_add_signed(d)) {
            Some(t) => at = t,
            None => {
                return failure(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "advanceSeconds {s} is out of range: {}",
                        crate::clock::check_range(chrono::DateTime::<chrono::Utc>::MAX_UTC)
                            .err()
                            .unwrap_or_default()
                    ),
                )
            }
        }
    }
    if let Err(m) = crate::clock::check_range(at) {
        return failure(StatusCode::BAD_REQUEST, m);
    }
    if reset && req.set.is_none() && req.advance_seconds.is_none() {
        app.clock.reset();
    } else if reset || req.set.is_some() || req.advance_seconds.is_some() {
        app.clock.set(at);
    }
    Json(json!({"now": app.clock.now().to_rfc3339()})).into_response()
}

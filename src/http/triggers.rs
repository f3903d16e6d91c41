//! `GET` / `PUT /_emulator/triggers/{userPoolId}`: a pool's webhooks and Lambda endpoint at run
//! time, for test suites that start their own function server (same members as the seed file:
//! `{"LambdaEndpoint": "http://...", "TriggerWebhooks": {"DefineAuthChallenge": "http://..."}}`).

use crate::domain::triggers::PoolTriggers;
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

fn failure(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

async fn known_pool(app: &App, pool_id: &str) -> Result<(), Response> {
    match app.store.get_pool(pool_id).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(failure(
            StatusCode::NOT_FOUND,
            format!("User pool {pool_id} does not exist."),
        )),
        Err(e) => Err(failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    }
}

pub async fn get_triggers(State(app): State<App>, Path(pool_id): Path<String>) -> Response {
    if let Err(r) = known_pool(&app, &pool_id).await {
        return r;
    }
    Json(app.triggers.get(&pool_id)).into_response()
}

pub async fn put_triggers(
    State(app): State<App>,
    Path(pool_id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = known_pool(&app, &pool_id).await {
        return r;
    }
    let settings: PoolTriggers = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => {
            return failure(
                StatusCode::BAD_REQUEST,
                format!(
                "expected {{\"LambdaEndpoint\": URL, \"TriggerWebhooks\": {{TRIGGER: URL}}}}: {e}"
            ),
            )
        }
    };
    if let Err(e) = settings.validate() {
        return failure(StatusCode::BAD_REQUEST, e);
    }
    app.triggers.set(&pool_id, settings.clone());
    Json(settings).into_response()
}

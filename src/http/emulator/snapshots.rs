//! `/_emulator/snapshots`: save the whole state under a name, restore it, list and delete
//! (README, "Emulator endpoints").

use super::failure;
use crate::state::{App, Snapshot};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::sync::Arc;

pub fn router() -> Router<App> {
    Router::new()
        .route("/snapshots", get(list))
        .route("/snapshots/{name}", post(save).delete(remove))
        .route("/snapshots/{name}/restore", post(restore))
}

/// 1-64 characters of `[A-Za-z0-9._-]`: a name that is safe in a URL path and a shell script.
fn check_name(name: &str) -> Result<(), Box<Response>> {
    if (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        Ok(())
    } else {
        Err(Box::new(failure(
            StatusCode::BAD_REQUEST,
            format!(
                "bad snapshot name {name:?}: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '-'"
            ),
        )))
    }
}

fn created_at(s: &Snapshot) -> String {
    s.created_at
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn save(State(app): State<App>, Path(name): Path<String>) -> Response {
    if let Err(r) = check_name(&name) {
        return *r;
    }
    let mut saved = app.snapshots.lock().await;
    let tables = match app.store.snapshot().await {
        Ok(t) => t,
        Err(e) => {
            return failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the state could not be read: {e}"),
            )
        }
    };
    let snapshot = Arc::new(Snapshot {
        created_at: app.clock.now(),
        tables,
        clock_offset: app.clock.offset(),
        triggers: app.triggers.all(),
    });
    let body = json!({"name": name, "createdAt": created_at(&snapshot)});
    saved.insert(name, snapshot);
    (StatusCode::CREATED, Json(body)).into_response()
}

async fn restore(State(app): State<App>, Path(name): Path<String>) -> Response {
    if let Err(r) = check_name(&name) {
        return *r;
    }
    let saved = app.snapshots.lock().await;
    let Some(snapshot) = saved.get(&name).cloned() else {
        return failure(StatusCode::NOT_FOUND, format!("no snapshot {name}"));
    };
    if let Err(e) = app.store.restore(&snapshot.tables).await {
        return failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the snapshot could not be restored; the state is unchanged: {e}"),
        );
    }
    // The signing keys are cached in memory; the restored tables may hold other keys (or none).
    app.drop_keys(None);
    app.triggers.replace_all(snapshot.triggers.clone());
    app.clock.set_offset(snapshot.clock_offset);
    // Messages written since the snapshot are gone, earlier ones are back: wake `?wait=`
    // callers so they look again.
    app.outbox_written.notify_waiters();
    Json(json!({"name": name, "createdAt": created_at(&snapshot)})).into_response()
}

async fn list(State(app): State<App>) -> Json<serde_json::Value> {
    let saved = app.snapshots.lock().await;
    let list: Vec<_> = saved
        .iter()
        .map(|(name, s)| json!({"name": name, "createdAt": created_at(s)}))
        .collect();
    Json(json!({ "snapshots": list }))
}

async fn remove(State(app): State<App>, Path(name): Path<String>) -> Response {
    if let Err(r) = check_name(&name) {
        return *r;
    }
    if app.snapshots.lock().await.remove(&name).is_some() {
        Json(json!({})).into_response()
    } else {
        failure(StatusCode::NOT_FOUND, format!("no snapshot {name}"))
    }
}

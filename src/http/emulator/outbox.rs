//! `/_emulator/messages`: the outbox, with filters, `latest`, and `wait` for a message to come.

use super::failure;
use crate::domain::records::{Message, MessageFilter};
use crate::state::App;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

/// The query parameters the outbox knows; any other answers 400 (a typo such as `usename=` must
/// not return everyone's codes).
const KNOWN: &[&str] = &[
    "userPoolId",
    "username",
    "channel",
    "purpose",
    "destination",
    "since",
    "wait",
];

/// Longest `wait`, in seconds.
pub const MAX_WAIT_SECONDS: u64 = 30;

pub fn router() -> Router<App> {
    Router::new()
        .route("/messages", get(list).delete(clear))
        .route("/messages/latest", get(latest))
}

struct Parsed {
    filter: MessageFilter,
    wait: Duration,
}

async fn parse(app: &App, q: HashMap<String, String>) -> Result<Parsed, String> {
    if let Some(bad) = q.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(format!(
            "unknown query parameter {bad:?}; the outbox knows {}",
            KNOWN.join(", ")
        ));
    }
    let text = |k: &str| q.get(k).cloned();
    let mut filter = MessageFilter {
        user_pool_id: text("userPoolId"),
        username: text("username"),
        channel: text("channel"),
        purpose: text("purpose"),
        destination: text("destination"),
        ..Default::default()
    };
    if let Some(since) = q.get("since") {
        match chrono::DateTime::parse_from_rfc3339(since) {
            Ok(t) => filter.since = Some(t.timestamp_micros() as f64 / 1e6),
            Err(_) => {
                let known = app
                    .store
                    .message_exists(since)
                    .await
                    .map_err(|e| e.to_string())?;
                if !known {
                    return Err(format!(
                        "since={since:?} is neither a message id in the outbox nor an RFC 3339 time"
                    ));
                }
                filter.after_id = Some(since.clone());
            }
        }
    }
    let wait = match q.get("wait") {
        None => 0,
        Some(w) => match w.parse::<u64>() {
            Ok(s) if s <= MAX_WAIT_SECONDS => s,
            _ => {
                return Err(format!(
                    "wait must be a whole number of seconds from 0 to {MAX_WAIT_SECONDS}, got {w:?}"
                ))
            }
        },
    };
    Ok(Parsed {
        filter,
        wait: Duration::from_secs(wait),
    })
}

/// The matching messages, waiting up to `wait` (real time) for at least one to exist.
async fn matching(app: &App, p: &Parsed, newest_only: bool) -> Result<Vec<Message>, sqlx::Error> {
    let deadline = tokio::time::Instant::now() + p.wait;
    loop {
        // Registered before the query, so a message written in between still wakes us.
        let written = app.outbox_written.notified();
        tokio::pin!(written);
        written.as_mut().enable();
        let found = if newest_only {
            app.store
                .latest_message(&p.filter)
                .await?
                .into_iter()
                .collect()
        } else {
            app.store.list_messages(&p.filter).await?
        };
        if !found.is_empty() || tokio::time::Instant::now() >= deadline {
            return Ok(found);
        }
        if tokio::time::timeout_at(deadline, written).await.is_err() {
            return Ok(Vec::new());
        }
    }
}

async fn list(State(app): State<App>, Query(q): Query<HashMap<String, String>>) -> Response {
    let parsed = match parse(&app, q).await {
        Ok(p) => p,
        Err(m) => return failure(StatusCode::BAD_REQUEST, m),
    };
    match matching(&app, &parsed, false).await {
        Ok(m) => Json(json!({ "messages": m })).into_response(),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn latest(State(app): State<App>, Query(q): Query<HashMap<String, String>>) -> Response {
    let parsed = match parse(&app, q).await {
        Ok(p) => p,
        Err(m) => return failure(StatusCode::BAD_REQUEST, m),
    };
    match matching(&app, &parsed, true).await {
        Ok(mut m) => match m.pop() {
            Some(message) => Json(message).into_response(),
            None => failure(StatusCode::NOT_FOUND, "no matching message"),
        },
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn clear(State(app): State<App>) -> Response {
    match app.store.clear_messages().await {
        Ok(()) => Json(json!({})).into_response(),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

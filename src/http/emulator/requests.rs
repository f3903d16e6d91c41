//! `/_emulator/requests`: the request log, newest first; and the middleware that records the
//! OAuth 2.0 and hosted-UI calls into it (the JSON 1.1 calls are recorded by `http::awsjson`).

use super::failure;
use crate::state::{App, RequestLog, RequestRecord};
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;

pub fn router() -> Router<App> {
    Router::new().route("/requests", get(list))
}

const KNOWN: &[&str] = &["limit", "operation", "status"];
/// The default number of calls answered.
const DEFAULT_LIMIT: usize = 100;

async fn list(State(app): State<App>, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Some(bad) = q.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return failure(
            StatusCode::BAD_REQUEST,
            format!(
                "unknown query parameter {bad:?}; the request log knows {}",
                KNOWN.join(", ")
            ),
        );
    }
    let limit = match q.get("limit") {
        None => DEFAULT_LIMIT,
        Some(l) => match l.parse::<usize>() {
            Ok(n) if (1..=RequestLog::CAPACITY).contains(&n) => n,
            _ => {
                return failure(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "limit {l:?} is not a number from 1 to {}",
                        RequestLog::CAPACITY
                    ),
                )
            }
        },
    };
    let status = match q.get("status") {
        None => None,
        Some(s) => match s.parse::<u16>() {
            Ok(n) if (100..=599).contains(&n) => Some(n),
            _ => {
                return failure(
                    StatusCode::BAD_REQUEST,
                    format!("status {s:?} is not an HTTP status (100-599)"),
                )
            }
        },
    };
    let operation = q.get("operation");
    let requests = app.requests.recent(limit, |r| {
        status.is_none_or(|s| r.status == s) && operation.is_none_or(|o| r.operation == *o)
    });
    Json(json!({ "requests": requests })).into_response()
}

/// Longest name the log keeps.
const MAX_LOGGED: usize = 128;

fn short(s: &str) -> String {
    s.chars().take(MAX_LOGGED).collect()
}

/// Records an OAuth 2.0 / hosted-UI call: the path as the operation, the client and the user it
/// names (query, form body or Basic header; never a password, code, secret or token), the status,
/// the OAuth error code of a JSON error answer, the latency and the fault rule that applied.
pub async fn record_oauth(State(app): State<App>, req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let arrived = app.clock.now();
    let path = req.uri().path().trim_start_matches('/');
    let operation = short(path);
    let (parts, body) = req.into_parts();
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let mut form = super::super::oauth2::parse_form(parts.uri.query().unwrap_or("").as_bytes());
    let body = if is_form {
        let bytes = match axum::body::to_bytes(body, super::super::awsjson::MAX_BODY_BYTES).await {
            Ok(b) => b,
            Err(_) => {
                return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response()
            }
        };
        for (k, v) in super::super::oauth2::parse_form(&bytes) {
            form.entry(k).or_insert(v);
        }
        Body::from(bytes)
    } else {
        body
    };
    let basic_client = crate::http::oauth2::basic_credentials(&parts.headers).map(|(id, _)| id);
    let client_id = form
        .get("client_id")
        .cloned()
        .or(basic_client)
        .map(|c| short(&c));
    let username = form.get("username").map(|u| short(u));
    let resp = next.run(Request::from_parts(parts, body)).await;
    let user_pool_id = match &client_id {
        Some(c) => app
            .store
            .get_client(c)
            .await
            .ok()
            .flatten()
            .and_then(|c| c.user_pool_id.clone()),
        None => None,
    };
    let fault_id = resp
        .extensions()
        .get::<crate::http::inject::AppliedFault>()
        .map(|f| f.0.clone());
    let status = resp.status();
    let json_error = status.as_u16() >= 400
        && resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/json"));
    // The OAuth error code of a JSON error answer (`{"error": "invalid_grant", ...}`): the body
    // is read and handed on unchanged.
    let (resp, error_type) = if json_error {
        let (parts, body) = resp.into_parts();
        match axum::body::to_bytes(body, super::super::awsjson::MAX_BODY_BYTES).await {
            Ok(bytes) => {
                let code = serde_json::from_slice::<Value>(&bytes)
                    .ok()
                    .and_then(|v| v.get("error").and_then(Value::as_str).map(short));
                (Response::from_parts(parts, Body::from(bytes)), code)
            }
            Err(_) => (
                (StatusCode::INTERNAL_SERVER_ERROR, "response too large").into_response(),
                None,
            ),
        }
    } else {
        (resp, None)
    };
    app.requests.push(RequestRecord {
        time: arrived,
        operation,
        user_pool_id,
        client_id,
        username,
        status: status.as_u16(),
        error_type,
        latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        fault_id,
    });
    resp
}

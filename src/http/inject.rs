//! Applies the fault rules of `/_emulator/faults` to API calls and OAuth 2.0 requests: gathers
//! what a call names (looking the user up only when a live rule asks for a username), lets
//! `domain::faults` decide, sleeps the rule's latency, and writes the injected error as the
//! real endpoint writes its errors.

use crate::domain::faults::{Applied, Call};
use crate::domain::records::UserRecord;
use crate::error::ApiError;
use crate::ops::common::resolve_user;
use crate::state::{App, Ctx, RequestInfo};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

/// The claims of a JWT, read without checking its signature: only to know whose call it is.
fn peek_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Every name a user goes by: username, sub, email, phone number, preferred_username.
fn names_of(u: &UserRecord, out: &mut Vec<String>) {
    out.push(u.username.clone());
    out.push(u.sub.clone());
    for a in ["email", "phone_number", "preferred_username"] {
        if let Some(v) = u.attributes.get(a) {
            out.push(v.clone());
        }
    }
}

struct Facts {
    pool_id: Option<String>,
    client_id: Option<String>,
    carried: Vec<String>,
}

async fn decide(app: &App, operation: &'static str, mut facts: Facts) -> Option<Applied> {
    let needs = app.faults.with(|s| s.needs(operation));
    if !needs.any {
        return None;
    }
    if (needs.pool || needs.names) && facts.pool_id.is_none() {
        if let Some(c) = &facts.client_id {
            if let Ok(Some(client)) = app.store.get_client(c).await {
                facts.pool_id = client.user_pool_id.clone();
            }
        }
    }
    let mut names = Vec::new();
    if needs.names {
        let pool = match &facts.pool_id {
            Some(p) => app.store.get_pool(p).await.ok().flatten(),
            None => None,
        };
        let ctx = Ctx::new(app, operation, RequestInfo::default());
        for name in &facts.carried {
            names.push(name.clone());
            if let Some(pool) = &pool {
                if let Ok(Some(u)) = resolve_user(&ctx, pool, name).await {
                    names_of(&u, &mut names);
                }
            }
        }
    }
    let call = Call {
        operation,
        user_pool_id: facts.pool_id.as_deref(),
        client_id: facts.client_id.as_deref(),
        names: &names,
    };
    let applied = app.faults.with(|s| s.take(&call))?;
    if applied.latency_ms > 0 {
        // Real time on purpose: the point is a slow answer the client can see.
        tokio::time::sleep(std::time::Duration::from_millis(applied.latency_ms)).await;
    }
    Some(applied)
}

/// The rule that applies to a JSON 1.1 call, if any, after its latency.
pub async fn api_call(app: &App, operation: &'static str, body: &Value) -> Option<Applied> {
    if !app.faults.active() {
        return None;
    }
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let claims = body
        .get("AccessToken")
        .and_then(Value::as_str)
        .and_then(peek_claims)
        .unwrap_or(Value::Null);
    let pool_from_token = text(&claims, "iss").and_then(|i| i.rsplit('/').next().map(String::from));
    let mut carried = Vec::new();
    for v in [
        text(body, "Username"),
        body.get("AuthParameters").and_then(|p| text(p, "USERNAME")),
        body.get("ChallengeResponses")
            .and_then(|p| text(p, "USERNAME")),
        text(&claims, "username"),
    ]
    .into_iter()
    .flatten()
    {
        if !carried.contains(&v) {
            carried.push(v);
        }
    }
    let facts = Facts {
        pool_id: text(body, "UserPoolId").or(pool_from_token),
        client_id: text(body, "ClientId").or_else(|| text(&claims, "client_id")),
        carried,
    };
    decide(app, operation, facts).await
}

/// The injected error of a JSON 1.1 call, written like every other exception.
pub fn api_error(applied: &Applied) -> Option<(ApiError, StatusCode)> {
    let e = applied.error.as_ref()?;
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    Some((ApiError::new(e.error_type, e.message.clone()), status))
}

/// The fault rule that applied to an OAuth 2.0 call, as a response extension for the request log.
#[derive(Debug, Clone)]
pub struct AppliedFault(pub String);

/// Middleware on the OAuth 2.0 endpoints: the operation is the path (`oauth2/token`, `login`...).
pub async fn oauth(State(app): State<App>, req: Request, next: Next) -> Response {
    if !app.faults.active() {
        return next.run(req).await;
    }
    let path = req.uri().path().trim_start_matches('/').to_string();
    let Some(operation) = crate::domain::faults::OAUTH_OPERATIONS
        .iter()
        .find(|o| **o == path)
        .copied()
    else {
        return next.run(req).await;
    };
    if !app.faults.with(|s| s.needs(operation)).any {
        return next.run(req).await;
    }
    // The client and user are in the query, the form body or the Basic header: read the body
    // (bounded like the API's) and hand it on unchanged.
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, super::awsjson::MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response(),
    };
    let mut form = super::oauth2::parse_form(parts.uri.query().unwrap_or("").as_bytes());
    for (k, v) in super::oauth2::parse_form(&bytes) {
        form.entry(k).or_insert(v);
    }
    let basic_client = super::oauth2::basic_credentials(&parts.headers).map(|(id, _)| id);
    let bearer_claims = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(peek_claims)
        .unwrap_or(Value::Null);
    let claim = |k: &str| {
        bearer_claims
            .get(k)
            .and_then(Value::as_str)
            .map(String::from)
    };
    let facts = Facts {
        pool_id: None,
        client_id: form
            .get("client_id")
            .cloned()
            .or(basic_client)
            .or_else(|| claim("client_id")),
        carried: form
            .get("username")
            .cloned()
            .or_else(|| claim("username"))
            .into_iter()
            .collect(),
    };
    let applied = decide(&app, operation, facts).await;
    let mark = |mut r: Response| {
        if let Some(a) = &applied {
            r.extensions_mut().insert(AppliedFault(a.rule_id.clone()));
        }
        r
    };
    if let Some(e) = applied.as_ref().and_then(|a| a.error.as_ref()) {
        let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
        // As the token endpoint writes its errors (Cognito Developer Guide, "Token endpoint").
        return mark(
            (
                status,
                [(header::CACHE_CONTROL, "no-store")],
                axum::Json(json!({"error": e.error_type, "error_description": e.message})),
            )
                .into_response(),
        );
    }
    mark(
        next.run(Request::from_parts(parts, Body::from(bytes)))
            .await,
    )
}

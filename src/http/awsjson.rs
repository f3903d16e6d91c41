//! The AWS JSON 1.1 protocol (`jsonVersion` and `targetPrefix` of `model/service-2.json`): `POST /`
//! with `X-Amz-Target:
//! AWSCognitoIdentityProviderService.<Operation>`, the body validated against the vendored model,
//! dispatched to the operation table, and every outcome written as Cognito writes it.

use crate::error::ApiError;
use crate::model::{catalog, validate};
use crate::ops;
use crate::state::{App, Ctx, RequestInfo};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// Requests larger than this are refused before parsing.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub async fn handle(State(app): State<App>, req: Request) -> Response {
    let started = std::time::Instant::now();
    let arrived = app.clock.now();
    let mut seen = Seen::default();
    let log = app.clone();
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = req.into_parts();
    let target = target(&parts.headers);
    let region = signed_region(&parts.headers);
    let base = parts
        .extensions
        .get::<crate::state::RequestBase>()
        .map(|b| b.0.clone());
    let span = tracing::info_span!("request", op = %target.as_deref().unwrap_or("-"), request_id = %request_id);
    let result = async {
        let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(b) => b,
            Err(_) => return Err(too_large()),
        };
        call(
            app,
            target.as_deref(),
            bytes,
            request_id.clone(),
            region,
            base,
            &mut seen,
        )
        .await
    }
    .instrument(span.clone())
    .await;
    let error_type = result.as_ref().err().map(|(e, _)| e.code.to_string());
    let mut resp = match result {
        Ok(body) => {
            let _e = span.enter();
            tracing::debug!("ok");
            let mut r = (StatusCode::OK, body).into_response();
            r.headers_mut().insert(
                "content-type",
                HeaderValue::from_static("application/x-amz-json-1.1"),
            );
            r
        }
        // Logged once, with the request's target, by `http::log_errors`.
        Err((err, status)) => {
            let mut r = err.into_response();
            if let Some(s) = status {
                *r.status_mut() = s;
            }
            if status == Some(StatusCode::PAYLOAD_TOO_LARGE) {
                // The rest of the body is not read, so the connection cannot carry another
                // request: say so, or a keep-alive client sends its next request into a
                // connection that is closing (RFC 9112 section 9.6, "Connection: close").
                r.headers_mut().insert(
                    axum::http::header::CONNECTION,
                    HeaderValue::from_static("close"),
                );
            }
            r
        }
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    log.requests.push(crate::state::RequestRecord {
        time: arrived,
        operation: seen.operation.unwrap_or_else(|| "-".to_string()),
        user_pool_id: seen.user_pool_id,
        client_id: seen.client_id,
        username: seen.username,
        status: resp.status().as_u16(),
        error_type,
        latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        fault_id: seen.fault_id,
    });
    resp
}

/// What the request log keeps of a call: the names it carries, never its secrets (passwords,
/// codes, tokens, SRP values and sessions are not read).
#[derive(Default)]
struct Seen {
    operation: Option<String>,
    user_pool_id: Option<String>,
    client_id: Option<String>,
    username: Option<String>,
    fault_id: Option<String>,
}

/// Longest name the log keeps (the model's longest username, client id and pool id fit).
const MAX_LOGGED: usize = 128;

impl Seen {
    fn names(&mut self, body: &serde_json::Value) {
        let text = |v: Option<&serde_json::Value>| {
            v.and_then(serde_json::Value::as_str)
                .map(|s| s.chars().take(MAX_LOGGED).collect::<String>())
        };
        self.user_pool_id = text(body.get("UserPoolId"));
        self.client_id = text(body.get("ClientId"));
        self.username = text(body.get("Username"))
            .or_else(|| text(body.get("AuthParameters").and_then(|p| p.get("USERNAME"))))
            .or_else(|| {
                text(
                    body.get("ChallengeResponses")
                        .and_then(|p| p.get("USERNAME")),
                )
            });
    }
}

/// POSTs to other paths that carry an `X-Amz-Target` are API calls too; anything else is a 404.
pub async fn fallback(State(app): State<App>, req: Request) -> Response {
    if req.method() == Method::POST && req.headers().contains_key("x-amz-target") {
        return handle(State(app), req).await;
    }
    (StatusCode::NOT_FOUND, Body::from("Not Found")).into_response()
}

fn target(h: &HeaderMap) -> Option<String> {
    h.get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
}

/// The region of a SigV4 `Authorization` header's credential scope
/// (`Credential=AKID/20260101/eu-west-1/cognito-idp/aws4_request`; AWS General Reference,
/// "Signature Version 4 signing process"). The signature itself is not checked.
fn signed_region(h: &HeaderMap) -> Option<String> {
    let auth = h.get("authorization")?.to_str().ok()?;
    let scope = auth.split("Credential=").nth(1)?;
    let scope = scope.split([',', ' ']).next()?;
    let region = scope.split('/').nth(2)?;
    crate::ids::is_region(region).then(|| region.to_string())
}

fn too_large() -> (ApiError, Option<StatusCode>) {
    (
        ApiError::invalid_parameter(format!(
            "Request body exceeds the maximum size of {MAX_BODY_BYTES} bytes."
        )),
        Some(StatusCode::PAYLOAD_TOO_LARGE),
    )
}

async fn call(
    app: App,
    target: Option<&str>,
    bytes: Bytes,
    request_id: String,
    region: Option<String>,
    base: Option<std::sync::Arc<str>>,
    seen: &mut Seen,
) -> Result<Vec<u8>, (ApiError, Option<StatusCode>)> {
    let plain = |e: ApiError| (e, None);
    let name = target
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
        .ok_or_else(|| plain(ApiError::unknown_operation()))?;
    seen.operation = Some(name.chars().take(MAX_LOGGED).collect());
    let op = catalog::operation(name).ok_or_else(|| plain(ApiError::unknown_operation()))?;
    let body: serde_json::Value = if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        serde_json::Value::Object(Default::default())
    } else {
        serde_json::from_slice(&bytes).map_err(|_| {
            plain(ApiError::serialization(
                "Unable to parse the request body as JSON",
            ))
        })?
    };
    seen.names(&body);
    validate::validate_input(op, &body).map_err(|e| {
        plain(match e {
            validate::InputError::Serialization(m) => ApiError::serialization(m),
            validate::InputError::InvalidParameter(m) => ApiError::invalid_parameter(m),
        })
    })?;
    // Latency is added before the operation runs; an injected error replaces its answer.
    if let Some(applied) = super::inject::api_call(&app, op.name, &body).await {
        seen.fault_id = Some(applied.rule_id.clone());
        if let Some((e, status)) = super::inject::api_error(&applied) {
            return Err((e, Some(status)));
        }
    }
    let request = RequestInfo {
        region,
        base_url: base,
        ..RequestInfo::of(op.name, &body)
    };
    let ctx = Ctx {
        app,
        request_id,
        operation: op.name,
        request: std::sync::Arc::new(request),
    };
    match ops::dispatch(op.name, ctx, body) {
        Some(fut) => fut.await.map_err(plain),
        None => Err(plain(ApiError::not_implemented(op.name))),
    }
}

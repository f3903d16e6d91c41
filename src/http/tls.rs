//! What the router knows about the HTTPS listener (src/app/tls.rs): the mark it puts on every
//! request that arrived over TLS, which makes the URLs in tokens, discovery and OAuth2 answers
//! name `https://HOST` as the client used it, and `GET /_emulator/tls/ca.pem`.

use crate::state::{self, App};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use std::sync::Arc;

/// Inserted by the HTTPS listener into each request it serves.
#[derive(Debug, Clone)]
pub struct ViaTls {
    /// `https://HOST:PORT` of the listener, for a request that names no host (HTTP/1.0).
    pub fallback_base: Arc<str>,
}

/// The emulator's CA certificate for `GET /_emulator/tls/ca.pem`, or why there is none.
#[derive(Debug, Clone)]
pub enum TlsCa {
    Pem(Arc<str>),
    /// HTTPS is on with the user's own certificate (`--tls-cert`).
    UserCertificate,
    /// No `--tls-port`: no CA is made or read.
    Off,
}

/// Runs the request with the base URL its answers must name. Without `--external-url`, Cognito's
/// URLs follow the host the client called (`https://cognito-idp.REGION.amazonaws.com/POOL_ID`
/// is the issuer: Developer Guide, "Verifying a JSON web token"), so a request over TLS gets
/// `https://` + its Host (or HTTP/2 `:authority`); `--external-url` wins for both listeners.
pub async fn request_base(State(app): State<App>, mut req: Request, next: Next) -> Response {
    let Some(via) = req.extensions().get::<ViaTls>() else {
        return next.run(req).await;
    };
    if app.config.external_url.is_some() {
        return next.run(req).await;
    }
    let authority = req
        .uri()
        .authority()
        .map(|a| a.as_str().to_string())
        .or_else(|| {
            req.headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
        })
        .filter(|a| state::is_url_authority(a));
    let base: Arc<str> = match authority {
        Some(a) => format!("https://{a}").into(),
        None => via.fallback_base.clone(),
    };
    req.extensions_mut().insert(state::RequestBase(base));
    next.run(req).await
}

/// `GET /_emulator/tls/ca.pem`: the CA to install on a device or pass to a client as its trust
/// root, served on both listeners so it can be fetched before anything trusts it.
pub async fn ca_pem(ca: Option<Extension<TlsCa>>) -> Response {
    let not_found = |message: &str| {
        (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({ "message": message })),
        )
            .into_response()
    };
    match ca.map(|Extension(ca)| ca).unwrap_or(TlsCa::Off) {
        TlsCa::Pem(pem) => (
            [(header::CONTENT_TYPE, "application/x-pem-file")],
            pem.to_string(),
        )
            .into_response(),
        TlsCa::UserCertificate => not_found(
            "HTTPS serves the certificate given with --tls-cert; the emulator's own CA is not used",
        ),
        TlsCa::Off => not_found("HTTPS is off: start the emulator with --tls-port to make its CA"),
    }
}

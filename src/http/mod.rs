//! HTTP surface: the cognito-idp JSON 1.1 endpoint, the well-known documents and `/_emulator/*`.

pub mod awsjson;
pub mod emulator;
pub mod import_upload;
pub mod oauth2;
pub mod triggers;
pub mod wellknown;

use crate::error::InternalCause;
use crate::state::App;
use axum::extract::Request;
use axum::http::{header, HeaderName, Method};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use std::time::Duration;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

pub fn router(app: App) -> Router {
    // Browser SDKs call with fetch in cors mode and may include credentials: see
    // amazon-cognito-identity-js `Client.js` and amplify-js
    // `packages/core/src/clients/handlers/fetch.ts`.
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            HeaderName::from_static("x-amzn-requestid"),
            HeaderName::from_static("x-amzn-errortype"),
            HeaderName::from_static("x-amzn-errormessage"),
            header::DATE,
        ])
        .max_age(Duration::from_secs(86400));
    Router::new()
        .route("/", post(awsjson::handle))
        .route("/{pool_id}/.well-known/jwks.json", get(wellknown::jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(wellknown::openid_configuration),
        )
        .nest("/_emulator", emulator::router())
        .merge(oauth2::router())
        // Some clients post the JSON API to a path of their own; the target header decides.
        .fallback(awsjson::fallback)
        .layer(axum::middleware::from_fn(log_errors))
        .layer(cors)
        .with_state(app)
}

/// The one place errors are logged: every error answer once, an internal error with its cause
/// (which the client never sees), others at info level with the exception the client got.
async fn log_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let resp = next.run(req).await;
    if let Some(InternalCause(cause)) = resp.extensions().get::<InternalCause>() {
        tracing::error!(%method, %path, target = target.as_deref().unwrap_or("-"), %cause, "internal error");
    } else if resp.status().is_client_error() || resp.status().is_server_error() {
        let error = resp
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info!(%method, %path, target = target.as_deref().unwrap_or("-"), status = resp.status().as_u16(), error, "error answer");
    }
    resp
}

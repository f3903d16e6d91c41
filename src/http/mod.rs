//! HTTP surface: the cognito-idp JSON 1.1 endpoint, the well-known documents and `/_emulator/*`.

pub mod awsjson;
pub mod emulator;
pub mod import_upload;
pub mod inject;
pub mod oauth2;
pub mod tls;
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
        .route("/_emulator/tls/ca.pem", get(tls::ca_pem))
        .nest("/_emulator", emulator::router())
        .merge(
            oauth2::router()
                .route_layer(axum::middleware::from_fn_with_state(
                    app.clone(),
                    inject::oauth,
                ))
                .route_layer(axum::middleware::from_fn_with_state(
                    app.clone(),
                    emulator::requests::record_oauth,
                )),
        )
        // Some clients post the JSON API to a path of their own; the target header decides.
        .fallback(awsjson::fallback)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            tls::request_base,
        ))
        .layer(axum::middleware::from_fn(log_errors))
        .layer(cors)
        .with_state(app)
}

/// The one place errors are logged: every error answer once, an internal error with its cause
/// (which the client never sees), others at info level with the exception the client got.
async fn log_errors(req: Request, next: Next) -> Response {
    // Cheap clones (shared buffers): this runs on every request.
    let method = req.method().clone();
    let uri = req.uri().clone();
    let target = req.headers().get("x-amz-target").cloned();
    let resp = next.run(req).await;
    let status = resp.status();
    // An internal error may also be answered with a redirect (the hosted UI's server_error).
    let cause = resp.extensions().get::<InternalCause>();
    if cause.is_none() && !status.is_client_error() && !status.is_server_error() {
        return resp;
    }
    let path = uri.path();
    let target = target.as_ref().and_then(|v| v.to_str().ok()).unwrap_or("-");
    if let Some(InternalCause(cause)) = cause {
        tracing::error!(%method, path, target, %cause, "internal error");
    } else {
        let error = resp
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info!(%method, path, target, status = status.as_u16(), error, "error answer");
    }
    resp
}

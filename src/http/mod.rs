//! HTTP surface: the cognito-idp JSON 1.1 endpoint, the well-known documents and `/_emulator/*`.

pub mod awsjson;
pub mod emulator;
pub mod import_upload;
pub mod oauth2;
pub mod triggers;
pub mod wellknown;

use crate::state::App;
use axum::http::{header, HeaderName, Method};
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
        .layer(cors)
        .with_state(app)
}

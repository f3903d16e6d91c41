//! JWKS and OpenID discovery per pool (Cognito Developer Guide, "Verifying a JSON web token").

use crate::state::{App, RequestBase};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use serde_json::json;

async fn known_pool(app: &App, pool_id: &str) -> Result<(), Response> {
    match app.store.pool_exists(pool_id).await {
        Ok(true) => Ok(()),
        Ok(false) => Err((
            StatusCode::NOT_FOUND,
            Json(json!({"message": format!("User pool {pool_id} does not exist.")})),
        )
            .into_response()),
        Err(e) => Err(crate::error::ApiError::from(e).into_response()),
    }
}

pub async fn jwks(State(app): State<App>, Path(pool_id): Path<String>) -> Response {
    if let Err(r) = known_pool(&app, &pool_id).await {
        return r;
    }
    // Make sure the keys exist so a verifier can fetch them before the first sign-in.
    if let Err(e) = app.pool_keys(&pool_id).await {
        return e.into_response();
    }
    match app.store.signing_keys(&pool_id).await {
        Ok(keys) => {
            let keys: Vec<_> = keys.iter().map(crate::crypto::jwt::jwk).collect();
            Json(json!({ "keys": keys })).into_response()
        }
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

pub async fn openid_configuration(
    State(app): State<App>,
    Path(pool_id): Path<String>,
    base: Option<Extension<RequestBase>>,
) -> Response {
    let base_url = base.map(|Extension(RequestBase(b))| b);
    if let Err(r) = known_pool(&app, &pool_id).await {
        return r;
    }
    let issuer = app.issuer(base_url.as_deref(), &pool_id);
    let base = app.base_url(base_url.as_deref());
    Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "end_session_endpoint": format!("{base}/logout"),
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
    .into_response()
}

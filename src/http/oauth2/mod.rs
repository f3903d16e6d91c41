//! The OAuth 2.0 / hosted UI endpoints of a user pool (Cognito Developer Guide, the endpoint pages
//! "Authorize endpoint", "Token endpoint" and the others), served on the emulator's own
//! listener: `/oauth2/token`, `/oauth2/authorize`, `/login` (and the step pages of `hosted`, the
//! sign-up and password-reset pages of `selfservice`),
//! `/oauth2/userInfo`, `/oauth2/revoke`, `/logout`. On AWS they live on the pool's domain; here every request names its app client
//! (`client_id`, the Basic header, or a token that carries it), and the client names the pool.

pub mod authorize;
pub mod confirm_link;
pub mod federation;
pub mod hosted;
pub mod oidc;
pub mod selfservice;
pub mod token;
pub mod userinfo;

use crate::model::shapes::{UserPoolClientType, UserPoolType};
use crate::state::App;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::collections::HashMap;
use std::sync::Arc;

pub fn router() -> Router<App> {
    Router::new()
        .route("/oauth2/token", post(token::token))
        .route("/oauth2/revoke", post(token::revoke))
        .route("/oauth2/authorize", get(authorize::authorize))
        .route("/oauth2/idpresponse", get(federation::idp_response))
        .route("/login", get(authorize::login_page).post(authorize::login))
        .route("/forceChangePassword", post(hosted::answer))
        .route("/mfa", post(hosted::answer))
        .route("/mfaSetup", post(hosted::answer))
        .route(hosted::CHOICE_PATH, post(hosted::answer))
        .route(hosted::PASSKEY_ADD_PATH, post(hosted::add_passkey))
        .route(
            "/signup",
            get(selfservice::sign_up_page).post(selfservice::sign_up),
        )
        // The sign-up form posts the code; a link-mode email's link gets it (confirm_link).
        .route(
            "/confirmUser",
            get(confirm_link::confirm_user).post(selfservice::confirm_user),
        )
        .route(
            "/forgotPassword",
            get(selfservice::forgot_password_page).post(selfservice::forgot_password),
        )
        .route(
            "/confirmForgotPassword",
            post(selfservice::confirm_forgot_password),
        )
        .route("/logout", get(authorize::logout))
        .route("/error", get(authorize::error_page))
        .route(
            "/oauth2/userInfo",
            get(userinfo::user_info).post(userinfo::user_info),
        )
}

/// `a=1&b=2` (query string or form body) as a map; the first of repeated names wins.
pub fn parse_form(text: &[u8]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (k, v) in form_urlencoded::parse(text) {
        map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    map
}

/// `pairs` as `application/x-www-form-urlencoded`.
pub fn encode_form<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// `{"error": "..."}` with the status the endpoint uses for it.
pub fn oauth_error(status: StatusCode, error: &str) -> Response {
    let mut r = (status, Json(serde_json::json!({ "error": error }))).into_response();
    no_store(r.headers_mut());
    r
}

/// Token responses must not be cached (RFC 6749 5.1).
pub fn no_store(h: &mut HeaderMap) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// A 302 to `location`.
pub fn redirect(location: &str) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// `uri` with `query` appended (`?` or `&`).
pub fn with_query(uri: &str, query: &str) -> String {
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{query}")
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The `client_id` and secret of an `Authorization: Basic` header (RFC 6749, section 2.3.1);
/// None when there is no such header or it does not decode to `id:secret`.
pub fn basic_credentials(headers: &axum::http::HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let (id, secret) = String::from_utf8(decoded)
        .ok()?
        .split_once(':')
        .map(|(i, s)| (i.to_string(), s.to_string()))?;
    Some((id, secret))
}

/// The app client a request names and its pool; None when either does not exist.
pub async fn client_and_pool(
    app: &App,
    client_id: &str,
) -> Result<Option<(Arc<UserPoolClientType>, Arc<UserPoolType>)>, Response> {
    if client_id.is_empty() {
        return Ok(None);
    }
    let internal = |e: sqlx::Error| crate::error::ApiError::from(e).into_response();
    let Some(client) = app.store.get_client(client_id).await.map_err(internal)? else {
        return Ok(None);
    };
    let pool_id = client.user_pool_id.clone().unwrap_or_default();
    let Some(pool) = app.store.get_pool(&pool_id).await.map_err(internal)? else {
        return Ok(None);
    };
    Ok(Some((client, pool)))
}

/// The client's current secrets: one, or two while a secret is being rotated (stored joined by
/// spaces, which a secret never contains).
pub fn client_secrets(client: &UserPoolClientType) -> Vec<&str> {
    client
        .client_secret
        .as_deref()
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether `provided` is one of the client's secrets, compared in constant time.
pub fn secret_matches(client: &UserPoolClientType, provided: &str) -> bool {
    client_secrets(client).iter().any(|s| {
        let equal: bool = subtle::ConstantTimeEq::ct_eq(s.as_bytes(), provided.as_bytes()).into();
        equal
    })
}

/// Whether the client may use `flow` (code, implicit, client_credentials) at these endpoints.
pub fn allows_oauth_flow(client: &UserPoolClientType, flow: &str) -> bool {
    client.allowed_oauth_flows_user_pool_client == Some(true)
        && client
            .allowed_oauth_flows
            .as_ref()
            .is_some_and(|f| f.iter().any(|x| x == flow))
}

pub fn allowed_scopes(client: &UserPoolClientType) -> Vec<String> {
    client.allowed_oauth_scopes.clone().unwrap_or_default()
}

/// A named cookie from the request's Cookie headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The hosted UI's session cookie of a pool: one per pool, as every pool has its own domain on AWS.
pub fn session_cookie_name(pool_id: &str) -> String {
    format!("cognito-emulator-session-{pool_id}")
}

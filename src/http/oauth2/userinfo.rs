//! `GET`/`POST /oauth2/userInfo` (Cognito Developer Guide, "UserInfo endpoint"; POST
//! **[B: not verified against AWS]**): the signed-in user's attributes for an access token that
//! carries `openid`, limited by its other scopes.

use super::oauth_error;
use crate::model::shapes::UserPoolType;
use crate::state::App;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

/// `401` with `WWW-Authenticate: error="invalid_token"` [DG userInfo endpoint].
fn invalid_token(description: &str) -> Response {
    let mut r = (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": "invalid_token", "error_description": description})),
    )
        .into_response();
    let challenge = format!("error=\"invalid_token\", error_description=\"{description}\"");
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

const REVOKED: &str =
    "Access token is expired, disabled, or deleted, or the user has globally signed out.";

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The OIDC `profile` claims.
const PROFILE: [&str; 14] = [
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
];

/// Whether the token's scopes release an attribute the client may read [DG userInfo endpoint]:
/// `openid` alone releases all of them; with `profile`, `email` or `phone` only those scopes'
/// claims (`profile`: the OIDC profile claims and custom attributes). `aws.cognito.signin.user.admin`
/// changes nothing. `sub` and `username` are always there. Values are strings, `email_verified`
/// included (`"true"`) **[B]**.
fn released(
    pool: &UserPoolType,
    client_read: Option<&Vec<String>>,
    name: &str,
    scopes: &[&str],
) -> bool {
    if name.starts_with("dev:") {
        return false;
    }
    let readable = match client_read.filter(|r| !r.is_empty()) {
        Some(list) => list.iter().any(|r| r == name),
        None => crate::domain::pool::PoolExt::schema_attribute(pool, name)
            .is_none_or(|a| a.developer_only_attribute != Some(true)),
    };
    if !readable {
        return false;
    }
    let has = |s: &str| scopes.contains(&s);
    if !has("profile") && !has("email") && !has("phone") {
        return true;
    }
    match name {
        "email" | "email_verified" => has("email"),
        "phone_number" | "phone_number_verified" => has("phone"),
        _ => has("profile") && (PROFILE.contains(&name) || name.starts_with("custom:")),
    }
}

pub async fn user_info(
    State(app): State<App>,
    headers: HeaderMap,
    base: Option<axum::Extension<crate::state::RequestBase>>,
) -> Response {
    let base = base.map(|axum::Extension(crate::state::RequestBase(b))| b);
    let Some(token) = bearer(&headers) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let Some(iss) = crate::tokens::unverified_payload(token)
        .and_then(|c| c.get("iss").and_then(Value::as_str).map(str::to_string))
    else {
        return invalid_token("Invalid access token");
    };
    let pool_id = iss.rsplit('/').next().unwrap_or_default().to_string();
    if !app.is_own_issuer(&iss, &pool_id, base.as_deref()) {
        return invalid_token("Invalid access token");
    }
    let pool = match app.store.get_pool(&pool_id).await {
        Ok(Some(p)) => p,
        Ok(None) => return invalid_token("Invalid access token"),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let keys = match app.pool_keys(&pool_id).await {
        Ok(k) => k,
        Err(e) => return e.into_response(),
    };
    let Some(claims) = keys.access.verify(token) else {
        return invalid_token("Invalid access token");
    };
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or_default();
    if text("token_use") != "access" {
        return invalid_token("Invalid access token");
    }
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if app.clock.unix() >= exp {
        return invalid_token(REVOKED);
    }
    let scopes: Vec<&str> = text("scope").split(' ').collect();
    if !scopes.contains(&"openid") {
        // [B] text.
        return invalid_token("Access token does not contain openid scope");
    }
    let origin = claims.get("origin_jti").and_then(Value::as_str);
    let user = match app
        .store
        .get_token_user(&pool_id, text("sub"), origin)
        .await
    {
        Ok(Some((u, false))) if u.enabled => u,
        Ok(_) => return invalid_token(REVOKED),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let iat = claims.get("iat").and_then(Value::as_f64).unwrap_or(0.0);
    if user.tokens_valid_after.is_some_and(|t| iat < t.floor()) {
        return invalid_token(REVOKED);
    }
    let client = match app.store.get_client(text("client_id")).await {
        Ok(c) => c,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let read = client.as_ref().and_then(|c| c.read_attributes.as_ref());
    let mut body = Map::new();
    body.insert("sub".into(), user.sub.clone().into());
    for (name, value) in &user.attributes {
        if released(&pool, read, name, &scopes) {
            body.insert(name.clone(), value.clone().into());
        }
    }
    body.insert("username".into(), user.username.clone().into());
    Json(Value::Object(body)).into_response()
}

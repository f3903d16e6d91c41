//! `POST /oauth2/token` (client_credentials, refresh_token, authorization_code with PKCE) and
//! `POST /oauth2/revoke` (Cognito Developer Guide, "Token endpoint" and "Revoke endpoint").
//!
//! Errors are `400 {"error": "..."}` for every token-endpoint failure, as the developer guide's
//! token endpoint page lists them (invalid_request, invalid_client, invalid_grant,
//! unauthorized_client, unsupported_grant_type) **[B: status of invalid_client]**; the revocation
//! endpoint answers invalid_client with 401 [DG].

use super::{
    allowed_scopes, allows_oauth_flow, client_and_pool, no_store, oauth_error, parse_form,
    secret_matches,
};
use crate::domain::client::ClientExt;
use crate::domain::pool::PoolExt;
use crate::error::ApiError;
use crate::model::shapes::{AuthenticationResultType, UserPoolClientType, UserPoolType};
use crate::ops::auth::refresh;
use crate::ops::auth::SecretProof;
use crate::state::{App, Ctx, RequestBase};
use crate::tokens::{self, OAuthGrant, Subject};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

fn bad(error: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, error)
}

fn internal(e: ApiError) -> Response {
    e.into_response()
}

/// The client a token or revocation request authenticates as: `Authorization: Basic
/// base64(client_id:client_secret)` (client_secret_basic) or `client_id` [+ `client_secret`] in
/// the body (client_secret_post; public clients). Err is the OAuth error code.
struct ClientAuth {
    client_id: String,
    secret: Option<String>,
}

fn client_auth(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<ClientAuth, &'static str> {
    let form_id = form.get("client_id").filter(|s| !s.is_empty());
    if headers.contains_key(header::AUTHORIZATION) {
        let (id, secret) = super::basic_credentials(headers).ok_or("invalid_client")?;
        // Two different client ids in one request: which one authenticates is ambiguous.
        if form_id.is_some_and(|f| *f != id) {
            return Err("invalid_client");
        }
        return Ok(ClientAuth {
            client_id: id,
            secret: Some(secret).filter(|s| !s.is_empty()),
        });
    }
    let Some(id) = form_id else {
        return Err("invalid_client");
    };
    Ok(ClientAuth {
        client_id: id.clone(),
        secret: form.get("client_secret").filter(|s| !s.is_empty()).cloned(),
    })
}

/// The authenticated client and its pool, or the error response.
async fn authenticate(
    app: &App,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
    status: StatusCode,
) -> Result<(Arc<UserPoolClientType>, Arc<UserPoolType>, Option<String>), Response> {
    let auth = client_auth(headers, form).map_err(|e| oauth_error(status, e))?;
    let Some((client, pool)) = client_and_pool(app, &auth.client_id).await? else {
        return Err(oauth_error(status, "invalid_client"));
    };
    let ok = match (&auth.secret, super::client_secrets(&client).is_empty()) {
        (None, true) => true,
        (Some(s), false) => secret_matches(&client, s),
        // A confidential client without its secret, or a secret for a public client.
        _ => false,
    };
    if !ok {
        return Err(oauth_error(status, "invalid_client"));
    }
    Ok((client, pool, auth.secret))
}

fn token_response(result: &AuthenticationResultType) -> Response {
    let mut body = Map::new();
    if let Some(id) = &result.id_token {
        body.insert("id_token".into(), id.clone().into());
    }
    if let Some(a) = &result.access_token {
        body.insert("access_token".into(), a.clone().into());
    }
    if let Some(r) = &result.refresh_token {
        body.insert("refresh_token".into(), r.clone().into());
    }
    body.insert(
        "expires_in".into(),
        result.expires_in.unwrap_or(3600).into(),
    );
    body.insert("token_type".into(), "Bearer".into());
    let mut r = Json(Value::Object(body)).into_response();
    no_store(r.headers_mut());
    r
}

pub async fn token(
    State(app): State<App>,
    headers: HeaderMap,
    base: Option<Extension<RequestBase>>,
    body: Bytes,
) -> Response {
    let base = base.map(|Extension(RequestBase(b))| b);
    let form = parse_form(&body);
    let (client, pool, secret) =
        match authenticate(&app, &headers, &form, StatusCode::BAD_REQUEST).await {
            Ok(found) => found,
            Err(r) => return r,
        };
    match form.get("grant_type").map(String::as_str) {
        None | Some("") => bad("invalid_request"),
        Some("client_credentials") => {
            client_credentials(&app, &pool, &client, &form, base.as_deref()).await
        }
        Some("refresh_token") => {
            refresh_grant(&app, &pool, &client, secret.as_deref(), &form, base).await
        }
        Some("authorization_code") => authorization_code(&app, &pool, &client, &form, base).await,
        Some(_) => bad("unsupported_grant_type"),
    }
}

// ---------------------------------------------------------------------------------------------
// client_credentials
// ---------------------------------------------------------------------------------------------

/// The custom (resource server) scopes granted: the requested ones the client allows, unknown
/// ones ignored [DG token endpoint]; none requested = all the client's custom scopes. None when
/// nothing is left to grant.
fn machine_scopes(client: &UserPoolClientType, requested: Option<&str>) -> Option<String> {
    let allowed: Vec<String> = allowed_scopes(client)
        .into_iter()
        .filter(|s| s.contains('/'))
        .collect();
    let granted: Vec<String> = match requested.map(str::trim).filter(|s| !s.is_empty()) {
        Some(req) => {
            let mut out: Vec<String> = Vec::new();
            for s in req.split(' ').filter(|s| !s.is_empty()) {
                if allowed.iter().any(|a| a == s) && !out.iter().any(|o| o == s) {
                    out.push(s.to_string());
                }
            }
            out
        }
        None => allowed,
    };
    (!granted.is_empty()).then(|| granted.join(" "))
}

/// The claims of a machine-to-machine access token: no user, so `sub` is the client id, with the
/// granted scopes and `version` 2 **[B: claim set from AWS samples]**.
pub fn machine_claims(
    issuer: &str,
    client: &UserPoolClientType,
    scope: &str,
    now: i64,
    jti: &str,
) -> Value {
    json!({
        "sub": client.id(),
        "token_use": "access",
        "scope": scope,
        "auth_time": now,
        "iss": issuer,
        "exp": now + client.access_token_seconds(),
        "iat": now,
        "version": 2,
        "jti": jti,
        "client_id": client.id(),
    })
}

async fn client_credentials(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    form: &HashMap<String, String>,
    base: Option<&str>,
) -> Response {
    // Only confidential clients may use the grant: there is nothing else to authenticate.
    if super::client_secrets(client).is_empty() || !allows_oauth_flow(client, "client_credentials")
    {
        return bad("unauthorized_client");
    }
    let Some(scope) = machine_scopes(client, form.get("scope").map(String::as_str)) else {
        return bad("invalid_scope");
    };
    let keys = match app.pool_keys(pool.pool_id()).await {
        Ok(k) => k,
        Err(e) => return internal(e),
    };
    let now = app.clock.unix();
    let claims = machine_claims(
        &app.issuer(base, pool.pool_id()),
        client,
        &scope,
        now,
        &uuid::Uuid::new_v4().to_string(),
    );
    match keys.access.sign(&claims) {
        Ok(token) => token_response(&AuthenticationResultType {
            access_token: Some(token),
            expires_in: Some(client.access_token_seconds()),
            ..Default::default()
        }),
        Err(e) => internal(ApiError::internal(format!("signing a token: {e}"))),
    }
}

// ---------------------------------------------------------------------------------------------
// refresh_token
// ---------------------------------------------------------------------------------------------

async fn refresh_grant(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    secret: Option<&str>,
    form: &HashMap<String, String>,
    base: Option<Arc<str>>,
) -> Response {
    let Some(token) = form.get("refresh_token").filter(|t| !t.is_empty()) else {
        return bad("invalid_request");
    };
    if !client.allows("ALLOW_REFRESH_TOKEN_AUTH") {
        return bad("unauthorized_client");
    }

    // The same refresh as InitiateAuth REFRESH_TOKEN_AUTH / GetTokensFromRefreshToken: the
    // secret is already proven, so it is handed on as the raw ClientSecret.
    // Tokens minted here are TokenGeneration_RefreshTokens to a PreTokenGeneration trigger.
    let info = crate::state::RequestInfo {
        operation: "GetTokensFromRefreshToken".into(),
        client_id: Some(client.id().to_string()),
        base_url: base,
        ..Default::default()
    };
    let ctx = Ctx::new(app, "GetTokensFromRefreshToken", info);
    let refreshed = refresh(
        &ctx,
        pool,
        client,
        token,
        None,
        SecretProof::Raw(secret),
        true,
    );
    match refreshed.await {
        Ok(result) => token_response(&result),
        Err(e) if e.status().is_server_error() => internal(e),
        // Unknown, revoked, expired or reused tokens; users disabled or gone.
        Err(_) => bad("invalid_grant"),
    }
}

// ---------------------------------------------------------------------------------------------
// authorization_code
// ---------------------------------------------------------------------------------------------

/// PKCE S256: `base64url(SHA-256(code_verifier)) == code_challenge` (RFC 7636 4.6).
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let equal: bool =
        subtle::ConstantTimeEq::ct_eq(computed.as_bytes(), challenge.as_bytes()).into();
    equal
}

pub fn code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

async fn authorization_code(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    form: &HashMap<String, String>,
    base: Option<Arc<str>>,
) -> Response {
    if !allows_oauth_flow(client, "code") {
        return bad("unauthorized_client");
    }
    let (Some(code), Some(redirect_uri)) = (
        form.get("code").filter(|c| !c.is_empty()),
        form.get("redirect_uri").filter(|c| !c.is_empty()),
    ) else {
        return bad("invalid_request");
    };
    let hash = code_hash(code);
    let record = match app.store.get_oauth_code(&hash).await {
        Ok(r) => r,
        Err(e) => return internal(e.into()),
    };
    let now = app.clock.epoch();
    let Some(record) =
        record.filter(|r| r.client_id == client.id() && r.used_at.is_none() && now < r.expires_at)
    else {
        return bad("invalid_grant");
    };
    // A redirect_uri other than the one the code was issued for: Cognito answers
    // unauthorized_client here (the trailing-slash reports, stackoverflow.com/q/50264679).
    if record.redirect_uri != *redirect_uri {
        return bad("unauthorized_client");
    }
    if let Some(challenge) = &record.code_challenge {
        let Some(verifier) = form.get("code_verifier").filter(|v| !v.is_empty()) else {
            return bad("invalid_request");
        };
        if !pkce_matches(verifier, challenge) {
            return bad("invalid_grant");
        }
    }
    match app.store.use_oauth_code(&hash, now).await {
        Ok(true) => {}
        Ok(false) => return bad("invalid_grant"),
        Err(e) => return internal(e.into()),
    }
    let user = match app.store.get_user_by_sub(pool.pool_id(), &record.sub).await {
        Ok(Some(u)) if u.enabled => u,
        Ok(_) => return bad("invalid_grant"),
        Err(e) => return internal(e.into()),
    };
    let grant = OAuthGrant {
        scope: &record.scope,
        nonce: record.nonce.as_deref(),
    };
    match sign_in(
        &hosted_ctx(app, base),
        pool,
        client,
        &user,
        record.auth_time,
        &grant,
        true,
    )
    .await
    {
        Ok(result) => token_response(&result),
        Err(e) => internal(e),
    }
}

/// The context tokens of a hosted UI sign-in are minted in: outside any API operation (so
/// PreTokenGeneration sees TokenGeneration_HostedAuth), under the base URL the request used.
pub fn hosted_ctx(app: &App, base: Option<Arc<str>>) -> Ctx {
    let info = crate::state::RequestInfo {
        base_url: base,
        ..Default::default()
    };
    Ctx::new(app, "HostedAuth", info)
}

/// Tokens for a hosted UI sign-in: a fresh `origin_jti`, the grant's scopes, and (code grant) a
/// stored refresh token whose refreshes keep those scopes. `ctx` is [`hosted_ctx`]'s.
pub async fn sign_in(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: &crate::domain::records::UserRecord,
    auth_time: i64,
    grant: &OAuthGrant<'_>,
    with_refresh_token: bool,
) -> Result<AuthenticationResultType, ApiError> {
    let app = &ctx.app;
    let groups = app.store.groups_for_user(pool.pool_id(), &user.sub).await?;
    let subject = Subject {
        pool,
        client,
        user,
        groups: &groups,
    };
    let origin_jti = uuid::Uuid::new_v4().to_string();
    let mut result =
        tokens::mint_with(ctx, &subject, auth_time, &origin_jti, None, Some(grant)).await?;
    if with_refresh_token {
        let now = app.clock.epoch();
        let token = tokens::new_refresh_token();
        let record = tokens::refresh_record(
            &token,
            &subject,
            &origin_jti,
            auth_time,
            None,
            now,
            now + client.refresh_token_seconds() as f64,
        );
        app.store
            .insert_oauth_grant(&origin_jti, pool.pool_id(), client.id(), grant.scope, now)
            .await?;
        app.store.insert_refresh_token(&record).await?;
        result.refresh_token = Some(token);
    }
    Ok(result)
}

// ---------------------------------------------------------------------------------------------
// revoke
// ---------------------------------------------------------------------------------------------

/// `POST /oauth2/revoke`: RevokeToken's rules (`ops::auth::revoke_token`) with OAuth's errors.
pub async fn revoke(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let form = parse_form(&body);
    let (client, _pool, secret) =
        match authenticate(&app, &headers, &form, StatusCode::UNAUTHORIZED).await {
            Ok(found) => found,
            Err(r) => return r,
        };
    let Some(token) = form.get("token").filter(|t| !t.is_empty()) else {
        return bad("invalid_request");
    };
    let req = crate::model::shapes::RevokeTokenRequest {
        token: Some(token.clone()),
        client_id: Some(client.id().to_string()),
        client_secret: secret,
    };
    match crate::ops::auth::revoke_token(Ctx::new(&app, "RevokeToken", Default::default()), req)
        .await
    {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => match e.code {
            "UnsupportedTokenTypeException" => bad("unsupported_token_type"),
            "UnsupportedOperationException" => bad("invalid_request"),
            "UnauthorizedException" => oauth_error(StatusCode::UNAUTHORIZED, "invalid_client"),
            _ if e.status().is_server_error() => internal(e),
            _ => bad("invalid_request"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_is_base64url_sha256_of_the_verifier() {
        // Computed independently (Python hashlib + urlsafe_b64encode, padding stripped).
        let verifier = "dBjftJeZ4CVP-mJ92K9OrIGzN9Fh2DkO5Q7HcnRvC6GoQ_pY";
        assert!(pkce_matches(
            verifier,
            "-RwopDWb9crcfUhvkjdtm6nxsQ9wqcnIKz4-vGOFVTE"
        ));
        assert!(!pkce_matches(verifier, verifier));
        assert!(!pkce_matches(
            "",
            "-RwopDWb9crcfUhvkjdtm6nxsQ9wqcnIKz4-vGOFVTE"
        ));
    }

    #[test]
    fn machine_scopes_are_the_requested_custom_scopes_the_client_has() {
        let client = UserPoolClientType {
            allowed_oauth_scopes: Some(vec![
                "openid".into(),
                "api/read".into(),
                "api/write".into(),
            ]),
            ..Default::default()
        };
        assert_eq!(
            machine_scopes(&client, None).as_deref(),
            Some("api/read api/write")
        );
        assert_eq!(
            machine_scopes(&client, Some("api/write openid api/write x/y")).as_deref(),
            Some("api/write")
        );
        assert_eq!(machine_scopes(&client, Some("openid")), None);
        assert_eq!(machine_scopes(&UserPoolClientType::default(), None), None);
    }
}

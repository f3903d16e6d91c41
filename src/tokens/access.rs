//! Authorising the self-service operations that take an `AccessToken` (API Reference, e.g.
//! GetUser: the token needs the `aws.cognito.signin.user.admin` scope).
//!
//! The token must be an RS256 access token signed by the pool's access key, unexpired by the
//! emulator clock, not revoked (RevokeToken on its refresh token, or a later GlobalSignOut), with
//! scope `aws.cognito.signin.user.admin`, for a user that still exists.

use crate::domain::records::UserRecord;
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::UserPoolType;
use crate::state::Ctx;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::sync::Arc;

pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

pub struct AccessContext {
    pub pool: Arc<UserPoolType>,
    pub user: UserRecord,
    pub claims: std::sync::Arc<serde_json::Value>,
}

fn invalid() -> ApiError {
    ApiError::not_authorized("Invalid Access Token")
}

/// The payload of a compact JWS, unverified: only used to find which pool's key to check with.
fn unverified_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

pub async fn verify_access_token(ctx: &Ctx, token: &str) -> ApiResult<AccessContext> {
    let app = &ctx.app;
    let iss = unverified_claims(token)
        .and_then(|c| c.get("iss").and_then(|v| v.as_str()).map(str::to_string))
        .ok_or_else(invalid)?;
    let pool_id = iss.rsplit('/').next().unwrap_or_default().to_string();
    // The issuer must be one of ours: a token minted for another emulator URL or by AWS is foreign.
    if !ctx.is_own_issuer(&iss, &pool_id) {
        return Err(invalid());
    }
    let Some(pool) = app.store.get_pool(&pool_id).await? else {
        return Err(invalid());
    };
    let keys = app.pool_keys(&pool_id).await?;
    let claims = keys.access.verify(token).ok_or_else(invalid)?;
    if claims.get("token_use").and_then(|v| v.as_str()) != Some("access") {
        return Err(invalid());
    }
    let exp = claims
        .get("exp")
        .and_then(|v| v.as_i64())
        .ok_or_else(invalid)?;
    if app.clock.unix() >= exp {
        return Err(ApiError::not_authorized("Access Token has expired"));
    }
    let scopes = claims
        .get("scope")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    if !scopes.split(' ').any(|s| s == ADMIN_SCOPE) {
        return Err(ApiError::not_authorized(
            "Access Token does not have required scopes",
        ));
    }
    let sub = claims
        .get("sub")
        .and_then(|v| v.as_str())
        .ok_or_else(invalid)?;
    let origin = claims.get("origin_jti").and_then(|v| v.as_str());
    let Some((user, origin_revoked)) = app.store.get_token_user(&pool_id, sub, origin).await?
    else {
        return Err(ApiError::user_not_found("User does not exist."));
    };
    let iat = claims.get("iat").and_then(|v| v.as_f64()).unwrap_or(0.0);
    if user.tokens_valid_after.is_some_and(|t| iat < t.floor()) || origin_revoked {
        return Err(ApiError::not_authorized("Access Token has been revoked"));
    }
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    Ok(AccessContext { pool, user, claims })
}

//! Minting ID, access and refresh tokens (Cognito Developer Guide, "Using the ID token", "Using the
//! access token", "Using the refresh token").
//!
//! ID and access tokens are RS256 JWTs signed with the pool's two keys (`AppState::pool_keys`,
//! parsed once per pool). Refresh tokens are opaque: random text in the shape of Cognito's JWE
//! tokens, stored only as a SHA-256 hash with what a refresh needs (pool, client, user, the
//! sign-in's `origin_jti` and `auth_time`, device, expiry).

pub mod access;

use crate::domain::client::ClientExt;
use crate::domain::pool::PoolExt;
use crate::domain::records::RefreshTokenRecord;
use crate::domain::records::UserRecord;
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::{AuthenticationResultType, GroupType, UserPoolClientType, UserPoolType};
use crate::state::Ctx;
use access::ADMIN_SCOPE;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// `{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}`: every real refresh token starts with it.
pub const REFRESH_TOKEN_HEADER: &str =
    "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ";

/// A new refresh token: the JWE header and four random segments sized like a real token's
/// (RSA-OAEP key, GCM IV, ciphertext, tag), about 1.3 KB.
pub fn new_refresh_token() -> String {
    use crate::util::random_token;
    format!(
        "{REFRESH_TOKEN_HEADER}.{}.{}.{}.{}",
        random_token(256),
        random_token(12),
        random_token(640),
        random_token(16)
    )
}

/// The stored form of a refresh token.
pub fn refresh_token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Who the tokens are for.
pub struct Subject<'a> {
    pub pool: &'a UserPoolType,
    pub client: &'a UserPoolClientType,
    pub user: &'a UserRecord,
    /// The user's groups in `cognito:groups` order (lowest precedence first).
    pub groups: &'a [GroupType],
}

/// One issue of an ID + access token pair.
pub struct Issue<'a> {
    pub issuer: &'a str,
    /// Original sign-in time, kept across refreshes.
    pub auth_time: i64,
    /// The sign-in's id, kept across refreshes.
    pub origin_jti: &'a str,
    pub event_id: &'a str,
    pub device_key: Option<&'a str>,
    /// Emulator time, whole seconds.
    pub now: i64,
}

/// An attribute's value as an ID-token claim: booleans and numbers typed, `address` as the OIDC
/// object, `identities` as the JSON it holds, everything else (all `custom:*`) a string.
fn claim_value(pool: &UserPoolType, name: &str, value: &str) -> Value {
    match name {
        "email_verified" | "phone_number_verified" => Value::Bool(value == "true"),
        "address" => json!({ "formatted": value }),
        "identities" => serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into())),
        _ if name.starts_with("custom:") => Value::String(value.into()),
        _ => {
            let number = pool
                .schema_attribute(name)
                .and_then(|a| a.attribute_data_type.as_deref())
                == Some("Number");
            match value.parse::<i64>() {
                Ok(n) if number => Value::from(n),
                _ => Value::String(value.into()),
            }
        }
    }
}

/// The attributes the client may read: its `ReadAttributes`, or all but developer-only ones.
fn readable(s: &Subject, name: &str) -> bool {
    if name == "sub" || name.starts_with("dev:") {
        return false;
    }
    match s.client.read_attributes.as_ref().filter(|r| !r.is_empty()) {
        Some(list) => list.iter().any(|r| r == name),
        None => s
            .pool
            .schema_attribute(name)
            .is_none_or(|a| a.developer_only_attribute != Some(true)),
    }
}

fn group_claims(claims: &mut Map<String, Value>, groups: &[GroupType], with_roles: bool) {
    if groups.is_empty() {
        return;
    }
    let names: Vec<Value> = groups
        .iter()
        .filter_map(|g| g.group_name.clone().map(Value::String))
        .collect();
    claims.insert("cognito:groups".into(), Value::Array(names));
    if !with_roles {
        return;
    }
    let roles: Vec<&str> = groups
        .iter()
        .filter_map(|g| g.role_arn.as_deref())
        .collect();
    if roles.is_empty() {
        return;
    }
    let mut unique: Vec<Value> = Vec::new();
    for r in &roles {
        if !unique.iter().any(|u| u == r) {
            unique.push(Value::String(r.to_string()));
        }
    }
    claims.insert("cognito:roles".into(), Value::Array(unique));
    // Groups come ordered by precedence, so the first with a role is the preferred one.
    claims.insert(
        "cognito:preferred_role".into(),
        Value::String(roles[0].to_string()),
    );
}

pub fn id_claims(s: &Subject, i: &Issue, jti: &str) -> Value {
    let mut c = Map::new();
    for (name, value) in &s.user.attributes {
        if readable(s, name) {
            c.insert(name.clone(), claim_value(s.pool, name, value));
        }
    }
    group_claims(&mut c, s.groups, true);
    c.insert("sub".into(), s.user.sub.clone().into());
    c.insert("aud".into(), s.client.id().into());
    c.insert("token_use".into(), "id".into());
    c.insert("auth_time".into(), i.auth_time.into());
    c.insert("iss".into(), i.issuer.into());
    c.insert("exp".into(), (i.now + s.client.id_token_seconds()).into());
    c.insert("iat".into(), i.now.into());
    c.insert("jti".into(), jti.into());
    c.insert("origin_jti".into(), i.origin_jti.into());
    c.insert("event_id".into(), i.event_id.into());
    c.insert("cognito:username".into(), s.user.username.clone().into());
    Value::Object(c)
}

pub fn access_claims(s: &Subject, i: &Issue, jti: &str) -> Value {
    let mut c = Map::new();
    c.insert("sub".into(), s.user.sub.clone().into());
    group_claims(&mut c, s.groups, false);
    c.insert("iss".into(), i.issuer.into());
    c.insert("client_id".into(), s.client.id().into());
    c.insert("origin_jti".into(), i.origin_jti.into());
    c.insert("event_id".into(), i.event_id.into());
    c.insert("token_use".into(), "access".into());
    c.insert("scope".into(), ADMIN_SCOPE.into());
    c.insert("auth_time".into(), i.auth_time.into());
    c.insert(
        "exp".into(),
        (i.now + s.client.access_token_seconds()).into(),
    );
    c.insert("iat".into(), i.now.into());
    c.insert("jti".into(), jti.into());
    c.insert("username".into(), s.user.username.clone().into());
    if let Some(d) = i.device_key {
        c.insert("device_key".into(), d.into());
    }
    Value::Object(c)
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// What a sign-in through the OAuth endpoints puts in its tokens (Cognito Developer Guide,
/// "Authorize endpoint" and "Token endpoint"): the granted scopes instead of
/// `aws.cognito.signin.user.admin`, and in the ID token the authorize request's nonce and at_hash.
/// Without `openid` there is no ID token.
pub struct OAuthGrant<'a> {
    pub scope: &'a str,
    pub nonce: Option<&'a str>,
}

impl OAuthGrant<'_> {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split(' ').any(|s| s == scope)
    }
}

/// OIDC `at_hash`: base64url of the left half of SHA-256 over the access token (RS256).
pub fn at_hash(access_token: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// Signs a new ID + access token pair. `RefreshToken` is left for the caller.
pub async fn mint(
    ctx: &Ctx,
    s: &Subject<'_>,
    auth_time: i64,
    origin_jti: &str,
    device_key: Option<&str>,
) -> ApiResult<AuthenticationResultType> {
    mint_with(ctx, s, auth_time, origin_jti, device_key, None).await
}

/// [`mint`], for a sign-in through the OAuth endpoints when `oauth` is given.
pub async fn mint_with(
    ctx: &Ctx,
    s: &Subject<'_>,
    auth_time: i64,
    origin_jti: &str,
    device_key: Option<&str>,
    oauth: Option<&OAuthGrant<'_>>,
) -> ApiResult<AuthenticationResultType> {
    let pool_id = s.pool.pool_id();
    let app = &ctx.app;
    let keys = app.pool_keys(pool_id).await?;
    let issuer = ctx.issuer(pool_id);
    let event_id = uuid();
    let issue = Issue {
        issuer: &issuer,
        auth_time,
        origin_jti,
        event_id: &event_id,
        device_key,
        now: app.clock.unix(),
    };
    let sign_err =
        |e: jsonwebtoken::errors::Error| ApiError::internal(format!("signing a token: {e}"));
    let mut id = id_claims(s, &issue, &uuid());
    let mut access = access_claims(s, &issue, &uuid());
    if let Some(grant) = oauth {
        access["scope"] = grant.scope.into();
        // [B] Hosted UI access tokens carry "version": 2.
        access["version"] = 2.into();
        if let Some(nonce) = grant.nonce {
            id["nonce"] = nonce.into();
        }
    }
    // Federated users, and users linked to an external identity, carry `identities`.
    let links = app
        .store
        .provider_links_with_types(pool_id, &s.user.sub)
        .await?;
    if !links.is_empty() {
        id["identities"] = crate::domain::federation::identities_claim(&links, &s.user.username);
    }
    crate::triggers::token::pre_token_generation(ctx, s, &mut id, &mut access, oauth.is_some())
        .await?;
    let access_token = keys.access.sign(&access).map_err(sign_err)?;
    let id_token = match oauth {
        Some(grant) if !grant.has_scope("openid") => None,
        Some(_) => {
            id["at_hash"] = at_hash(&access_token).into();
            Some(keys.id.sign(&id).map_err(sign_err)?)
        }
        None => Some(keys.id.sign(&id).map_err(sign_err)?),
    };
    Ok(AuthenticationResultType {
        access_token: Some(access_token),
        expires_in: Some(s.client.access_token_seconds()),
        token_type: Some("Bearer".into()),
        refresh_token: None,
        id_token,
        new_device_metadata: None,
    })
}

/// The record of a new refresh token for a sign-in.
pub fn refresh_record(
    token: &str,
    s: &Subject<'_>,
    origin_jti: &str,
    auth_time: i64,
    device_key: Option<&str>,
    now: f64,
    expires_at: f64,
) -> RefreshTokenRecord {
    RefreshTokenRecord {
        token_hash: refresh_token_hash(token),
        pool_id: s.pool.pool_id().to_string(),
        client_id: s.client.id().to_string(),
        sub: s.user.sub.clone(),
        origin_jti: origin_jti.to_string(),
        auth_time,
        device_key: device_key.map(str::to_string),
        expires_at,
        revoked_at: None,
        replaced_at: None,
        created_at: now,
    }
}

/// A completed sign-in: fresh `origin_jti`, `auth_time` = now, ID + access + a stored refresh token.
pub async fn sign_in(
    ctx: &Ctx,
    s: &Subject<'_>,
    device_key: Option<&str>,
) -> ApiResult<AuthenticationResultType> {
    let app = &ctx.app;
    let origin_jti = uuid();
    let auth_time = app.clock.unix();
    let mut result = mint(ctx, s, auth_time, &origin_jti, device_key).await?;
    let now = app.clock.epoch();
    let token = new_refresh_token();
    let record = refresh_record(
        &token,
        s,
        &origin_jti,
        auth_time,
        device_key,
        now,
        now + s.client.refresh_token_seconds() as f64,
    );
    app.store.insert_refresh_token(&record).await?;
    result.refresh_token = Some(token);
    Ok(result)
}

/// Reads a JWT's payload without verifying it (to tell an ID or access token from a refresh token).
pub fn unverified_payload(token: &str) -> Option<Value> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pool::standard_schema;

    fn subject_parts() -> (UserPoolType, UserPoolClientType, UserRecord, Vec<GroupType>) {
        let mut pool = UserPoolType {
            id: Some("us-east-1_Abc123456".into()),
            schema_attributes: Some(standard_schema()),
            ..Default::default()
        };
        if let Some(s) = pool.schema_attributes.as_mut() {
            s.push(crate::model::shapes::SchemaAttributeType {
                name: Some("custom:level".into()),
                attribute_data_type: Some("Number".into()),
                ..Default::default()
            });
        }
        let client = UserPoolClientType {
            client_id: Some("client123".into()),
            user_pool_id: pool.id.clone(),
            ..Default::default()
        };
        let mut user = UserRecord {
            sub: "11111111-2222-7333-8444-555555555555".into(),
            username: "alice".into(),
            ..Default::default()
        };
        for (k, v) in [
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("phone_number_verified", "false"),
            ("custom:level", "3"),
            ("updated_at", "1700000000"),
            ("address", "1 Main St"),
        ] {
            user.attributes.insert(k.into(), v.into());
        }
        let groups = vec![
            GroupType {
                group_name: Some("admins".into()),
                precedence: Some(1),
                role_arn: Some("arn:aws:iam::123456789012:role/admin".into()),
                ..Default::default()
            },
            GroupType {
                group_name: Some("staff".into()),
                precedence: Some(5),
                ..Default::default()
            },
        ];
        (pool, client, user, groups)
    }

    fn issue() -> Issue<'static> {
        Issue {
            issuer: "http://127.0.0.1:9229/us-east-1_Abc123456",
            auth_time: 1_700_000_000,
            origin_jti: "origin",
            event_id: "event",
            device_key: None,
            now: 1_700_000_100,
        }
    }

    #[test]
    fn id_token_claims_follow_spec_5_2() {
        let (pool, client, user, groups) = subject_parts();
        let s = Subject {
            pool: &pool,
            client: &client,
            user: &user,
            groups: &groups,
        };
        let c = id_claims(&s, &issue(), "jti-1");
        let mut keys: Vec<&str> = c
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "address",
                "aud",
                "auth_time",
                "cognito:groups",
                "cognito:preferred_role",
                "cognito:roles",
                "cognito:username",
                "custom:level",
                "email",
                "email_verified",
                "event_id",
                "exp",
                "iat",
                "iss",
                "jti",
                "origin_jti",
                "phone_number_verified",
                "sub",
                "token_use",
                "updated_at"
            ]
        );
        assert_eq!(c["token_use"], "id");
        assert_eq!(c["aud"], "client123");
        assert_eq!(c["email_verified"], true);
        assert_eq!(c["phone_number_verified"], false);
        assert_eq!(
            c["custom:level"], "3",
            "custom attributes are always strings"
        );
        assert_eq!(c["updated_at"], 1_700_000_000i64);
        assert_eq!(c["address"], json!({"formatted": "1 Main St"}));
        assert_eq!(c["cognito:groups"], json!(["admins", "staff"]));
        assert_eq!(
            c["cognito:preferred_role"],
            "arn:aws:iam::123456789012:role/admin"
        );
        assert_eq!(c["exp"], 1_700_000_100i64 + 3600);
        assert_eq!(c["auth_time"], 1_700_000_000i64);
    }

    #[test]
    fn access_token_claims_follow_spec_5_3() {
        let (pool, client, user, _) = subject_parts();
        let s = Subject {
            pool: &pool,
            client: &client,
            user: &user,
            groups: &[],
        };
        let c = access_claims(&s, &issue(), "jti-2");
        let mut keys: Vec<&str> = c
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "auth_time",
                "client_id",
                "event_id",
                "exp",
                "iat",
                "iss",
                "jti",
                "origin_jti",
                "scope",
                "sub",
                "token_use",
                "username"
            ]
        );
        assert_eq!(c["scope"], "aws.cognito.signin.user.admin");
        assert_eq!(c["username"], "alice");
    }

    #[test]
    fn read_attributes_limit_the_id_token() {
        let (pool, mut client, user, _) = subject_parts();
        client.read_attributes = Some(vec!["email".into()]);
        let s = Subject {
            pool: &pool,
            client: &client,
            user: &user,
            groups: &[],
        };
        let c = id_claims(&s, &issue(), "j");
        assert!(c.get("email").is_some());
        assert!(c.get("custom:level").is_none());
        assert!(c.get("email_verified").is_none());
    }

    #[test]
    fn refresh_tokens_look_like_cognitos() {
        let t = new_refresh_token();
        assert!(t.starts_with("eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ."));
        assert_eq!(t.split('.').count(), 5);
        assert!(t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_=.".contains(c)));
        assert_ne!(t, new_refresh_token());
        assert_eq!(refresh_token_hash(&t).len(), 64);
        assert!(unverified_payload(&t).is_none());
    }
}

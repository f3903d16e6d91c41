//! A real OIDC identity provider (Cognito Developer Guide, "Adding OIDC identity providers to a
//! user pool"): its endpoints from discovery or from the provider's details, the authorization
//! code exchanged at its token endpoint with the client secret, and the id_token verified against
//! its JWKS (signature, issuer, audience, expiry) before any claim is used.
//!
//! The emulator reaches providers over plain `http://` (`crate::outbound`): another pool of this
//! emulator, or a local test provider. A provider that cannot be reached that way is played by
//! the emulator's stand-in provider instead (`federation`).

use crate::model::shapes::IdentityProviderType;
use crate::outbound::{self, parse_url};
use crate::state::OidcEndpoints;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use std::time::Duration;

/// How long one call to the provider may take (a provider that makes its signing keys on first
/// use, as this emulator does, may need a moment on a loaded machine).
const TIMEOUT: Duration = Duration::from_secs(15);
/// The largest document the emulator reads from a provider.
const MAX_BYTES: usize = 1024 * 1024;

fn detail<'a>(provider: &'a IdentityProviderType, key: &str) -> Option<&'a str> {
    provider
        .provider_details
        .as_ref()
        .and_then(|d| d.get(key))
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

async fn call(
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> Result<Value, String> {
    let parsed = parse_url(url)?;
    let answer = tokio::time::timeout(
        TIMEOUT,
        outbound::request(method, &parsed, headers, body, MAX_BYTES),
    )
    .await
    .map_err(|_| format!("{url} did not answer in time"))??;
    if answer.status != 200 {
        return Err(format!("{url} answered HTTP {}", answer.status));
    }
    serde_json::from_slice(&answer.body).map_err(|_| format!("{url} did not answer JSON"))
}

/// The provider's endpoints when it is an OIDC provider the emulator can reach over `http://`;
/// `None` otherwise (the stand-in provider plays it).
pub async fn endpoints(provider: &IdentityProviderType) -> Option<OidcEndpoints> {
    if provider.provider_type.as_deref() != Some("OIDC") {
        return None;
    }
    let issuer = detail(provider, "oidc_issuer")?
        .trim_end_matches('/')
        .to_string();
    if !issuer.starts_with("http://") {
        return None;
    }
    let given = |k: &str| detail(provider, k).map(str::to_string);
    if let (Some(a), Some(t), Some(j)) = (
        given("authorize_url"),
        given("token_url"),
        given("jwks_uri"),
    ) {
        return Some(OidcEndpoints {
            issuer,
            authorization_endpoint: a,
            token_endpoint: t,
            jwks_uri: j,
            userinfo_endpoint: given("attributes_url"),
        });
    }
    let doc = call(
        "GET",
        &format!("{issuer}/.well-known/openid-configuration"),
        &[],
        Vec::new(),
    )
    .await
    .ok()?;
    let text = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_string);
    Some(OidcEndpoints {
        issuer,
        authorization_endpoint: given("authorize_url")
            .or_else(|| text("authorization_endpoint"))?,
        token_endpoint: given("token_url").or_else(|| text("token_endpoint"))?,
        jwks_uri: given("jwks_uri").or_else(|| text("jwks_uri"))?,
        userinfo_endpoint: given("attributes_url").or_else(|| text("userinfo_endpoint")),
    })
}

/// The provider's authorization URL for this sign-in.
pub fn authorize_url(
    endpoints: &OidcEndpoints,
    provider: &IdentityProviderType,
    redirect_uri: &str,
    state: &str,
) -> String {
    let scope = detail(provider, "authorize_scopes").unwrap_or("openid");
    super::with_query(
        &endpoints.authorization_endpoint,
        &super::encode_form([
            (
                "client_id",
                detail(provider, "client_id").unwrap_or_default(),
            ),
            ("response_type", "code"),
            ("scope", scope),
            ("redirect_uri", redirect_uri),
            ("state", state),
        ]),
    )
}

/// The code exchanged for tokens, the id_token verified, and its claims (with the userInfo
/// claims added when the provider's `attributes_request_method` asks for them). Err is the
/// `error_description` the app gets.
pub async fn identity(
    endpoints: &OidcEndpoints,
    provider: &IdentityProviderType,
    code: &str,
    redirect_uri: &str,
    now: i64,
) -> Result<Map<String, Value>, String> {
    use base64::Engine;
    let client_id = detail(provider, "client_id").unwrap_or_default();
    let secret = detail(provider, "client_secret").unwrap_or_default();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    let body = super::encode_form([
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
    ]);
    let tokens = call(
        "POST",
        &endpoints.token_endpoint,
        &[
            (
                "content-type",
                "application/x-www-form-urlencoded".to_string(),
            ),
            ("authorization", format!("Basic {basic}")),
        ],
        body.into_bytes(),
    )
    .await?;
    let id_token = tokens
        .get("id_token")
        .and_then(Value::as_str)
        .ok_or("The identity provider returned no id_token.")?;
    let mut claims = verify(endpoints, client_id, id_token, now).await?;
    let wants_userinfo = detail(provider, "attributes_request_method").is_some();
    if let (true, Some(url), Some(access)) = (
        wants_userinfo,
        endpoints.userinfo_endpoint.as_deref(),
        tokens.get("access_token").and_then(Value::as_str),
    ) {
        // The userInfo claims complement the id_token's; the verified `sub` stays.
        if let Ok(Value::Object(more)) = call(
            "GET",
            url,
            &[("authorization", format!("Bearer {access}"))],
            Vec::new(),
        )
        .await
        {
            for (k, v) in more {
                if k != "sub" {
                    claims.entry(k).or_insert(v);
                }
            }
        }
    }
    Ok(claims)
}

/// The id_token's claims once its signature (a key of the provider's JWKS), issuer, audience and
/// expiry (by the emulator clock, which a provider of this emulator signs by) check out.
async fn verify(
    endpoints: &OidcEndpoints,
    client_id: &str,
    id_token: &str,
    now: i64,
) -> Result<Map<String, Value>, String> {
    let invalid = |why: &str| format!("The identity provider's id_token is invalid: {why}.");
    let header = decode_header(id_token).map_err(|_| invalid("not a JWT"))?;
    if header.alg != Algorithm::RS256 {
        return Err(invalid("not signed with RS256"));
    }
    let jwks = call("GET", &endpoints.jwks_uri, &[], Vec::new()).await?;
    let key = jwks
        .get("keys")
        .and_then(Value::as_array)
        .and_then(|keys| {
            keys.iter().find(|k| {
                header.kid.is_none()
                    || k.get("kid").and_then(Value::as_str) == header.kid.as_deref()
            })
        })
        .ok_or_else(|| invalid("no key of the provider's JWKS signed it"))?;
    let (n, e) = (
        key.get("n").and_then(Value::as_str).unwrap_or_default(),
        key.get("e").and_then(Value::as_str).unwrap_or_default(),
    );
    let decoding = DecodingKey::from_rsa_components(n, e).map_err(|_| invalid("a bad key"))?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[endpoints.issuer.as_str()]);
    validation.set_audience(&[client_id]);
    validation.validate_exp = false;
    validation.required_spec_claims = ["exp", "iss", "aud", "sub"]
        .into_iter()
        .map(str::to_string)
        .collect();
    let data = decode::<Map<String, Value>>(id_token, &decoding, &validation)
        .map_err(|e| invalid(&e.to_string()))?;
    let exp = data.claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if exp <= now {
        return Err(invalid("it has expired"));
    }
    Ok(data.claims)
}

//! Passkeys (API Reference for each operation; W3C Web Authentication): StartWebAuthnRegistration,
//! CompleteWebAuthnRegistration, ListWebAuthnCredentials, DeleteWebAuthnCredential,
//! GetUserAuthFactors. The WEB_AUTHN challenge of USER_AUTH (its CREDENTIAL_REQUEST_OPTIONS and the
//! check of its assertion) is `ops::auth::passkey`, with the relying-party rule in `ops::common`.
//!
//! Relying party: `WebAuthnConfiguration.RelyingPartyId` (SetUserPoolMfaConfig), else the pool's
//! custom domain, else its prefix domain (`<prefix>.auth.<region>.amazoncognito.com`), else
//! `localhost` — the emulator's default for local use (real Cognito refuses with
//! WebAuthnConfigurationMissingException there; WebAuthn forbids IP literals as RP ids, and
//! browsers accept `http://localhost` origins). Passkeys are "enabled" when the pool's
//! AllowedFirstAuthFactors lists WEB_AUTHN; otherwise registration answers
//! WebAuthnNotEnabledException.
//!
//! Exception texts are **[B]** throughout: none of them is on public record.

use crate::crypto::webauthn::{self as wa, b64url, WebAuthnError};
use crate::domain::paging;
use crate::domain::records::{CredentialRecord, RegistrationRecord};
use crate::error::{ApiError, ApiResult};
use crate::flow::user_auth::{self as flow_ua};
use crate::flow::Env;
use crate::model::shapes::*;
use crate::ops::common::descriptors;
use crate::ops::common::new_challenge;
use crate::ops::common::pool_mfa_config;
use crate::ops::common::relying_party_id;
use crate::state::Ctx;
use crate::tokens::access::verify_access_token;
use serde_json::json;

/// Passkeys per user **[B: not verified against AWS]**.
pub const MAX_CREDENTIALS: i64 = 20;
/// How long a registration challenge waits for CompleteWebAuthnRegistration. The options tell
/// the browser 60 s (`timeout`); the server keeps the challenge a little longer **[B]**.
const REGISTRATION_SECONDS: f64 = 300.0;
const REGISTRATION_TIMEOUT_MS: i64 = 60_000;

fn not_enabled() -> ApiError {
    ApiError::new(
        "WebAuthnNotEnabledException",
        "Passkeys are not enabled for this user pool: add WEB_AUTHN to Policies.SignInPolicy.AllowedFirstAuthFactors.",
    )
}

fn challenge_not_found() -> ApiError {
    ApiError::new(
        "WebAuthnChallengeNotFoundException",
        "The passkey registration challenge was not found or has expired.",
    )
}

fn passkeys_enabled(pool: &UserPoolType) -> bool {
    pool.policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.as_ref())
        .is_some_and(|f| f.iter().any(|x| x == flow_ua::WEB_AUTHN))
}

fn user_verification(mfa: &GetUserPoolMfaConfigResponse) -> &'static str {
    match mfa
        .web_authn_configuration
        .as_ref()
        .and_then(|w| w.user_verification.as_deref())
    {
        Some("required") => "required",
        _ => "preferred",
    }
}

fn claim<'a>(claims: &'a serde_json::Value, name: &str) -> &'a str {
    claims
        .get(name)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
}

pub async fn start_web_authn_registration(
    ctx: Ctx,
    req: StartWebAuthnRegistrationRequest,
) -> ApiResult<StartWebAuthnRegistrationResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let client_id = claim(&access.claims, "client_id");
    let options = start_registration(&ctx, &access.pool, &access.user, client_id).await?;
    Ok(StartWebAuthnRegistrationResponse {
        credential_creation_options: Some(options),
    })
}

/// StartWebAuthnRegistration for a user already known: the API's (from the access token) and the
/// hosted UI's passkey prompt (from its session cookie). The CredentialCreationOptions.
pub async fn start_registration(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &crate::domain::records::UserRecord,
    client_id: &str,
) -> ApiResult<serde_json::Value> {
    if !passkeys_enabled(pool) {
        return Err(not_enabled());
    }
    let store = &ctx.app.store;
    if store
        .count_webauthn_credentials(&user.pool_id, &user.sub)
        .await?
        >= MAX_CREDENTIALS
    {
        return Err(ApiError::limit_exceeded(format!(
            "A user can register at most {MAX_CREDENTIALS} passkeys."
        )));
    }
    let mfa = pool_mfa_config(ctx, pool).await?;
    let rp_id = relying_party_id(pool, &mfa);
    let uv = user_verification(&mfa);
    let challenge = new_challenge();
    let now = ctx.app.clock.epoch();
    store
        .put_webauthn_registration(&RegistrationRecord {
            pool_id: user.pool_id.clone(),
            sub: user.sub.clone(),
            client_id: client_id.to_string(),
            challenge: challenge.clone(),
            rp_id: rp_id.clone(),
            user_verification: uv.to_string(),
            expires_at: now + REGISTRATION_SECONDS,
            created_at: now,
        })
        .await?;
    let options = json!({
        "rp": {"id": rp_id, "name": rp_id},
        "user": {"id": b64url(user.sub.as_bytes()), "name": user.username, "displayName": ""},
        "challenge": challenge,
        "pubKeyCredParams": [
            {"type": "public-key", "alg": wa::ES256},
            {"type": "public-key", "alg": wa::RS256}
        ],
        "timeout": REGISTRATION_TIMEOUT_MS,
        "excludeCredentials": descriptors(ctx, user).await?,
        "authenticatorSelection": {
            "requireResidentKey": true,
            "residentKey": "required",
            "userVerification": uv
        }
    });
    Ok(options)
}

/// How a failed registration check is reported.
fn registration_error(e: WebAuthnError) -> ApiError {
    match e {
        WebAuthnError::ChallengeMismatch => challenge_not_found(),
        WebAuthnError::OriginNotAllowed => ApiError::new(
            "WebAuthnOriginNotAllowedException",
            "The passkey was created for an origin that is not allowed for this user pool's relying party.",
        ),
        WebAuthnError::RelyingPartyMismatch => ApiError::new(
            "WebAuthnRelyingPartyMismatchException",
            "The passkey was created for another relying party.",
        ),
        WebAuthnError::NotSupported(what) => ApiError::new(
            "WebAuthnCredentialNotSupportedException",
            format!("The passkey is not supported: {what}."),
        ),
        WebAuthnError::UserNotVerified => ApiError::new(
            "WebAuthnCredentialNotSupportedException",
            "The user pool requires user verification and the authenticator did not verify the user.",
        ),
        other => ApiError::invalid_parameter(format!("Invalid passkey credential: {other}.")),
    }
}

pub async fn complete_web_authn_registration(
    ctx: Ctx,
    req: CompleteWebAuthnRegistrationRequest,
) -> ApiResult<CompleteWebAuthnRegistrationResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let client_id = claim(&access.claims, "client_id");
    let credential = req.credential.unwrap_or_default();
    complete_registration(&ctx, &access.pool, &access.user, client_id, credential).await?;
    Ok(CompleteWebAuthnRegistrationResponse {})
}

/// CompleteWebAuthnRegistration for a user already known (see [`start_registration`]).
pub async fn complete_registration(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &crate::domain::records::UserRecord,
    client_id: &str,
    credential: serde_json::Value,
) -> ApiResult<()> {
    if !passkeys_enabled(pool) {
        return Err(not_enabled());
    }
    let store = &ctx.app.store;
    let now = ctx.app.clock.epoch();
    let Some(reg) = store
        .get_webauthn_registration(&user.pool_id, &user.sub)
        .await?
    else {
        return Err(challenge_not_found());
    };
    if now >= reg.expires_at {
        return Err(challenge_not_found());
    }
    if reg.client_id != client_id {
        return Err(ApiError::new(
            "WebAuthnClientMismatchException",
            "The access token is for another app client than the one that started the registration.",
        ));
    }
    // Some callers send the RegistrationResponseJSON as a JSON string rather than an object.
    let credential = match credential {
        serde_json::Value::String(s) => serde_json::from_str(&s)
            .map_err(|_| registration_error(WebAuthnError::Malformed("Credential")))?,
        v => v,
    };
    let expected = wa::Expected {
        challenge: &reg.challenge,
        rp_id: &reg.rp_id,
        user_verification_required: reg.user_verification == "required",
    };
    let new = wa::verify_registration(&credential, &expected).map_err(registration_error)?;
    if store
        .count_webauthn_credentials(&user.pool_id, &user.sub)
        .await?
        >= MAX_CREDENTIALS
    {
        return Err(ApiError::limit_exceeded(format!(
            "A user can register at most {MAX_CREDENTIALS} passkeys."
        )));
    }
    // Single use: of two completions with one challenge only one stores a credential.
    if !store
        .take_webauthn_registration(&user.pool_id, &user.sub, &reg.challenge)
        .await?
    {
        return Err(challenge_not_found());
    }
    let record = CredentialRecord {
        pool_id: user.pool_id.clone(),
        sub: user.sub.clone(),
        credential_id: b64url(&new.credential_id),
        public_key: new.public_key,
        alg: new.alg,
        sign_count: new.sign_count,
        transports: new.transports,
        attachment: new
            .attachment
            .filter(|a| a == "platform" || a == "cross-platform"),
        aaguid: hex::encode(new.aaguid),
        rp_id: reg.rp_id.clone(),
        friendly_name: friendly_name(&new.aaguid),
        created_at: now,
    };
    if !store.insert_webauthn_credential(&record).await? {
        return Err(ApiError::invalid_parameter(
            "This passkey is already registered in the user pool.",
        ));
    }
    Ok(())
}

/// Cognito names a passkey after its provider **[B]**; the emulator knows a few AAGUIDs.
fn friendly_name(aaguid: &[u8; 16]) -> String {
    match hex::encode(aaguid).as_str() {
        "fbfc3007154e4ecc8c0b6e020557d7bd" | "dd4ec289e01d41c9bb8970fa845d4bf2" => {
            "iCloud Keychain".into()
        }
        "ea9b8d664d011d213ce4b6b48cb575d4" => "Google Password Manager".into(),
        "bada5566a7aa401fbd96c00dbdf0bd14" => "1Password".into(),
        "08987058cadc4b81b6e130de50dcbe96" => "Windows Hello".into(),
        _ => "Passkey".into(),
    }
}

pub async fn list_web_authn_credentials(
    ctx: Ctx,
    req: ListWebAuthnCredentialsRequest,
) -> ApiResult<ListWebAuthnCredentialsResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let user = &access.user;
    let all = ctx
        .app
        .store
        .list_webauthn_credentials(&user.pool_id, &user.sub)
        .await?;
    // The token is the index of the page's first credential.
    let start = match req.next_token.as_deref() {
        None | Some("") => 0,
        Some(t) => paging::parse_key_token(t)
            .and_then(|i| i.parse::<usize>().ok())
            .filter(|s| *s <= all.len())
            .ok_or_else(crate::ops::common::invalid_pagination_token)?,
    };
    // Here MaxResults 0 (the model allows it) asks for one credential, not the default page.
    let limit = paging::page_size(req.max_results.map(|n| n.max(1)), MAX_CREDENTIALS);
    let limit = usize::try_from(limit).unwrap_or(1);
    let end = (start + limit).min(all.len());
    let credentials = all[start..end]
        .iter()
        .map(|c| WebAuthnCredentialDescription {
            credential_id: Some(c.credential_id.clone()),
            friendly_credential_name: Some(c.friendly_name.clone()),
            relying_party_id: Some(c.rp_id.clone()),
            authenticator_attachment: c.attachment.clone(),
            authenticator_transports: Some(c.transports.clone()),
            created_at: Some(c.created_at),
        })
        .collect();
    Ok(ListWebAuthnCredentialsResponse {
        credentials: Some(credentials),
        next_token: (end < all.len()).then(|| paging::key_token(&end.to_string())),
    })
}

pub async fn delete_web_authn_credential(
    ctx: Ctx,
    req: DeleteWebAuthnCredentialRequest,
) -> ApiResult<DeleteWebAuthnCredentialResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let user = &access.user;
    let id = req.credential_id.unwrap_or_default();
    if !ctx
        .app
        .store
        .delete_webauthn_credential(&user.pool_id, &user.sub, &id)
        .await?
    {
        return Err(ApiError::resource_not_found("Credential not found."));
    }
    Ok(DeleteWebAuthnCredentialResponse {})
}

pub async fn get_user_auth_factors(
    ctx: Ctx,
    req: GetUserAuthFactorsRequest,
) -> ApiResult<GetUserAuthFactorsResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let (pool, user) = (&access.pool, &access.user);
    let mfa = pool_mfa_config(&ctx, pool).await?;
    let client_id = claim(&access.claims, "client_id");
    let client = ctx
        .app
        .store
        .get_client(client_id)
        .await?
        .unwrap_or_default();
    let env = Env {
        pool,
        pool_mfa: &mfa,
        client: &client,
        flow: crate::flow::user_auth::FLOW,
        now: ctx.app.clock.epoch(),
        device: None,
    };
    let passkeys = ctx
        .app
        .store
        .count_webauthn_credentials(&user.pool_id, &user.sub)
        .await?;
    let factors: Vec<String> =
        flow_ua::available(&env, user, usize::try_from(passkeys).unwrap_or(0))
            .into_iter()
            .filter(|f| f != flow_ua::PASSWORD_SRP)
            .collect();
    let reported = crate::domain::mfa::reported(user);
    Ok(GetUserAuthFactorsResponse {
        username: Some(user.username.clone()),
        preferred_mfa_setting: reported.preferred_mfa_setting,
        user_mfa_setting_list: reported.user_mfa_setting_list,
        configured_user_auth_factors: Some(factors),
    })
}

// ---------------------------------------------------------------------------------------------
// The WEB_AUTHN challenge of USER_AUTH
// ---------------------------------------------------------------------------------------------

//! MFA operations (Cognito Developer Guide, "Adding MFA to a user pool" and "TOTP software token
//! MFA").
//!
//! Operations: SetUserMFAPreference, AdminSetUserMFAPreference, SetUserSettings,
//! AdminSetUserSettings, AssociateSoftwareToken, VerifySoftwareToken (with an access token, or with
//! the Session of an MFA_SETUP challenge).
//!
//! The MFA challenges of a sign-in (sending their codes, checking their answers) are
//! `ops::auth::mfa`. The decisions are `flow::mfa`'s; the user's settings are
//! `domain::mfa::UserMfa`.

use crate::crypto::totp;
use crate::domain::attributes::{EMAIL, PHONE};
use crate::domain::client::ClientExt;
use crate::domain::mfa::{pool_factors, Factor, SoftwareToken, UserMfa};
use crate::domain::records::AuthSession;
use crate::domain::records::UserRecord;
use crate::error::{ApiError, ApiResult};
use crate::flow::mfa::{self as flow_mfa, SetupState};
use crate::flow::session::{self as flow_session, SessionState};
use crate::flow::Pending;
use crate::model::shapes::*;
use crate::ops::common::consume;
use crate::ops::common::load_pool;
use crate::ops::common::load_user;
use crate::ops::common::pool_mfa;
use crate::ops::common::pool_mfa_config;
use crate::state::Ctx;
use crate::tokens::access::verify_access_token;
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// Sign-in hooks
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// SetUserMFAPreference / AdminSetUserMFAPreference
// ---------------------------------------------------------------------------------------------

/// One factor's `{Enabled, PreferredMfa}` from a request.
struct Setting {
    factor: Factor,
    enabled: bool,
    preferred: bool,
}

fn settings(
    sms: Option<&SMSMfaSettingsType>,
    totp: Option<&SoftwareTokenMfaSettingsType>,
    email: Option<&EmailMfaSettingsType>,
) -> Vec<Setting> {
    let mut out = Vec::new();
    if let Some(s) = sms {
        out.push(Setting {
            factor: Factor::Sms,
            enabled: s.enabled.unwrap_or(false),
            preferred: s.preferred_mfa.unwrap_or(false),
        });
    }
    if let Some(s) = totp {
        out.push(Setting {
            factor: Factor::Totp,
            enabled: s.enabled.unwrap_or(false),
            preferred: s.preferred_mfa.unwrap_or(false),
        });
    }
    if let Some(s) = email {
        out.push(Setting {
            factor: Factor::Email,
            enabled: s.enabled.unwrap_or(false),
            preferred: s.preferred_mfa.unwrap_or(false),
        });
    }
    out
}

fn no_delivery_config(f: Factor) -> ApiError {
    // Real text for TOTP [OBS aws-sdk-js-v3#4645]; the same form for the others **[B]**.
    ApiError::invalid_parameter(format!(
        "User does not have delivery config set to turn on {}",
        f.name()
    ))
}

/// Applies the settings of a request to the user's MFA document. Settings left out of the request
/// are unchanged.
fn apply_preferences(user: &mut UserRecord, requested: &[Setting]) -> ApiResult<()> {
    if requested.iter().filter(|s| s.preferred).count() > 1 {
        // [B] text.
        return Err(ApiError::invalid_parameter(
            "Only one MFA method can be set as preferred.",
        ));
    }
    let mut m = UserMfa::of(user);
    for s in requested {
        if s.preferred && !s.enabled {
            // [B] text.
            return Err(ApiError::invalid_parameter(format!(
                "{} cannot be preferred without being enabled.",
                s.factor.name()
            )));
        }
        if s.enabled {
            let ready = match s.factor {
                Factor::Totp => m.software_token.is_some(),
                Factor::Sms => user.attributes.get(PHONE).is_some_and(|v| !v.is_empty()),
                Factor::Email => user.attributes.get(EMAIL).is_some_and(|v| !v.is_empty()),
            };
            if !ready {
                return Err(no_delivery_config(s.factor));
            }
        }
        m.set_enabled(s.factor, s.enabled);
        if s.preferred {
            m.preferred = Some(s.factor);
        } else if m.preferred == Some(s.factor) {
            m.preferred = None;
        }
    }
    m.save(user);
    Ok(())
}

/// `WebAuthnMfaSettings`: "To activate this setting, the FactorConfiguration of your user pool
/// WebAuthnConfiguration must be MULTI_FACTOR_WITH_USER_VERIFICATION" (API Reference,
/// SetUserMFAPreference). Turning it off is always accepted.
fn apply_web_authn(
    user: &mut UserRecord,
    pool_mfa: &GetUserPoolMfaConfigResponse,
    setting: Option<&WebAuthnMfaSettingsType>,
) -> ApiResult<()> {
    let Some(enabled) = setting.map(|s| s.enabled.unwrap_or(false)) else {
        return Ok(());
    };
    let multi_factor = pool_mfa
        .web_authn_configuration
        .as_ref()
        .and_then(|w| w.factor_configuration.as_deref())
        == Some("MULTI_FACTOR_WITH_USER_VERIFICATION");
    if enabled && !multi_factor {
        // The exception type is the one for a setting the pool does not allow; the text is the
        // emulator's own [B].
        return Err(ApiError::invalid_parameter(
            "WebAuthn MFA cannot be enabled: the user pool's WebAuthnConfiguration FactorConfiguration is not MULTI_FACTOR_WITH_USER_VERIFICATION.",
        ));
    }
    let mut m = UserMfa::of(user);
    m.web_authn_enabled = enabled;
    m.save(user);
    Ok(())
}

/// Applies `change` to `user` and stores the result; a refused change stores nothing, so the
/// self-service and Admin variants of an operation cannot drift apart.
async fn store_change(
    ctx: &Ctx,
    mut user: UserRecord,
    change: impl FnOnce(&mut UserRecord) -> ApiResult<()>,
) -> ApiResult<()> {
    change(&mut user)?;
    user.modified_at = ctx.app.clock.epoch();
    ctx.app.store.update_user(&user).await?;
    Ok(())
}

pub async fn set_user_mfa_preference(
    ctx: Ctx,
    req: SetUserMFAPreferenceRequest,
) -> ApiResult<SetUserMFAPreferenceResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let wanted = settings(
        req.sms_mfa_settings.as_ref(),
        req.software_token_mfa_settings.as_ref(),
        req.email_mfa_settings.as_ref(),
    );
    let pool = load_pool(&ctx, &access.user.pool_id).await?;
    let pool_mfa = pool_mfa_config(&ctx, &pool).await?;
    let web_authn = req.web_authn_mfa_settings.as_ref();
    store_change(&ctx, access.user, |u| {
        apply_preferences(u, &wanted)?;
        apply_web_authn(u, &pool_mfa, web_authn)
    })
    .await?;
    Ok(SetUserMFAPreferenceResponse {})
}

pub async fn admin_set_user_mfa_preference(
    ctx: Ctx,
    req: AdminSetUserMFAPreferenceRequest,
) -> ApiResult<AdminSetUserMFAPreferenceResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    let wanted = settings(
        req.sms_mfa_settings.as_ref(),
        req.software_token_mfa_settings.as_ref(),
        req.email_mfa_settings.as_ref(),
    );
    let pool_mfa = pool_mfa_config(&ctx, &pool).await?;
    let web_authn = req.web_authn_mfa_settings.as_ref();
    store_change(&ctx, user, |u| {
        apply_preferences(u, &wanted)?;
        apply_web_authn(u, &pool_mfa, web_authn)
    })
    .await?;
    Ok(AdminSetUserMFAPreferenceResponse {})
}

// ---------------------------------------------------------------------------------------------
// SetUserSettings / AdminSetUserSettings (legacy: SMS only)
// ---------------------------------------------------------------------------------------------

/// `MFAOptions` can only say "SMS to phone_number" (a non-empty list) or "no SMS MFA" (empty).
fn apply_mfa_options(user: &mut UserRecord, options: &[MFAOptionType]) -> ApiResult<()> {
    for o in options {
        if o.delivery_medium.as_deref() != Some("SMS")
            || o.attribute_name.as_deref().is_some_and(|a| a != PHONE)
        {
            // [B] text; the model documents SMS / phone_number as the only valid values.
            return Err(ApiError::invalid_parameter(
                "Only SMS delivery to phone_number is supported in MFAOptions.",
            ));
        }
    }
    let on = !options.is_empty();
    if on && user.attributes.get(PHONE).is_none_or(|v| v.is_empty()) {
        return Err(no_delivery_config(Factor::Sms));
    }
    let mut m = UserMfa::of(user);
    m.set_enabled(Factor::Sms, on);
    m.save(user);
    Ok(())
}

pub async fn set_user_settings(
    ctx: Ctx,
    req: SetUserSettingsRequest,
) -> ApiResult<SetUserSettingsResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let options = req.mfa_options.unwrap_or_default();
    store_change(&ctx, access.user, |u| apply_mfa_options(u, &options)).await?;
    Ok(SetUserSettingsResponse {})
}

pub async fn admin_set_user_settings(
    ctx: Ctx,
    req: AdminSetUserSettingsRequest,
) -> ApiResult<AdminSetUserSettingsResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    let options = req.mfa_options.unwrap_or_default();
    store_change(&ctx, user, |u| apply_mfa_options(u, &options)).await?;
    Ok(AdminSetUserSettingsResponse {})
}

// ---------------------------------------------------------------------------------------------
// AssociateSoftwareToken / VerifySoftwareToken
// ---------------------------------------------------------------------------------------------

fn totp_not_enabled() -> ApiError {
    // [DG TOTP] text.
    ApiError::software_token_mfa_not_found(
        "Software Token MFA has not been enabled by the userPool",
    )
}

fn not_associated() -> ApiError {
    // [B] exception and text: Verify before Associate is not on record.
    ApiError::software_token_mfa_not_found(
        "Software Token MFA has not been associated with the user; call AssociateSoftwareToken first.",
    )
}

fn verify_mismatch() -> ApiError {
    ApiError::enable_software_token_mfa("Code mismatch and fail enable Software Token MFA")
}

/// Exactly one of AccessToken and Session (the model makes both optional).
fn credential<'a>(
    access_token: Option<&'a str>,
    session: Option<&'a str>,
) -> ApiResult<Credential<'a>> {
    let access_token = access_token.filter(|t| !t.is_empty());
    let session = session.filter(|s| !s.is_empty());
    match (access_token, session) {
        (Some(t), None) => Ok(Credential::AccessToken(t)),
        (None, Some(s)) => Ok(Credential::Session(s)),
        // [B] texts.
        (Some(_), Some(_)) => Err(ApiError::invalid_parameter(
            "Only one of AccessToken and Session may be given.",
        )),
        (None, None) => Err(ApiError::invalid_parameter(
            "Either AccessToken or Session is required.",
        )),
    }
}

enum Credential<'a> {
    AccessToken(&'a str),
    Session(&'a str),
}

/// An MFA_SETUP session as AssociateSoftwareToken / VerifySoftwareToken see it. These requests
/// carry no ClientId: the session row says which pool and client it belongs to.
struct SetupSession {
    row: AuthSession,
    state: SessionState,
    setup: SetupState,
    client: Arc<UserPoolClientType>,
    mfa: GetUserPoolMfaConfigResponse,
    user: UserRecord,
}

async fn setup_session(ctx: &Ctx, id: &str) -> ApiResult<SetupSession> {
    let store = &ctx.app.store;
    let row = store
        .get_auth_session(id)
        .await?
        .ok_or_else(flow_session::invalid)?;
    let state = flow_session::check(
        Some(&row),
        &row.pool_id,
        &row.client_id,
        flow_mfa::MFA_SETUP,
        ctx.app.clock.epoch(),
    )?;
    let Pending::MfaSetup(setup) = state.pending.clone() else {
        return Err(flow_session::invalid());
    };
    let pool = load_pool(ctx, &row.pool_id).await?;
    let client = store
        .get_client(&row.client_id)
        .await?
        .ok_or_else(flow_session::invalid)?;
    let sub = row.sub.clone().ok_or_else(flow_session::invalid)?;
    let user = store
        .get_user_by_sub(&row.pool_id, &sub)
        .await?
        .ok_or_else(flow_session::invalid)?;
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    let mfa = pool_mfa(ctx, &pool).await?;
    Ok(SetupSession {
        row,
        state,
        setup,
        client,
        mfa,
        user,
    })
}

/// Consumes the session and stores its successor carrying `setup`; returns the new id.
async fn next_setup_session(ctx: &Ctx, s: &SetupSession, setup: SetupState) -> ApiResult<String> {
    consume(ctx, &s.row.id).await?;
    let now = ctx.app.clock.epoch();
    let state = SessionState {
        pending: Pending::MfaSetup(setup),
        ..s.state.clone()
    };
    let id = crate::ids::session_id();
    let row = crate::flow::session::new_row(
        id.clone(),
        &s.row.pool_id,
        &s.row.client_id,
        s.row.sub.clone(),
        &state,
        now,
        s.client.auth_session_seconds() as f64,
    )?;
    ctx.app.store.insert_auth_session(&row).await?;
    Ok(id)
}

pub async fn associate_software_token(
    ctx: Ctx,
    req: AssociateSoftwareTokenRequest,
) -> ApiResult<AssociateSoftwareTokenResponse> {
    let secret = totp::new_secret();
    match credential(req.access_token.as_deref(), req.session.as_deref())? {
        Credential::AccessToken(token) => {
            let access = verify_access_token(&ctx, token).await?;
            let mfa = pool_mfa(&ctx, &access.pool).await?;
            if !pool_factors(&mfa).contains(&Factor::Totp) {
                return Err(totp_not_enabled());
            }
            let mut user = access.user;
            let mut m = UserMfa::of(&user);
            m.pending_secret = Some(secret.clone());
            m.save(&mut user);
            ctx.app.store.update_user(&user).await?;
            Ok(AssociateSoftwareTokenResponse {
                secret_code: Some(secret),
                session: None,
            })
        }
        Credential::Session(id) => {
            let s = setup_session(&ctx, id).await?;
            if !pool_factors(&s.mfa).contains(&Factor::Totp)
                || !s.setup.can_setup.contains(&Factor::Totp)
            {
                return Err(totp_not_enabled());
            }
            let next = SetupState {
                secret: Some(secret.clone()),
                verified: false,
                ..s.setup.clone()
            };
            let session = next_setup_session(&ctx, &s, next).await?;
            Ok(AssociateSoftwareTokenResponse {
                secret_code: Some(secret),
                session: Some(session),
            })
        }
    }
}

pub async fn verify_software_token(
    ctx: Ctx,
    req: VerifySoftwareTokenRequest,
) -> ApiResult<VerifySoftwareTokenResponse> {
    let code = req.user_code.clone().unwrap_or_default();
    let name = req.friendly_device_name.clone().filter(|n| !n.is_empty());
    let now = ctx.app.clock.unix();
    match credential(req.access_token.as_deref(), req.session.as_deref())? {
        Credential::AccessToken(token) => {
            let access = verify_access_token(&ctx, token).await?;
            let mut user = access.user;
            let mut m = UserMfa::of(&user);
            let Some(secret) = m.pending_secret.clone() else {
                return Err(not_associated());
            };
            let step = totp::verify(&secret, code.trim(), now).ok_or_else(verify_mismatch)?;
            // Verified, not enabled: clients turn it on with SetUserMFAPreference **[B: whether
            // VerifySoftwareToken alone enables TOTP is not on record]**.
            m.software_token = Some(SoftwareToken {
                secret,
                friendly_name: name,
                last_used_step: Some(step),
            });
            m.pending_secret = None;
            m.save(&mut user);
            user.modified_at = ctx.app.clock.epoch();
            ctx.app.store.update_user(&user).await?;
            Ok(VerifySoftwareTokenResponse {
                status: Some("SUCCESS".into()),
                session: None,
            })
        }
        Credential::Session(id) => {
            let s = setup_session(&ctx, id).await?;
            let Some(secret) = s.setup.secret.clone() else {
                return Err(not_associated());
            };
            let Some(step) = totp::verify(&secret, code.trim(), now) else {
                ctx.app.store.record_session_wrong_code(&s.row.id).await?;
                return Err(verify_mismatch());
            };
            let next = SetupState {
                secret: None,
                verified: true,
                ..s.setup.clone()
            };
            let session = next_setup_session(&ctx, &s, next).await?;
            // Enabled at once: the next sign-in asks for the token even if the MFA_SETUP answer
            // never comes [MV both MFA-ON tests].
            let mut user = s.user;
            let mut m = UserMfa::of(&user);
            m.software_token = Some(SoftwareToken {
                secret,
                friendly_name: name,
                last_used_step: Some(step),
            });
            m.set_enabled(Factor::Totp, true);
            m.save(&mut user);
            user.modified_at = ctx.app.clock.epoch();
            ctx.app.store.update_user(&user).await?;
            Ok(VerifySoftwareTokenResponse {
                status: Some("SUCCESS".into()),
                session: Some(session),
            })
        }
    }
}

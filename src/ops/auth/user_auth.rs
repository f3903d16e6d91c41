//! USER_AUTH, choice-based sign-in (API Reference, InitiateAuth): InitiateAuth / AdminInitiateAuth
//! with USER_AUTH, the SELECT_CHALLENGE answer, and the first-factor EMAIL_OTP / SMS_OTP answers.
//! WEB_AUTHN's options and assertion check are `ops::auth::passkey`; PASSWORD_SRP hands over to
//! `ops::auth::srp_auth`; the rules (which factors, which choice) are `flow::user_auth`.
//!
//! What follows each first factor: PASSWORD and PASSWORD_SRP continue as any password sign-in
//! (NEW_PASSWORD_REQUIRED, MFA, devices); EMAIL_OTP, SMS_OTP and WEB_AUTHN are not followed by MFA
//! (API Reference, WebAuthnConfigurationType) and go straight to the device step and tokens. The
//! auto sign-in with the Session of SignUp / ConfirmSignUp proves the user by the confirmation code
//! just sent, runs PreAuthentication like every sign-in, and continues as after a first factor, MFA
//! included.

use crate::delivery;
use crate::domain::client::ClientExt;
use crate::domain::message::{Channel, Purpose};
use crate::domain::records::UserRecord;
use crate::domain::secret_hash;
use crate::error::{ApiError, ApiResult};
use crate::flow::session as flow_session;
use crate::flow::user_auth::{self as flow_ua, Choice, OtpState, FLOW};
use crate::flow::{self, Challenge, Env, Outcome, Pending};
use crate::model::shapes::{AdminInitiateAuthResponse, InitiateAuthResponse};
use crate::ops::auth::conclude;
use crate::ops::auth::password_matches;
use crate::ops::auth::pool_and_client;
use crate::ops::auth::AuthAnswer;
use crate::ops::auth::Endpoint;
use crate::ops::common::pool_mfa_config;
use crate::ops::common::resolve_user;
use crate::state::Ctx;
use std::collections::BTreeMap;

/// An InitiateAuth answer plus the top-level `AvailableChallenges` only USER_AUTH sets.
pub struct Started {
    answer: AuthAnswer,
    available: Option<Vec<String>>,
}

impl Started {
    /// The sign-in's answer, for the hosted UI's steps.
    pub(super) fn into_answer(self) -> AuthAnswer {
        self.answer
    }
}

impl From<Started> for InitiateAuthResponse {
    fn from(s: Started) -> Self {
        let mut r: InitiateAuthResponse = s.answer.into();
        r.available_challenges = s.available;
        r
    }
}

impl From<Started> for AdminInitiateAuthResponse {
    fn from(s: Started) -> Self {
        let mut r: AdminInitiateAuthResponse = s.answer.into();
        r.available_challenges = s.available;
        r
    }
}

fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> ApiResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::missing_parameter(name))
}

/// InitiateAuth / AdminInitiateAuth with AuthFlow USER_AUTH.
pub async fn initiate(
    ctx: &Ctx,
    endpoint: Endpoint,
    pool_id: Option<&str>,
    client_id: &str,
    params: &BTreeMap<String, String>,
    session: Option<&str>,
) -> ApiResult<Started> {
    let (pool, client) = pool_and_client(ctx, endpoint, pool_id, client_id).await?;
    if !client.allows("ALLOW_USER_AUTH") {
        return Err(ApiError::invalid_parameter(
            "Auth flow not enabled for this client",
        ));
    }
    let username = param(params, "USERNAME")?;
    secret_hash::check(
        &client,
        username,
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    let mut user = resolve_user(ctx, &pool, username).await?;
    let device = match &user {
        Some(u) => {
            let key = params.get("DEVICE_KEY").map(String::as_str);
            crate::ops::auth::devices::for_sign_in(ctx, &pool, FLOW, u, key).await?
        }
        None => None,
    };
    let mfa = pool_mfa_config(ctx, &pool).await?;
    let env = Env {
        pool: &pool,
        pool_mfa: &mfa,
        client: &client,
        flow: FLOW,
        now: ctx.app.clock.epoch(),
        device: device.as_ref(),
    };
    if let Some(session) = session.filter(|s| !s.is_empty()) {
        let answer = auto_sign_in(ctx, &env, user.as_ref(), session).await?;
        return Ok(Started {
            answer,
            available: None,
        });
    }
    let preferred = params.get("PREFERRED_CHALLENGE").map(String::as_str);
    if user.is_none()
        && preferred == Some(flow_ua::PASSWORD)
        && flow_ua::pool_allows(&env, flow_ua::PASSWORD)
    {
        // A sign-in with a password migrates an unknown user as USER_PASSWORD_AUTH does; the
        // passwordless factors never do (DG "Migrate user Lambda trigger").
        if let Some(password) = params.get("PASSWORD") {
            user = crate::ops::common::migrate_user(ctx, &pool, &client, username, Some(password))
                .await?;
        }
    }
    if user.is_none()
        && env.client.hides_user_existence()
        && preferred == Some(flow_ua::PASSWORD_SRP)
        && flow_ua::pool_allows(&env, flow_ua::PASSWORD)
    {
        // As USER_SRP_AUTH does (Cognito Developer Guide, "Managing user existence error
        // responses"): a stand-in PASSWORD_VERIFIER that fails at the signature like a wrong
        // password. Other first factors of a hidden unknown user get the generic "Incorrect
        // username or password." **[B: Cognito's USER_AUTH simulation is not on record]**.
        param(params, "SRP_A")?;
        let answer = crate::ops::auth::srp_auth::start(ctx, &pool, &client, FLOW, params).await?;
        return Ok(Started {
            answer,
            available: None,
        });
    }
    flow::before_password(&env, user.as_ref())?;
    let Some(user) = user.as_mut() else {
        return Err(flow::unknown_user(&env));
    };
    let passkeys = ctx
        .app
        .store
        .count_webauthn_credentials(&user.pool_id, &user.sub)
        .await?;
    let available = flow_ua::available(&env, user, usize::try_from(passkeys).unwrap_or(0));
    let answer = match flow_ua::choose(&available, preferred)? {
        Choice::Factor(factor) => start_factor(ctx, &env, user, factor, params).await?,
        Choice::Select => {
            let challenge = Challenge {
                parameters: BTreeMap::new(),
                pending: Pending::SelectChallenge {
                    available: available.clone(),
                },
            };
            conclude(ctx, &env, user, Outcome::Challenge(challenge)).await?
        }
    };
    Ok(Started {
        answer,
        available: Some(available),
    })
}

/// Starts the first factor `factor` (one the user can use): PASSWORD checks `PASSWORD` now,
/// PASSWORD_SRP answers PASSWORD_VERIFIER for `SRP_A`, the OTPs send a code, WEB_AUTHN asks for
/// an assertion. `params` are the AuthParameters, or the SELECT_CHALLENGE ChallengeResponses.
async fn start_factor(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &mut UserRecord,
    factor: &str,
    params: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    // Every caller has run `before_password`; PreAuthentication follows it as in every other
    // sign-in (`flow`'s decision order), before the password is checked or a code is sent.
    // PASSWORD_SRP gets it from `srp_auth::start`.
    if factor != flow_ua::PASSWORD_SRP {
        crate::triggers::pre_authentication(ctx, env.pool, env.client.id(), user).await?;
    }
    match factor {
        flow_ua::PASSWORD => {
            let password = param(params, "PASSWORD")?;
            let proven = password_matches(env.pool, user, password);
            let decision = flow::password_checked(env, user, proven);
            if decision.save_user {
                ctx.app.store.save_sign_in_counters(user).await?;
            }
            conclude(ctx, env, user, decision.outcome).await
        }
        flow_ua::PASSWORD_SRP => {
            param(params, "SRP_A")?;
            crate::ops::auth::srp_auth::start(ctx, env.pool, env.client, FLOW, params).await
        }
        flow_ua::EMAIL_OTP | flow_ua::SMS_OTP => {
            let channel = if factor == flow_ua::SMS_OTP {
                Channel::Sms
            } else {
                Channel::Email
            };
            let (code, details) = delivery::send_code_with(
                ctx,
                env.pool,
                user,
                channel,
                Purpose::SignInOtp,
                flow_ua::OTP_LENGTH,
                env.pool_mfa.email_mfa_configuration.as_ref(),
            )
            .await?;
            let mut parameters = BTreeMap::new();
            parameters.insert(
                "CODE_DELIVERY_DELIVERY_MEDIUM".to_string(),
                channel.medium().to_string(),
            );
            parameters.insert(
                "CODE_DELIVERY_DESTINATION".to_string(),
                details.destination.unwrap_or_default(),
            );
            let pending = Pending::FirstFactorOtp(OtpState {
                medium: channel.medium().to_string(),
                code_hash: flow_ua::code_hash(&code),
            });
            let challenge = Challenge {
                parameters,
                pending,
            };
            conclude(ctx, env, user, Outcome::Challenge(challenge)).await
        }
        flow_ua::WEB_AUTHN => {
            let challenge = crate::ops::auth::passkey::sign_in_challenge(ctx, env, user).await?;
            conclude(ctx, env, user, Outcome::Challenge(challenge)).await
        }
        // flow_ua::available only lists the factors above.
        other => Err(ApiError::invalid_parameter(format!(
            "The challenge {other} is not available for this user."
        ))),
    }
}

/// USER_AUTH with the Session SignUp or ConfirmSignUp returned: the `auth_sessions` row with
/// state `{"kind":"auto_sign_in"}` for this user and client, unused and unexpired, signs a
/// confirmed user in without another factor.
async fn auto_sign_in(
    ctx: &Ctx,
    env: &Env<'_>,
    user: Option<&UserRecord>,
    session_id: &str,
) -> ApiResult<AuthAnswer> {
    let row = ctx.app.store.get_auth_session(session_id).await?;
    let Some(row) = row else {
        return Err(flow_session::invalid());
    };
    let kind = serde_json::from_str::<serde_json::Value>(&row.state)
        .ok()
        .and_then(|s| s.get("kind").and_then(|k| k.as_str()).map(str::to_string));
    let Some(user) = user else {
        return Err(flow_session::invalid());
    };
    if kind.as_deref() != Some("auto_sign_in")
        || row.pool_id != user.pool_id
        || row.client_id != env.client.id()
        || row.sub.as_deref() != Some(user.sub.as_str())
    {
        return Err(flow_session::invalid());
    }
    if row.consumed {
        return Err(flow_session::reused());
    }
    if env.now >= row.expires_at {
        return Err(flow_session::expired());
    }
    flow::before_password(env, Some(user))?;
    // A new sign-in like any other, so PreAuthentication runs (DG "Pre authentication Lambda
    // trigger": invoked "when a user attempts to sign in"; only unknown users (LEGACY) and the
    // renewal of an existing session are left out); PostAuthentication and PreTokenGeneration
    // run in `conclude` as for every sign-in that ends with tokens. A refusal leaves the session
    // unused, as a refused first factor leaves nothing sent.
    crate::triggers::pre_authentication(ctx, env.pool, env.client.id(), user).await?;
    if !ctx.app.store.consume_auth_session(session_id).await? {
        return Err(flow_session::reused());
    }
    conclude(ctx, env, user, flow::after_password_set(env, user)).await
}

/// RespondToAuthChallenge SELECT_CHALLENGE: the factor chosen in ANSWER, with what it needs in
/// the same request (PASSWORD, SRP_A), or the code / WEB_AUTHN challenge it leads to.
pub async fn answer_selection(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &mut UserRecord,
    session_id: &str,
    offered: &[String],
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let factor = flow_ua::read_selection(offered, responses.get("ANSWER").map(String::as_str))?;
    // RespondToAuthChallenge loads the MFA document only for pools with MFA on; the WEB_AUTHN
    // options need the pool's WebAuthnConfiguration in any case.
    let full = pool_mfa_config(ctx, env.pool).await?;
    let env = &Env {
        pool_mfa: &full,
        ..*env
    };
    match factor {
        flow_ua::PASSWORD => {
            param(responses, "PASSWORD")?;
        }
        flow_ua::PASSWORD_SRP => {
            param(responses, "SRP_A")?;
        }
        flow_ua::WEB_AUTHN if responses.contains_key("CREDENTIAL") => {
            // [B] An assertion must sign a challenge this emulator issued, and a SELECT_CHALLENGE
            // session carries none: the client gets one by answering WEB_AUTHN alone.
            return Err(ApiError::not_authorized(
                "The CREDENTIAL does not answer a WEB_AUTHN challenge of this session; answer SELECT_CHALLENGE with ANSWER=WEB_AUTHN alone to get CREDENTIAL_REQUEST_OPTIONS.",
            ));
        }
        _ => {}
    }
    // The availability may have changed since InitiateAuth (a passkey deleted, an address
    // removed); what the user can use now decides.
    let passkeys = ctx
        .app
        .store
        .count_webauthn_credentials(&user.pool_id, &user.sub)
        .await?;
    let now_available = flow_ua::available(env, user, usize::try_from(passkeys).unwrap_or(0));
    if !now_available.iter().any(|f| f == factor) {
        return Err(flow_session::invalid());
    }
    // Disabled, reset or locked out since InitiateAuth.
    flow::before_password(env, Some(user))?;
    if !ctx.app.store.consume_auth_session(session_id).await? {
        return Err(flow_session::reused());
    }
    if factor == flow_ua::PASSWORD_SRP {
        // The SRP start resolves the user from USERNAME again and re-checks steps 3-7.
        return crate::ops::auth::srp_auth::start(ctx, env.pool, env.client, FLOW, responses).await;
    }
    start_factor(ctx, env, user, factor, responses).await
}

/// RespondToAuthChallenge EMAIL_OTP / SMS_OTP for a first-factor code: EMAIL_OTP_CODE /
/// SMS_OTP_CODE. A wrong code may be retried in the same session (observed:
/// robor-systems/tokapi-beta#27) until the session's wrong-code limit.
pub async fn answer_otp(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &UserRecord,
    session_id: &str,
    state: &OtpState,
    responses: &BTreeMap<String, String>,
) -> ApiResult<Outcome> {
    let code = param(responses, state.answer_key())?;
    let given = flow_ua::code_hash(code);
    let equal: bool =
        subtle::ConstantTimeEq::ct_eq(given.as_bytes(), state.code_hash.as_bytes()).into();
    if !equal {
        ctx.app.store.record_session_wrong_code(session_id).await?;
        return Err(flow_ua::wrong_code());
    }
    if !ctx.app.store.consume_auth_session(session_id).await? {
        return Err(flow_session::reused());
    }
    Ok(flow::after_second_factor(env, user))
}

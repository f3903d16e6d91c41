//! MFA challenges inside a sign-in: sending the code of SMS_MFA / EMAIL_OTP and checking the
//! answers of every MFA challenge (the rules are `flow::mfa`). The MFA settings operations are
//! `ops::mfa`.

use crate::delivery;
use crate::domain::attributes::{self, EMAIL, EMAIL_VERIFIED, PHONE, PHONE_VERIFIED};
use crate::domain::message::{Channel, Purpose};
use crate::domain::mfa::{Factor, UserMfa};
use crate::domain::records::UserRecord;
use crate::error::{ApiError, ApiResult};
use crate::flow::lockout;
use crate::flow::mfa::{self as flow_mfa, CodeState, SetupAnswer};
use crate::flow::session::{self as flow_session};
use crate::flow::{self, Challenge, Env, Outcome, Pending};
use crate::ops::common::claim_keys;
use crate::ops::common::consume;
use crate::state::Ctx;
use std::collections::BTreeMap;

/// Sends the code of an SMS_MFA / EMAIL_OTP challenge (outbox purpose `MFA`) and keeps it in the
/// challenge's pending state; other challenges pass through.
pub async fn deliver(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &UserRecord,
    mut challenge: Challenge,
) -> ApiResult<Challenge> {
    let (state, channel) = match &mut challenge.pending {
        Pending::SmsMfa(s) => (s, Channel::Sms),
        Pending::EmailOtp(s) => (s, Channel::Email),
        _ => return Ok(challenge),
    };
    if state.code.is_empty() {
        // The code goes to the address the challenge names, which for an email setup is not
        // (yet) the user's own.
        let mut recipient = user.clone();
        recipient
            .attributes
            .insert(channel.attribute().to_string(), state.destination.clone());
        let (code, _) = delivery::send_code_with(
            ctx,
            env.pool,
            &recipient,
            channel,
            Purpose::Mfa,
            flow_mfa::CODE_LENGTH,
            env.pool_mfa.email_mfa_configuration.as_ref(),
        )
        .await?;
        state.code = code;
    }
    Ok(challenge)
}

/// Answers every MFA challenge: `session_id` names the checked session, `pending` its state.
pub async fn answer(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &mut UserRecord,
    session_id: &str,
    pending: Pending,
    responses: &BTreeMap<String, String>,
) -> ApiResult<Outcome> {
    let store = &ctx.app.store;
    let is_code = matches!(
        pending,
        Pending::SmsMfa(_) | Pending::EmailOtp(_) | Pending::SoftwareTokenMfa
    );
    // A user locked out (by wrong passwords or wrong codes) cannot go on guessing codes in a
    // session opened before the lock (DG "Lockout behavior for failed sign-in attempts").
    if is_code && lockout::is_locked(user, env.now) {
        return Err(ApiError::not_authorized("Password attempts exceeded"));
    }
    match pending {
        Pending::SmsMfa(ref state) | Pending::EmailOtp(ref state) => {
            let key = flow_mfa::code_key(&pending);
            if let Err(e) = flow_mfa::check_code(state, responses, key) {
                return wrong_answer(ctx, env, user, session_id, e).await;
            }
            consume(ctx, session_id).await?;
            if lockout::record_right_code(user) {
                store.save_mfa_code_counters(user).await?;
            }
            let is_sms = matches!(pending, Pending::SmsMfa(_));
            after_code(ctx, env, user, state, is_sms).await?;
            Ok(flow::after_second_factor(env, user))
        }
        Pending::SoftwareTokenMfa => {
            let step = match flow_mfa::check_software_token(user, responses, ctx.app.clock.unix()) {
                Ok(step) => step,
                Err(e) => return wrong_answer(ctx, env, user, session_id, e).await,
            };
            consume(ctx, session_id).await?;
            lockout::record_right_code(user);
            let mut m = UserMfa::of(user);
            if let Some(t) = m.software_token.as_mut() {
                t.last_used_step = Some(step);
            }
            m.save(user);
            store.update_user(user).await?;
            Ok(flow::after_second_factor(env, user))
        }
        Pending::SelectMfaType { choices } => {
            let factor = flow_mfa::read_selection(&choices, responses)?;
            let challenge = flow_mfa::factor_challenge(user, factor)?;
            consume(ctx, session_id).await?;
            Ok(Outcome::Challenge(challenge))
        }
        Pending::MfaSetup(state) => match flow_mfa::read_setup(&state, responses)? {
            SetupAnswer::Done => {
                consume(ctx, session_id).await?;
                Ok(flow::after_second_factor(env, user))
            }
            SetupAnswer::Email(address) => {
                consume(ctx, session_id).await?;
                Ok(Outcome::Challenge(flow_mfa::email_setup_challenge(
                    user, &address,
                )))
            }
        },
        // Answered elsewhere (ops::auth, ops::devices).
        _ => Err(flow_session::invalid()),
    }
}

/// What a proven SMS / email code changes: the address it reached is verified (for SMS: Cognito
/// Developer Guide, "Adding MFA to a user pool"); an email setup also stores the address and turns
/// email MFA on.
pub async fn after_code(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &mut UserRecord,
    state: &CodeState,
    is_sms: bool,
) -> ApiResult<()> {
    let (attr, flag) = if is_sms {
        (PHONE, PHONE_VERIFIED)
    } else {
        (EMAIL, EMAIL_VERIFIED)
    };
    if state.setup {
        user.attributes
            .insert(attr.to_string(), state.destination.clone());
        let mut m = UserMfa::of(user);
        m.set_enabled(Factor::Email, true);
        m.save(user);
    } else if user.attributes.get(attr) != Some(&state.destination) {
        // The address changed since the code went out: nothing to mark.
        return Ok(());
    }
    if !state.setup && attributes::is_true(&user.attributes, flag) {
        return Ok(());
    }
    user.attributes.insert(flag.to_string(), "true".into());
    attributes::refresh_keys(env.pool, user);
    claim_keys(ctx, env.pool, user, false, false).await?;
    user.modified_at = env.now;
    ctx.app.store.update_user(user).await?;
    Ok(())
}

/// A wrong code: counted against the session (which stays usable until the limit) and against the
/// user (five start the lock-out, `flow::lockout::record_wrong_code`), then the error.
pub async fn wrong_answer(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &mut UserRecord,
    session_id: &str,
    e: ApiError,
) -> ApiResult<Outcome> {
    if matches!(e.code, "CodeMismatchException" | "ExpiredCodeException") {
        ctx.app.store.record_session_wrong_code(session_id).await?;
        lockout::record_wrong_code(user, env.now);
        ctx.app.store.save_mfa_code_counters(user).await?;
    }
    Err(e)
}

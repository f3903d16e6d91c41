//! CUSTOM_AUTH (spec 2.1): the sign-in whose challenges are the pool's Define / Create / Verify
//! Auth Challenge triggers, with or without an SRP password check first (Amplify's
//! CUSTOM_WITH_SRP / CUSTOM_WITHOUT_SRP). The decisions on the triggers' answers are
//! `flow::custom`'s; this file makes the calls and keeps the sessions.
//!
//! Entry points, called from one line each in `ops::auth` / `ops::srp_auth`:
//! - [`start`]: InitiateAuth / AdminInitiateAuth with AuthFlow CUSTOM_AUTH;
//! - [`answer`]: RespondToAuthChallenge CUSTOM_CHALLENGE;
//! - [`after_password_verifier`]: a PASSWORD_VERIFIER answered in a CUSTOM_AUTH sign-in.

use super::auth::{conclude, pool_mfa, AuthAnswer};
use super::users::resolve_user;
use super::Ctx;
use crate::domain::client::ClientExt;
use crate::domain::secret_hash;
use crate::error::{ApiError, ApiResult};
use crate::flow::custom::{self, ChallengeResult, CustomPending, Next};
use crate::flow::{self, session as flow_session, Env, Outcome};
use crate::model::shapes::{UserPoolClientType, UserPoolType};
use crate::store::users::UserRecord;
use crate::triggers::{self, challenge, Trigger};
use std::collections::BTreeMap;

pub const FLOW: &str = "CUSTOM_AUTH";

fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> ApiResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::missing_parameter(name))
}

/// InitiateAuth / AdminInitiateAuth with AuthFlow CUSTOM_AUTH. The caller has checked that the
/// client allows the flow.
pub(super) async fn start(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    flow_name: &str,
    params: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let username = param(params, "USERNAME")?;
    secret_hash::check(
        client,
        username,
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    if !triggers::configured(&ctx.app, pool, Trigger::DefineAuthChallenge) {
        return Err(custom::not_configured());
    }
    let with_srp = params.get("CHALLENGE_NAME").map(String::as_str) == Some("SRP_A");
    if with_srp {
        param(params, "SRP_A")?;
    }
    let user = resolve_user(ctx, pool, username).await?;
    let device = match &user {
        Some(u) => {
            super::devices::for_sign_in(
                ctx,
                pool,
                flow_name,
                u,
                params.get("DEVICE_KEY").map(String::as_str),
            )
            .await?
        }
        None => None,
    };
    let mfa = pool_mfa(ctx, pool).await?;
    let env = Env {
        pool,
        pool_mfa: &mfa,
        client,
        flow: flow_name,
        now: ctx.app.clock.epoch(),
        device: device.as_ref(),
    };
    // Unknown (hidden or not), disabled, unconfirmed, reset required, locked out: refused before
    // any trigger runs **[B: Cognito runs the challenge triggers with `userNotFound: true` for
    // hidden unknown users; the emulator refuses them at once with the same final answer]**.
    flow::before_password(&env, user.as_ref())?;
    let Some(user) = user else {
        return Err(flow::unknown_user(&env));
    };
    triggers::pre_authentication(ctx, pool, client.id(), &user).await?;

    let session = if with_srp {
        vec![ChallengeResult::new("SRP_A", true)]
    } else {
        Vec::new()
    };
    let next = challenge::define(ctx, pool, client.id(), &user, &session).await?;
    if with_srp && next == Next::PasswordVerifier {
        // The SRP exchange remembers the flow; its answer comes back to
        // `after_password_verifier`.
        return super::srp_auth::start(ctx, pool, client, FLOW, params).await;
    }
    let outcome = proceed(ctx, &env, &user, session, next).await?;
    conclude(ctx, &env, &user, outcome).await
}

/// Asks Define what follows `session` and acts on it.
async fn decide(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &UserRecord,
    session: Vec<ChallengeResult>,
) -> ApiResult<Outcome> {
    if custom::too_many_rounds(&session) {
        return Ok(Outcome::Error(custom::fail()));
    }
    let next = challenge::define(ctx, env.pool, env.client.id(), user, &session).await?;
    proceed(ctx, env, user, session, next).await
}

async fn proceed(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &UserRecord,
    session: Vec<ChallengeResult>,
    next: Next,
) -> ApiResult<Outcome> {
    match next {
        Next::Fail => Ok(Outcome::Error(custom::fail())),
        // No MFA here: Cognito asks it only right after a PASSWORD_VERIFIER (see
        // `after_password_verifier`), never after custom challenges (the Cognito team in
        // amplify-js#12887). A known device still proves itself.
        Next::Tokens => Ok(flow::after_second_factor(env, user)),
        Next::CustomChallenge => {
            let created =
                challenge::create(ctx, env.pool, env.client.id(), user, custom::NAME, &session)
                    .await?;
            Ok(Outcome::Challenge(custom::challenge(
                created,
                session,
                &user.username,
            )))
        }
        // PASSWORD_VERIFIER only follows SRP_A (handled by `start`).
        Next::PasswordVerifier => Err(custom::unrecognizable()),
    }
}

/// RespondToAuthChallenge CUSTOM_CHALLENGE: Verify checks `ANSWER`, Define decides what follows.
pub(super) async fn answer(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &mut UserRecord,
    session_id: &str,
    pending: CustomPending,
    responses: &BTreeMap<String, String>,
) -> ApiResult<Outcome> {
    let answer = param(responses, "ANSWER")?;
    // One answer per session, decided before the triggers run.
    if !ctx.app.store.consume_auth_session(session_id).await? {
        return Err(flow_session::reused());
    }
    let correct = challenge::verify(
        ctx,
        env.pool,
        env.client.id(),
        user,
        &pending.private_parameters,
        answer,
    )
    .await?;
    decide(ctx, env, user, custom::record_answer(&pending, correct)).await
}

/// After a PASSWORD_VERIFIER answer: in a CUSTOM_AUTH sign-in a proven password goes back to
/// Define with `[SRP_A, PASSWORD_VERIFIER]`; a refusal (wrong password, lock-out, expired
/// temporary password) and NEW_PASSWORD_REQUIRED stay as they are. Other flows pass through.
pub(super) async fn after_password_verifier(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &UserRecord,
    auth_flow: &str,
    outcome: Outcome,
) -> ApiResult<Outcome> {
    if auth_flow != FLOW {
        return Ok(outcome);
    }
    match outcome {
        Outcome::Error(e) if e.code == "NotAuthorizedException" => Ok(Outcome::Error(e)),
        Outcome::Challenge(c) if c.pending == flow::Pending::NewPasswordRequired => {
            Ok(Outcome::Challenge(c))
        }
        // A user with MFA gets Cognito's own MFA challenge after the password, and its answer
        // ends with tokens without Define being asked again (amplify-js#3876).
        Outcome::Challenge(c) if is_mfa(&c.pending) => Ok(Outcome::Challenge(c)),
        _ => decide(ctx, env, user, custom::after_srp()).await,
    }
}

fn is_mfa(pending: &flow::Pending) -> bool {
    use flow::Pending::*;
    matches!(
        pending,
        SmsMfa(_) | EmailOtp(_) | SoftwareTokenMfa | SelectMfaType { .. } | MfaSetup(_)
    )
}

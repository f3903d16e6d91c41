//! CUSTOM_AUTH (API Reference, InitiateAuth): the sign-in whose challenges are the pool's Define /
//! Create / Verify Auth Challenge triggers, with or without an SRP password check first (Amplify's
//! CUSTOM_WITH_SRP / CUSTOM_WITHOUT_SRP). The decisions on the triggers' answers are
//! `flow::custom`'s; this file makes the calls and keeps the sessions.
//!
//! Entry points, called from one line each in `ops::auth` / `ops::auth::srp_auth`:
//! - [`start`]: InitiateAuth / AdminInitiateAuth with AuthFlow CUSTOM_AUTH;
//! - [`answer`]: RespondToAuthChallenge CUSTOM_CHALLENGE;
//! - [`after_password_verifier`]: a PASSWORD_VERIFIER answered in a CUSTOM_AUTH sign-in.

use crate::domain::client::ClientExt;
use crate::domain::pool::PoolExt;
use crate::domain::records::UserRecord;
use crate::domain::secret_hash;
use crate::domain::triggers::Trigger;
use crate::error::{ApiError, ApiResult};
use crate::flow::custom::{self, ChallengeResult, CustomPending, Next};
use crate::flow::session::SessionState;
use crate::flow::{self, session as flow_session, Env, Outcome};
use crate::model::shapes::{UserPoolClientType, UserPoolType};
use crate::ops::auth::conclude;
use crate::ops::auth::AuthAnswer;
use crate::ops::common::pool_mfa;
use crate::ops::common::resolve_user;
use crate::state::Ctx;
use crate::triggers::{self, challenge, Call};
use serde_json::{Map, Value};
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
pub async fn start(
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
    if !triggers::configured(ctx, pool, Trigger::DefineAuthChallenge) {
        return Err(custom::not_configured());
    }
    let with_srp = params.get("CHALLENGE_NAME").map(String::as_str) == Some("SRP_A");
    if with_srp {
        param(params, "SRP_A")?;
    }
    let user = resolve_user(ctx, pool, username).await?;
    let device = match &user {
        Some(u) => {
            crate::ops::auth::devices::for_sign_in(
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
    // A username that matches nobody, in a client that hides user existence, goes through the
    // triggers like a user would (DG: `userNotFound` "is populated when PreventUserExistenceErrors
    // is set to ENABLED"), and fails only where a known user's wrong answers would.
    if user.is_none() && client.hides_user_existence() {
        return start_unknown(ctx, &env, username, with_srp, params).await;
    }
    // Unknown (LEGACY), disabled, unconfirmed, reset required, locked out: refused before any
    // trigger runs.
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
    let next = challenge::define(ctx, pool, client, &user, &session).await?;
    if with_srp && next == Next::PasswordVerifier {
        // The SRP exchange remembers the flow; its answer comes back to
        // `after_password_verifier`.
        return crate::ops::auth::srp_auth::start(ctx, pool, client, FLOW, params).await;
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
    let next = challenge::define(ctx, env.pool, env.client, user, &session).await?;
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
                challenge::create(ctx, env.pool, env.client, user, custom::NAME, &session).await?;
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
pub async fn answer(
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
        env.client,
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
pub async fn after_password_verifier(
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

// ---------------------------------------------------------------------------------------------
// Unknown users hidden by PreventUserExistenceErrors
// ---------------------------------------------------------------------------------------------

/// A trigger's call for a username that matched no user: no attributes, and
/// `userNotFound: true`. The event's `userName` is the USERNAME sent **[B: what Cognito puts
/// there for nobody is not on record]**.
async fn run_for_unknown(
    ctx: &Ctx,
    env: &Env<'_>,
    username: &str,
    trigger: Trigger,
    mut request: Map<String, Value>,
) -> ApiResult<Map<String, Value>> {
    request.insert("userAttributes".into(), Value::Object(Map::new()));
    request.insert("userNotFound".into(), Value::Bool(true));
    let source = match trigger {
        Trigger::PreAuthentication => "PreAuthentication_Authentication",
        Trigger::DefineAuthChallenge => "DefineAuthChallenge_Authentication",
        Trigger::CreateAuthChallenge => "CreateAuthChallenge_Authentication",
        _ => "VerifyAuthChallengeResponse_Authentication",
    };
    triggers::run(
        ctx,
        Call {
            trigger,
            source,
            pool: env.pool,
            client_id: Some(env.client.id()),
            user_name: username,
            request,
            version: "1",
        },
    )
    .await?
    .ok_or_else(custom::not_configured)
}

fn history(session: &[ChallengeResult]) -> Value {
    serde_json::to_value(session).unwrap_or(Value::Array(Vec::new()))
}

/// Define for an unknown user, its answer already mapped by `custom::unknown_user_next`.
async fn define_unknown(
    ctx: &Ctx,
    env: &Env<'_>,
    username: &str,
    session: &[ChallengeResult],
) -> ApiResult<Next> {
    let mut request = Map::new();
    request.insert("session".into(), history(session));
    let response =
        run_for_unknown(ctx, env, username, Trigger::DefineAuthChallenge, request).await?;
    custom::unknown_user_next(custom::read_define(&response)?)
}

async fn start_unknown(
    ctx: &Ctx,
    env: &Env<'_>,
    username: &str,
    with_srp: bool,
    params: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    // PreAuthentication too: it "doesn't activate when a user doesn't exist unless the
    // PreventUserExistenceErrors setting ... is ENABLED" (DG "Pre authentication Lambda
    // trigger"), and then gets `userNotFound: true`. InitiateAuth's ClientMetadata is its
    // `validationData`, as for a known user.
    let mut request = Map::new();
    let validation = ctx.request.client_metadata.clone().unwrap_or(Value::Null);
    request.insert("validationData".into(), validation);
    if triggers::configured(ctx, env.pool, Trigger::PreAuthentication) {
        run_for_unknown(ctx, env, username, Trigger::PreAuthentication, request).await?;
    }
    let session = if with_srp {
        vec![ChallengeResult::new("SRP_A", true)]
    } else {
        Vec::new()
    };
    let next = define_unknown(ctx, env, username, &session).await?;
    if with_srp && next == Next::PasswordVerifier {
        // The SRP exchange answers a stand-in PASSWORD_VERIFIER for unknown users, whose
        // signature then fails as a wrong password does (Cognito Developer Guide,
        // "Managing user existence error responses").
        return crate::ops::auth::srp_auth::start(ctx, env.pool, env.client, FLOW, params).await;
    }
    proceed_unknown(ctx, env, username, session, next).await
}

async fn proceed_unknown(
    ctx: &Ctx,
    env: &Env<'_>,
    username: &str,
    session: Vec<ChallengeResult>,
    next: Next,
) -> ApiResult<AuthAnswer> {
    if next != Next::CustomChallenge {
        return Err(custom::unrecognizable());
    }
    let mut request = Map::new();
    request.insert("challengeName".into(), custom::NAME.into());
    request.insert("session".into(), history(&session));
    let response =
        run_for_unknown(ctx, env, username, Trigger::CreateAuthChallenge, request).await?;
    let created = custom::read_create(&response)?;
    let c = custom::challenge_for_unknown_user(created, session, username);
    let name = c.name();
    let state = SessionState {
        flow: env.flow.to_string(),
        username: username.to_string(),
        pending: c.pending,
    };
    let id = crate::ids::session_id();
    // No user: the answer comes back to `answer_unknown`, never to a user's flow.
    let row = crate::flow::session::new_row(
        id.clone(),
        env.pool.pool_id(),
        env.client.id(),
        None,
        &state,
        env.now,
        env.client.auth_session_seconds() as f64,
    )?;
    ctx.app.store.insert_auth_session(&row).await?;
    Ok(AuthAnswer {
        challenge_name: Some(name.to_string()),
        session: Some(id),
        challenge_parameters: Some(c.parameters),
        authentication_result: None,
        hosted_user: None,
    })
}

/// (Admin)RespondToAuthChallenge CUSTOM_CHALLENGE in a session of an unknown user (the caller has
/// checked the session with `flow::session::check` and found `custom::is_for_unknown_user`):
/// Verify and Define run with `userNotFound: true`; the sign-in goes on with another challenge or
/// ends with "Incorrect username or password.".
pub async fn answer_unknown(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    session_id: &str,
    state: SessionState,
    username: &str,
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    // The USERNAME sent must be the one the sign-in started with, as a user's alias must
    // resolve to the session's user.
    if pool.username_key(username) != pool.username_key(&state.username) {
        return Err(flow_session::invalid());
    }
    let flow::Pending::CustomChallenge(pending) = state.pending else {
        return Err(flow_session::invalid());
    };
    let answer = param(responses, "ANSWER")?;
    if !ctx.app.store.consume_auth_session(session_id).await? {
        return Err(flow_session::reused());
    }
    let mfa = pool_mfa(ctx, pool).await?;
    let env = Env {
        pool,
        pool_mfa: &mfa,
        client,
        flow: &state.flow,
        now: ctx.app.clock.epoch(),
        device: None,
    };
    let mut request = Map::new();
    request.insert(
        "privateChallengeParameters".into(),
        Value::Object(pending.private_parameters.clone()),
    );
    request.insert("challengeAnswer".into(), answer.into());
    let response = run_for_unknown(
        ctx,
        &env,
        &state.username,
        Trigger::VerifyAuthChallengeResponse,
        request,
    )
    .await?;
    let correct = custom::read_verify(&response)?;
    let session = custom::record_answer(&pending, correct);
    if custom::too_many_rounds(&session) {
        return Err(custom::fail());
    }
    let next = define_unknown(ctx, &env, &state.username, &session).await?;
    proceed_unknown(ctx, &env, &state.username, session, next).await
}

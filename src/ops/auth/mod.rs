//! Sign-in and token operations: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge,
//! AdminRespondToAuthChallenge, GetTokensFromRefreshToken, RevokeToken, GlobalSignOut,
//! AdminUserGlobalSignOut.
//!
//! These functions do the I/O around the pure state machine in `flow`: load the pool, client and
//! user, prove passwords, store sessions and counters, mint tokens. The decisions themselves
//! (which error, which challenge, when tokens) are `flow`'s.
//!
//! Every flow of the model is answered here or in its family's module (`srp_auth`, `custom_auth`,
//! `user_auth`); a flow or challenge without one would answer `UnsupportedOperationException`
//! naming it (modelled for InitiateAuth, never retried by SDKs).

pub mod custom;
pub mod devices;
pub mod federated;
pub mod mfa;
pub mod passkey;
pub mod srp_auth;
pub mod user_auth;

use crate::crypto::srp;
use crate::domain::attributes::{self, WriteMode};
use crate::domain::client::ClientExt;
use crate::domain::pool::PoolExt;
use crate::domain::records::UserRecord;
use crate::domain::secret_hash;
use crate::domain::user_status::UserStatus;
use crate::error::{ApiError, ApiResult};
use crate::flow::session::{self as flow_session, SessionState};
use crate::flow::{self, new_password, Env, Outcome, Pending};
use crate::model::shapes::*;
use crate::ops::common::client_not_found;
use crate::ops::common::load_client;
use crate::ops::common::load_pool;
use crate::ops::common::load_user;
use crate::ops::common::pool_mfa;
use crate::ops::common::resolve_user;
use crate::state::Ctx;
use crate::tokens::access::verify_access_token;
use crate::tokens::{self, Subject};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which operation a sign-in came through: flows are bound to one side (API Reference, InitiateAuth
/// and AdminInitiateAuth: AuthFlow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Public,
    Admin,
}

/// The members InitiateAuth, AdminInitiateAuth and both RespondToAuthChallenge variants share.
#[derive(Default)]
pub struct AuthAnswer {
    pub(super) challenge_name: Option<String>,
    pub(super) session: Option<String>,
    pub(super) challenge_parameters: Option<BTreeMap<String, String>>,
    pub(super) authentication_result: Option<AuthenticationResultType>,
    /// A hosted UI sign-in that finished: the user, whose tokens the code exchange mints.
    pub(super) hosted_user: Option<UserRecord>,
}

impl AuthAnswer {
    pub(super) fn tokens(result: AuthenticationResultType) -> Self {
        Self {
            challenge_parameters: Some(BTreeMap::new()),
            authentication_result: Some(result),
            ..Default::default()
        }
    }
}

macro_rules! answer_into {
    ($($t:ident $({ $($extra:ident: $v:expr),* })?),*) => {$(
        impl From<AuthAnswer> for $t {
            fn from(a: AuthAnswer) -> Self {
                $t {
                    challenge_name: a.challenge_name,
                    session: a.session,
                    challenge_parameters: a.challenge_parameters,
                    authentication_result: a.authentication_result,
                    $($($extra: $v,)*)?
                }
            }
        }
    )*};
}

answer_into!(
    InitiateAuthResponse {
        available_challenges: None
    },
    AdminInitiateAuthResponse {
        available_challenges: None
    },
    RespondToAuthChallengeResponse,
    AdminRespondToAuthChallengeResponse
);

// ---------------------------------------------------------------------------------------------
// Loading what a request names
// ---------------------------------------------------------------------------------------------

/// The pool and client of a sign-in request. Public operations only name the client.
pub async fn pool_and_client(
    ctx: &Ctx,
    endpoint: Endpoint,
    pool_id: Option<&str>,
    client_id: &str,
) -> ApiResult<(Arc<UserPoolType>, Arc<UserPoolClientType>)> {
    match endpoint {
        Endpoint::Admin => {
            let pool_id = pool_id.unwrap_or_default();
            let mut pool = load_pool(ctx, pool_id).await?;
            // Admin sign-ins never track devices, whatever their AuthFlow (Cognito Developer Guide,
            // "Working with user devices in your user pool"): seen without DeviceConfiguration, no
            // flow (USER_AUTH, USER_SRP_AUTH, CUSTOM_AUTH included) announces, challenges or binds
            // a device. Sign-in reads it nowhere else.
            if pool.device_configuration.is_some() {
                Arc::make_mut(&mut pool).device_configuration = None;
            }
            let client = load_client(ctx, pool_id, client_id).await?;
            Ok((pool, client))
        }
        Endpoint::Public => {
            let client = ctx
                .app
                .store
                .get_client(client_id)
                .await?
                .ok_or_else(|| client_not_found(client_id))?;
            let mut pool = load_pool(ctx, client.pool_id()).await?;
            if ctx.request.hosted_ui {
                // No device tracking on the hosted pages: the browser has no device key to prove.
                if pool.device_configuration.is_some() {
                    Arc::make_mut(&mut pool).device_configuration = None;
                }
            }
            Ok((pool, client))
        }
    }
}

fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> ApiResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::missing_parameter(name))
}

/// The user's password proven against the stored SRP verifier (one stored secret serves every
/// flow: see `crypto::srp`).
pub fn password_matches(pool: &UserPoolType, user: &UserRecord, password: &str) -> bool {
    match (&user.password_salt, &user.password_verifier) {
        (Some(salt), Some(verifier)) => {
            let pv = srp::PasswordVerifier {
                salt: salt.clone(),
                verifier: verifier.clone(),
            };
            srp::check_password(pool.pool_name_for_srp(), &user.username, password, &pv)
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Turning an outcome into an answer
// ---------------------------------------------------------------------------------------------

/// Tokens, or a challenge with a new session, or the error: how every sign-in step ends.
pub async fn conclude(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &UserRecord,
    outcome: Outcome,
) -> ApiResult<AuthAnswer> {
    match outcome {
        Outcome::Error(e) => {
            crate::ops::common::record_failed_sign_in(ctx, env.pool, user, &e).await?;
            Err(e)
        }
        Outcome::Tokens if ctx.request.hosted_ui => {
            signed_in(ctx, env, user).await?;
            Ok(AuthAnswer {
                hosted_user: Some(user.clone()),
                ..Default::default()
            })
        }
        Outcome::Tokens => {
            signed_in(ctx, env, user).await?;
            let groups = ctx
                .app
                .store
                .groups_for_user(user.pool_id.as_str(), &user.sub)
                .await?;
            let subject = Subject {
                pool: env.pool,
                client: env.client,
                user,
                groups: &groups,
            };
            let (device_key, new_device) =
                crate::ops::auth::devices::for_tokens(ctx, env, user).await?;
            let mut result = tokens::sign_in(ctx, &subject, device_key.as_deref()).await?;
            result.new_device_metadata = new_device;
            Ok(AuthAnswer::tokens(result))
        }
        Outcome::Challenge(challenge) => {
            let challenge = crate::ops::auth::mfa::deliver(ctx, env, user, challenge).await?;
            let name = challenge.name();
            let state = SessionState {
                flow: env.flow.to_string(),
                username: user.username.clone(),
                pending: challenge.pending,
            };
            let id = crate::ids::session_id();
            let row = crate::flow::session::new_row(
                id.clone(),
                &user.pool_id,
                env.client.id(),
                Some(user.sub.clone()),
                &state,
                env.now,
                env.client.auth_session_seconds() as f64,
            )?;
            ctx.app.store.insert_auth_session(&row).await?;
            Ok(AuthAnswer {
                challenge_name: Some(name.to_string()),
                session: Some(id),
                challenge_parameters: Some(challenge.parameters),
                ..Default::default()
            })
        }
    }
}

/// What every successful sign-in records before its tokens are issued (API or hosted UI).
pub(crate) async fn signed_in(ctx: &Ctx, env: &Env<'_>, user: &UserRecord) -> ApiResult<()> {
    crate::ops::common::record_event(ctx, env.pool, user, "SignIn").await?;
    crate::triggers::post_authentication(ctx, env.pool, env.client.id(), user).await
}

// ---------------------------------------------------------------------------------------------
// InitiateAuth / AdminInitiateAuth
// ---------------------------------------------------------------------------------------------

fn flow_not_enabled() -> ApiError {
    ApiError::invalid_parameter("Auth flow not enabled for this client")
}

fn method_not_supported() -> ApiError {
    ApiError::invalid_parameter("Initiate Auth method not supported.")
}

async fn initiate(
    ctx: &Ctx,
    endpoint: Endpoint,
    pool_id: Option<&str>,
    client_id: &str,
    flow_name: &str,
    params: BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let (pool, client) = pool_and_client(ctx, endpoint, pool_id, client_id).await?;
    match (flow_name, endpoint) {
        ("USER_PASSWORD_AUTH", Endpoint::Public) => {
            if !client.allows("ALLOW_USER_PASSWORD_AUTH") {
                return Err(ApiError::invalid_parameter(
                    "USER_PASSWORD_AUTH flow not enabled for this client",
                ));
            }
            password_auth(ctx, &pool, &client, flow_name, &params).await
        }
        ("ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH", Endpoint::Admin) => {
            if !client.allows("ALLOW_ADMIN_USER_PASSWORD_AUTH") {
                return Err(flow_not_enabled());
            }
            password_auth(ctx, &pool, &client, flow_name, &params).await
        }
        ("USER_PASSWORD_AUTH", Endpoint::Admin)
        | ("ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH", Endpoint::Public) => {
            Err(method_not_supported())
        }
        ("REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN", _) => {
            if !client.allows("ALLOW_REFRESH_TOKEN_AUTH") {
                return Err(flow_not_enabled());
            }
            if client.rotates_refresh_tokens() {
                // [B: exception not verified against AWS] The text says what to do instead.
                return Err(ApiError::not_authorized(
                    "Refresh token rotation is enabled for this client; use GetTokensFromRefreshToken.",
                ));
            }
            let token = param(&params, "REFRESH_TOKEN")?;
            let proof = SecretProof::Hash(params.get("SECRET_HASH").map(String::as_str));
            let result = refresh(
                ctx,
                &pool,
                &client,
                token,
                params.get("DEVICE_KEY").map(String::as_str),
                proof,
                false,
            )
            .await?;
            Ok(AuthAnswer::tokens(result))
        }
        ("USER_SRP_AUTH", _) => {
            if !client.allows("ALLOW_USER_SRP_AUTH") {
                return Err(flow_not_enabled());
            }
            crate::ops::auth::srp_auth::start(ctx, &pool, &client, flow_name, &params).await
        }
        ("CUSTOM_AUTH", _) => {
            if !client.allows("ALLOW_CUSTOM_AUTH") {
                return Err(flow_not_enabled());
            }
            crate::ops::auth::custom::start(ctx, &pool, &client, flow_name, &params).await
        }
        // Answered by `user_auth::initiate` before this match (it has its own response member,
        // AvailableChallenges); kept so the match stays total.
        ("USER_AUTH", _) => Err(flow_not_enabled()),
        // The model's enum is checked before we get here; anything else is a new enum value.
        _ => Err(method_not_supported()),
    }
}

/// USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH.
async fn password_auth(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    flow_name: &str,
    params: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let username = param(params, "USERNAME")?;
    let password = param(params, "PASSWORD")?;
    secret_hash::check(
        client,
        username,
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    let device_key = params.get("DEVICE_KEY").map(String::as_str);
    let p = password_outcome(ctx, pool, client, flow_name, username, password, device_key).await?;
    let env = p.env(pool, client, flow_name);
    let Some(user) = &p.user else {
        return Err(match p.outcome {
            Outcome::Error(e) => e,
            _ => flow::unknown_user(&env),
        });
    };
    conclude(ctx, &env, user, p.outcome.clone()).await
}

/// What a plain-password sign-in decided, with the loaded state its [`Env`] is made of.
pub(crate) struct PasswordOutcome {
    /// None: unknown user (the outcome is the error to answer).
    pub(crate) user: Option<UserRecord>,
    pub(crate) outcome: Outcome,
    pool_mfa: GetUserPoolMfaConfigResponse,
    device: Option<crate::domain::records::DeviceRecord>,
    now: f64,
}

impl PasswordOutcome {
    pub(crate) fn env<'a>(
        &'a self,
        pool: &'a UserPoolType,
        client: &'a UserPoolClientType,
        flow: &'a str,
    ) -> Env<'a> {
        Env {
            pool,
            pool_mfa: &self.pool_mfa,
            client,
            flow,
            now: self.now,
            device: self.device.as_ref(),
        }
    }
}

/// The password sign-in's decision order (`flow`, steps 1-12) up to its outcome: shared by the
/// USER_PASSWORD_AUTH family and the hosted UI's /login, which ends it differently.
pub(crate) async fn password_outcome(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    flow_name: &str,
    username: &str,
    password: &str,
    device_key: Option<&str>,
) -> ApiResult<PasswordOutcome> {
    let mut user = match resolve_user(ctx, pool, username).await? {
        None => {
            crate::ops::common::migrate_user(ctx, pool, client, username, Some(password)).await?
        }
        found => found,
    };
    let device = match &user {
        Some(u) => {
            crate::ops::auth::devices::for_sign_in(ctx, pool, flow_name, u, device_key).await?
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
    match user.as_ref() {
        Some(u) if flow::before_password(&env, Some(u)).is_ok() => {
            crate::triggers::pre_authentication(ctx, pool, client.id(), u).await?;
        }
        None if client.hides_user_existence() => {
            crate::triggers::pre_authentication_unknown(ctx, pool, client.id(), username).await?;
        }
        _ => {}
    }
    let decision =
        flow::password_sign_in(&env, user.as_mut(), |u| password_matches(pool, u, password));
    if let Some(user) = user.as_ref().filter(|_| decision.save_user) {
        ctx.app.store.save_sign_in_counters(user).await?;
    }
    Ok(PasswordOutcome {
        user,
        outcome: decision.outcome,
        now: env.now,
        pool_mfa: mfa,
        device,
    })
}

pub async fn initiate_auth(ctx: Ctx, req: InitiateAuthRequest) -> ApiResult<InitiateAuthResponse> {
    let client_id = req.client_id.unwrap_or_default();
    let flow_name = req.auth_flow.unwrap_or_default();
    let params = req.auth_parameters.unwrap_or_default();
    if flow_name == crate::flow::user_auth::FLOW {
        let session = req.session.as_deref();
        return crate::ops::auth::user_auth::initiate(
            &ctx,
            Endpoint::Public,
            None,
            &client_id,
            &params,
            session,
        )
        .await
        .map(Into::into);
    }
    initiate(&ctx, Endpoint::Public, None, &client_id, &flow_name, params)
        .await
        .map(Into::into)
}

pub async fn admin_initiate_auth(
    ctx: Ctx,
    req: AdminInitiateAuthRequest,
) -> ApiResult<AdminInitiateAuthResponse> {
    let client_id = req.client_id.unwrap_or_default();
    let flow_name = req.auth_flow.unwrap_or_default();
    let params = req.auth_parameters.unwrap_or_default();
    if flow_name == crate::flow::user_auth::FLOW {
        let pool_id = req.user_pool_id.as_deref();
        let session = req.session.as_deref();
        return crate::ops::auth::user_auth::initiate(
            &ctx,
            Endpoint::Admin,
            pool_id,
            &client_id,
            &params,
            session,
        )
        .await
        .map(Into::into);
    }
    initiate(
        &ctx,
        Endpoint::Admin,
        req.user_pool_id.as_deref(),
        &client_id,
        &flow_name,
        params,
    )
    .await
    .map(Into::into)
}

// ---------------------------------------------------------------------------------------------
// RespondToAuthChallenge / AdminRespondToAuthChallenge
// ---------------------------------------------------------------------------------------------

/// Whether the USERNAME a challenge answer carries names the session's user: the internal name,
/// or any alias that resolves to the same user **[B: accepting aliases is a best guess]**.
pub async fn names_session_user(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    username: &str,
) -> ApiResult<bool> {
    if username == user.username || pool.username_key(username) == user.username_key {
        return Ok(true);
    }
    Ok(resolve_user(ctx, pool, username)
        .await?
        .is_some_and(|u| u.sub == user.sub))
}

async fn respond(
    ctx: &Ctx,
    endpoint: Endpoint,
    pool_id: Option<&str>,
    client_id: &str,
    challenge_name: &str,
    session: Option<&str>,
    responses: BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let (pool, client) = pool_and_client(ctx, endpoint, pool_id, client_id).await?;
    if challenge_name == "PASSWORD_VERIFIER" {
        // Keyed by SECRET_BLOCK rather than Session (pycognito `aws_srp.py` sends none): SRP's own
        // entry point.
        return crate::ops::auth::srp_auth::answer_password_verifier(
            ctx, &pool, &client, &responses,
        )
        .await;
    }
    if matches!(
        challenge_name,
        "DEVICE_SRP_AUTH" | "DEVICE_PASSWORD_VERIFIER"
    ) {
        // Also answerable without Session (pycognito): their own lookup.
        return crate::ops::auth::devices::answer(
            ctx,
            &pool,
            &client,
            challenge_name,
            session,
            &responses,
        )
        .await;
    }
    let username = param(&responses, "USERNAME")?;
    if !ctx.request.hosted_ui {
        // The hosted pages never see the client secret; the token endpoint checks it.
        secret_hash::check(
            &client,
            username,
            responses.get("SECRET_HASH").map(String::as_str),
        )?;
    }
    let session_id = session
        .filter(|s| !s.is_empty())
        .ok_or_else(flow_session::missing)?;
    let now = ctx.app.clock.epoch();
    let row = ctx.app.store.get_auth_session(session_id).await?;
    let state = flow_session::check(
        row.as_ref(),
        pool.pool_id(),
        client.id(),
        challenge_name,
        now,
    )?;
    if crate::flow::custom::is_for_unknown_user(&state.pending) {
        // A hidden unknown user's custom challenge: no user to load (flow::custom).
        return crate::ops::auth::custom::answer_unknown(
            ctx, &pool, &client, session_id, state, username, &responses,
        )
        .await;
    }
    let sub = row.and_then(|r| r.sub).ok_or_else(flow_session::invalid)?;
    let Some(mut user) = ctx.app.store.get_user_by_sub(pool.pool_id(), &sub).await? else {
        return Err(flow_session::invalid());
    };
    if !names_session_user(ctx, &pool, &user, username).await? {
        return Err(flow_session::invalid());
    }
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    let device_key = responses.get("DEVICE_KEY").map(String::as_str);
    let device =
        crate::ops::auth::devices::for_sign_in(ctx, &pool, &state.flow, &user, device_key).await?;
    let mfa = pool_mfa(ctx, &pool).await?;
    let env = Env {
        pool: &pool,
        pool_mfa: &mfa,
        client: &client,
        flow: &state.flow,
        now,
        device: device.as_ref(),
    };
    let outcome = match state.pending {
        Pending::NewPasswordRequired => {
            answer_new_password(ctx, &env, &mut user, session_id, &responses).await?
        }
        Pending::SelectChallenge { available } => {
            return crate::ops::auth::user_auth::answer_selection(
                ctx, &env, &mut user, session_id, &available, &responses,
            )
            .await
        }
        Pending::FirstFactorOtp(otp) => {
            crate::ops::auth::user_auth::answer_otp(ctx, &env, &user, session_id, &otp, &responses)
                .await?
        }
        Pending::WebAuthn(w) => {
            crate::ops::auth::passkey::answer_sign_in(ctx, &user, session_id, &w, &responses)
                .await?;
            flow::after_second_factor(&env, &user)
        }
        // Routed to ops::devices above; a session for them never reaches here.
        Pending::DeviceSrpAuth { .. } | Pending::DevicePasswordVerifier(_) => {
            return Err(flow_session::invalid())
        }
        Pending::CustomChallenge(c) => {
            crate::ops::auth::custom::answer(ctx, &env, &mut user, session_id, c, &responses)
                .await?
        }
        mfa => {
            crate::ops::auth::mfa::answer(ctx, &env, &mut user, session_id, mfa, &responses).await?
        }
    };
    conclude(ctx, &env, &user, outcome).await
}

/// NEW_PASSWORD_REQUIRED: check the answer, store the password and attributes, continue.
async fn answer_new_password(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &mut UserRecord,
    session_id: &str,
    responses: &BTreeMap<String, String>,
) -> ApiResult<Outcome> {
    let answer = new_password::read_answer(env, user, responses)?;
    if !answer.attributes.is_empty() {
        let given: Vec<AttributeType> = answer
            .attributes
            .iter()
            .map(|(k, v)| AttributeType {
                name: Some(k.clone()),
                value: Some(v.clone()),
            })
            .collect();
        // Value checks (formats, booleans) as for a user's own attribute update.
        let checked =
            attributes::check_write(env.pool, Some(env.client), &given, WriteMode::SelfUpdate)?;
        user.attributes.extend(checked);
        attributes::refresh_keys(env.pool, user);
    }
    crate::ops::common::set_password(env.pool, user, &answer.password, env.now)?;
    user.status = UserStatus::Confirmed;
    user.modified_at = env.now;
    // Consume before writing: of two concurrent answers with one session only one may win.
    if !ctx.app.store.consume_auth_session(session_id).await? {
        return Err(flow_session::reused());
    }
    ctx.app.store.update_user(user).await?;
    Ok(flow::after_password_set(env, user))
}

pub async fn respond_to_auth_challenge(
    ctx: Ctx,
    req: RespondToAuthChallengeRequest,
) -> ApiResult<RespondToAuthChallengeResponse> {
    let client_id = req.client_id.unwrap_or_default();
    let name = req.challenge_name.unwrap_or_default();
    let responses = req.challenge_responses.unwrap_or_default();
    respond(
        &ctx,
        Endpoint::Public,
        None,
        &client_id,
        &name,
        req.session.as_deref(),
        responses,
    )
    .await
    .map(Into::into)
}

pub async fn admin_respond_to_auth_challenge(
    ctx: Ctx,
    req: AdminRespondToAuthChallengeRequest,
) -> ApiResult<AdminRespondToAuthChallengeResponse> {
    let client_id = req.client_id.unwrap_or_default();
    let name = req.challenge_name.unwrap_or_default();
    let responses = req.challenge_responses.unwrap_or_default();
    respond(
        &ctx,
        Endpoint::Admin,
        req.user_pool_id.as_deref(),
        &client_id,
        &name,
        req.session.as_deref(),
        responses,
    )
    .await
    .map(Into::into)
}

// ---------------------------------------------------------------------------------------------
// The hosted UI's steps (http::oauth2 pages): the same sign-in, ended with a user or a challenge
// ---------------------------------------------------------------------------------------------

/// Where a hosted UI step leaves the sign-in.
pub enum HostedStep {
    /// Signed in (PostAuthentication has run): the page issues an authorization code.
    SignedIn(Box<UserRecord>),
    /// The next challenge, stored in the auth session `session`, with its ChallengeParameters
    /// (CREDENTIAL_REQUEST_OPTIONS of WEB_AUTHN, the masked CODE_DELIVERY_DESTINATION...).
    Challenge {
        name: String,
        session: String,
        parameters: BTreeMap<String, String>,
    },
}

fn hosted_step(answer: AuthAnswer) -> ApiResult<HostedStep> {
    if let Some(user) = answer.hosted_user {
        return Ok(HostedStep::SignedIn(Box::new(user)));
    }
    match (answer.challenge_name, answer.session) {
        (Some(name), Some(session)) => Ok(HostedStep::Challenge {
            name,
            session,
            parameters: answer.challenge_parameters.unwrap_or_default(),
        }),
        // Every step of a hosted sign-in (ctx.request.hosted_ui) ends in a user or a challenge.
        _ => Err(ApiError::internal(
            "hosted sign-in step ended without a user or challenge",
        )),
    }
}

/// The hosted UI's `/login`: the password sign-in of USER_PASSWORD_AUTH (same decision order,
/// lock-out, triggers); `ctx.request.hosted_ui` must be set.
pub async fn hosted_password(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    username: &str,
    password: &str,
) -> ApiResult<HostedStep> {
    let flow_name = "USER_PASSWORD_AUTH";
    let p = password_outcome(ctx, pool, client, flow_name, username, password, None).await?;
    let env = p.env(pool, client, flow_name);
    let Some(user) = &p.user else {
        return Err(match p.outcome {
            Outcome::Error(e) => e,
            _ => flow::unknown_user(&env),
        });
    };
    hosted_step(conclude(ctx, &env, user, p.outcome.clone()).await?)
}

/// The hosted UI's sign-in right after `/confirmUser`: USER_AUTH with the Session ConfirmSignUp
/// handed back, the auto sign-in Amplify does over the API (amplify-js `autoSignIn.ts`); the
/// client must allow USER_AUTH. `ctx.request.hosted_ui` must be set.
pub async fn hosted_auto_sign_in(
    ctx: &Ctx,
    client_id: &str,
    username: &str,
    secret_hash: Option<String>,
    session: &str,
) -> ApiResult<HostedStep> {
    hosted_user_auth(ctx, client_id, username, secret_hash, Some(session)).await
}

/// The hosted UI's choice-based `/login` (username first): InitiateAuth USER_AUTH without a
/// PREFERRED_CHALLENGE, so the user picks a factor on SELECT_CHALLENGE (Cognito Developer Guide,
/// "Authentication flows": choice-based sign-in). `ctx.request.hosted_ui` must be set.
pub async fn hosted_choice(
    ctx: &Ctx,
    client_id: &str,
    username: &str,
    secret_hash: Option<String>,
) -> ApiResult<HostedStep> {
    hosted_user_auth(ctx, client_id, username, secret_hash, None).await
}

/// InitiateAuth USER_AUTH for the hosted pages: the username, its SECRET_HASH when the client has
/// a secret, and the SignUp / ConfirmSignUp session of an auto sign-in.
async fn hosted_user_auth(
    ctx: &Ctx,
    client_id: &str,
    username: &str,
    secret_hash: Option<String>,
    session: Option<&str>,
) -> ApiResult<HostedStep> {
    let mut params = BTreeMap::new();
    params.insert("USERNAME".to_string(), username.to_string());
    if let Some(h) = secret_hash {
        params.insert("SECRET_HASH".to_string(), h);
    }
    let started = crate::ops::auth::user_auth::initiate(
        ctx,
        Endpoint::Public,
        None,
        client_id,
        &params,
        session,
    )
    .await?;
    hosted_step(started.into_answer())
}

/// A hosted UI page's answer to the challenge of `session`: RespondToAuthChallenge's own path;
/// `ctx.request.hosted_ui` must be set.
pub async fn hosted_respond(
    ctx: &Ctx,
    client_id: &str,
    challenge_name: &str,
    session: &str,
    responses: BTreeMap<String, String>,
) -> ApiResult<HostedStep> {
    let answer = respond(
        ctx,
        Endpoint::Public,
        None,
        client_id,
        challenge_name,
        Some(session),
        responses,
    )
    .await?;
    hosted_step(answer)
}

/// The `state` kind of the auth session row that records a hosted `/login` whose password was
/// right for an UNCONFIRMED user: the sign-in the confirmation page continues.
const HOSTED_PASSWORD_PROVEN: &str = "hosted_password_proven";

/// The hosted UI's `/login` refused an UNCONFIRMED user (UserNotConfirmedException, which the API
/// answers whatever the password [OBS amazon-cognito-identity-js#288]): when the password is
/// nevertheless the user's, a single-use auth session row that lets the confirmation page carry
/// on with this sign-in once the code is confirmed ([`hosted_after_confirmation`]); None when the
/// password is wrong or the user is not UNCONFIRMED. No wrong-password counting here: the lock-out
/// is never reached for an unconfirmed user (flow steps 4-7).
pub async fn hosted_unconfirmed_proof(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    username: &str,
    password: &str,
) -> ApiResult<Option<String>> {
    let Some(user) = resolve_user(ctx, pool, username).await? else {
        return Ok(None);
    };
    if user.status != UserStatus::Unconfirmed
        || !user.enabled
        || !password_matches(pool, &user, password)
    {
        return Ok(None);
    }
    let id = crate::ids::session_id();
    let row = flow_session::new_row(
        id.clone(),
        pool.pool_id(),
        client.id(),
        Some(user.sub.clone()),
        &serde_json::json!({ "kind": HOSTED_PASSWORD_PROVEN }),
        ctx.app.clock.epoch(),
        client.auth_session_seconds() as f64,
    )
    .map_err(|e| ApiError::internal(e.to_string()))?;
    ctx.app.store.insert_auth_session(&row).await?;
    Ok(Some(id))
}

/// The hosted sign-in of [`hosted_unconfirmed_proof`], carried on after `/confirmUser`: the
/// password sign-in's steps after the password (new password, MFA...) for the now confirmed
/// user, as USER_AUTH's auto sign-in carries on after ConfirmSignUp. Ok(None): `proof` is not such
/// a row (the page then signs in as after a sign-up). `ctx.request.hosted_ui` must be set.
pub async fn hosted_after_confirmation(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    username: &str,
    proof: &str,
) -> ApiResult<Option<HostedStep>> {
    let Some(row) = ctx.app.store.get_auth_session(proof).await? else {
        return Ok(None);
    };
    let kind = serde_json::from_str::<serde_json::Value>(&row.state)
        .ok()
        .and_then(|s| s.get("kind").and_then(|k| k.as_str()).map(str::to_string));
    if kind.as_deref() != Some(HOSTED_PASSWORD_PROVEN) {
        return Ok(None);
    }
    let user = resolve_user(ctx, pool, username).await?;
    let Some(user) = user.filter(|u| {
        row.pool_id == u.pool_id
            && row.client_id == client.id()
            && row.sub.as_deref() == Some(u.sub.as_str())
    }) else {
        return Err(flow_session::invalid());
    };
    if row.consumed {
        return Err(flow_session::reused());
    }
    if ctx.app.clock.epoch() >= row.expires_at {
        return Err(flow_session::expired());
    }
    let mfa = pool_mfa(ctx, pool).await?;
    let env = Env {
        pool,
        pool_mfa: &mfa,
        client,
        flow: "USER_PASSWORD_AUTH",
        now: ctx.app.clock.epoch(),
        device: None,
    };
    flow::before_password(&env, Some(&user))?;
    crate::triggers::pre_authentication(ctx, pool, client.id(), &user).await?;
    if !ctx.app.store.consume_auth_session(proof).await? {
        return Err(flow_session::reused());
    }
    let outcome = flow::after_primary_auth(&env, &user);
    hosted_step(conclude(ctx, &env, &user, outcome).await?).map(Some)
}

// ---------------------------------------------------------------------------------------------
// Refresh
// ---------------------------------------------------------------------------------------------

/// How a refresh proves the client secret: REFRESH_TOKEN_AUTH sends SECRET_HASH (over the internal
/// username **[B]**; observed: aws/aws-sdk-net-extensions-cognito#122), GetTokensFromRefreshToken
/// and RevokeToken the raw secret (API Reference).
#[derive(Clone, Copy)]
pub(crate) enum SecretProof<'a> {
    Hash(Option<&'a str>),
    Raw(Option<&'a str>),
}

fn check_raw_secret(client: &UserPoolClientType, provided: Option<&str>) -> ApiResult<()> {
    secret_hash::check_raw(client, provided)
}

fn invalid_refresh_token() -> ApiError {
    ApiError::not_authorized("Invalid Refresh Token.")
}

/// Grace period after a rotation during which the old token still refreshes.
fn grace_seconds(client: &UserPoolClientType) -> f64 {
    client
        .refresh_token_rotation
        .as_ref()
        .and_then(|r| r.retry_grace_period_seconds)
        .unwrap_or(0)
        .clamp(0, 60) as f64
}

pub(crate) async fn refresh(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    token: &str,
    device_key: Option<&str>,
    proof: SecretProof<'_>,
    may_rotate: bool,
) -> ApiResult<AuthenticationResultType> {
    let store = &ctx.app.store;
    if let SecretProof::Raw(raw) = proof {
        check_raw_secret(client, raw)?;
    }
    let Some(record) = store
        .get_refresh_token(&tokens::refresh_token_hash(token))
        .await?
    else {
        return Err(invalid_refresh_token());
    };
    if record.client_id != client.id() || record.pool_id != pool.pool_id() {
        return Err(invalid_refresh_token());
    }
    let Some(user) = store.get_user_by_sub(pool.pool_id(), &record.sub).await? else {
        return Err(invalid_refresh_token());
    };
    if let SecretProof::Hash(hash) = proof {
        secret_hash::check(client, &user.username, hash)?;
    }
    let now = ctx.app.clock.epoch();
    if record.revoked_at.is_some() {
        return Err(ApiError::not_authorized("Refresh Token has been revoked"));
    }
    if record
        .replaced_at
        .is_some_and(|at| now > at + grace_seconds(client))
    {
        // [B] text; the exception is the model's.
        return Err(ApiError::refresh_token_reuse(
            "Refresh Token has been reused",
        ));
    }
    if now >= record.expires_at {
        // [B: text not verified against AWS]
        return Err(ApiError::not_authorized("Refresh Token has expired"));
    }
    if !crate::ops::auth::devices::refresh_allowed(
        ctx,
        pool.pool_id(),
        record.device_key.as_deref(),
        device_key,
    )
    .await?
    {
        return Err(invalid_refresh_token());
    }
    flow::check_user_state(&user)?;
    let groups = store.groups_for_user(pool.pool_id(), &user.sub).await?;
    let subject = Subject {
        pool,
        client,
        user: &user,
        groups: &groups,
    };
    // A sign-in through the OAuth endpoints keeps its scopes (Cognito Developer Guide, "Token
    // endpoint": refresh_token grant).
    let scope = store.oauth_grant_scope(&record.origin_jti).await?;
    let grant = scope
        .as_deref()
        .map(|scope| tokens::OAuthGrant { scope, nonce: None });
    let mut result = tokens::mint_with(
        ctx,
        &subject,
        record.auth_time,
        &record.origin_jti,
        record.device_key.as_deref(),
        grant.as_ref(),
    )
    .await?;
    if may_rotate && client.rotates_refresh_tokens() {
        let new_token = tokens::new_refresh_token();
        // [B] the successor keeps the sign-in's expiry: rotation does not extend a session.
        let successor = tokens::refresh_record(
            &new_token,
            &subject,
            &record.origin_jti,
            record.auth_time,
            record.device_key.as_deref(),
            now,
            record.expires_at,
        );
        store
            .rotate_refresh_token(&record.token_hash, &successor, now)
            .await?;
        result.refresh_token = Some(new_token);
    }
    Ok(result)
}

pub async fn get_tokens_from_refresh_token(
    ctx: Ctx,
    req: GetTokensFromRefreshTokenRequest,
) -> ApiResult<GetTokensFromRefreshTokenResponse> {
    let client_id = req.client_id.unwrap_or_default();
    let (pool, client) = pool_and_client(&ctx, Endpoint::Public, None, &client_id).await?;
    if !client.allows("ALLOW_REFRESH_TOKEN_AUTH") {
        return Err(flow_not_enabled());
    }
    let token = req.refresh_token.unwrap_or_default();
    let result = refresh(
        &ctx,
        &pool,
        &client,
        &token,
        req.device_key.as_deref(),
        SecretProof::Raw(req.client_secret.as_deref()),
        true,
    )
    .await?;
    Ok(GetTokensFromRefreshTokenResponse {
        authentication_result: Some(result),
    })
}

// ---------------------------------------------------------------------------------------------
// Revocation and sign-out
// ---------------------------------------------------------------------------------------------

/// RevokeToken's model has no NotAuthorizedException; client problems are UnauthorizedException.
fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::new("UnauthorizedException", message)
}

pub async fn revoke_token(ctx: Ctx, req: RevokeTokenRequest) -> ApiResult<RevokeTokenResponse> {
    let client_id = req.client_id.unwrap_or_default();
    let token = req.token.unwrap_or_default();
    let store = &ctx.app.store;
    // [B] texts throughout: RevokeToken's errors are not captured anywhere public.
    let Some(client) = store.get_client(&client_id).await? else {
        return Err(unauthorized(format!("Invalid client id {client_id}")));
    };
    if !client.token_revocation_enabled() {
        return Err(ApiError::unsupported_operation(
            "Token revocation is not enabled for this app client.",
        ));
    }
    check_raw_secret(&client, req.client_secret.as_deref())
        .map_err(|e| unauthorized(e.message.unwrap_or_default()))?;
    if tokens::unverified_payload(&token).is_some_and(|p| p.get("token_use").is_some()) {
        return Err(ApiError::unsupported_token_type(
            "Only refresh tokens can be revoked.",
        ));
    }
    match store
        .get_refresh_token(&tokens::refresh_token_hash(&token))
        .await?
    {
        // As OAuth revocation (RFC 7009): an unknown token is not an error.
        None => Ok(RevokeTokenResponse {}),
        Some(record) if record.client_id != client.id() => Err(unauthorized(
            "The refresh token was not issued to this client.",
        )),
        Some(record) => {
            store
                .revoke_refresh_family(&record.origin_jti, ctx.app.clock.epoch())
                .await?;
            Ok(RevokeTokenResponse {})
        }
    }
}

pub async fn global_sign_out(
    ctx: Ctx,
    req: GlobalSignOutRequest,
) -> ApiResult<GlobalSignOutResponse> {
    let token = req.access_token.unwrap_or_default();
    let access = verify_access_token(&ctx, &token).await?;
    ctx.app
        .store
        .sign_out_everywhere(
            &access.user.pool_id,
            &access.user.sub,
            ctx.app.clock.epoch(),
        )
        .await?;
    Ok(GlobalSignOutResponse {})
}

pub async fn admin_user_global_sign_out(
    ctx: Ctx,
    req: AdminUserGlobalSignOutRequest,
) -> ApiResult<AdminUserGlobalSignOutResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    ctx.app
        .store
        .sign_out_everywhere(&user.pool_id, &user.sub, ctx.app.clock.epoch())
        .await?;
    Ok(AdminUserGlobalSignOutResponse {})
}

//! SRP sign-in, server side (the maths is `crypto::srp`): the PASSWORD_VERIFIER challenge that
//! USER_SRP_AUTH starts, and its answer, verified for real.
//!
//! Two entry points, called from `ops::auth`:
//! - [`start`]: InitiateAuth / AdminInitiateAuth with `USERNAME` + `SRP_A` → PASSWORD_VERIFIER
//!   (SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP, USERNAME). USER_AUTH with PASSWORD_SRP and
//!   CUSTOM_AUTH with SRP_A are meant to call it too, with their own flow name.
//! - [`answer_password_verifier`]: (Admin)RespondToAuthChallenge PASSWORD_VERIFIER → the
//!   signature is checked over the exact TIMESTAMP received, then the sign-in continues as a
//!   password sign-in does after the password (`flow::password_checked`: lock-out counting,
//!   NEW_PASSWORD_REQUIRED, MFA, tokens).
//!
//! The exchange is stored server-side under the hash of the SECRET_BLOCK (`flow::srp`), so the
//! answer needs no Session, and is consumed atomically before the signature is checked: of two
//! answers with one SECRET_BLOCK only one is ever verified. The modular arithmetic runs on the
//! blocking pool (`verify_claim` is ~3.5 ms of CPU), off the async workers.

use crate::crypto::srp;
use crate::domain::client::ClientExt;
use crate::domain::pool::PoolExt;
use crate::domain::records::UserRecord;
use crate::domain::secret_hash;
use crate::error::{ApiError, ApiResult};
use crate::flow::srp::{self as flow_srp, SrpExchange, StandIn};
use crate::flow::{self, session as flow_session, Env};
use crate::model::shapes::{UserPoolClientType, UserPoolType};
use crate::ops::auth::conclude;
use crate::ops::auth::AuthAnswer;
use crate::ops::common::pool_mfa;
use crate::ops::common::resolve_user;
use crate::state::Ctx;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::RngCore;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The secret behind stand-in salts and ids, per emulator process: stable for as long as the
/// emulator runs (which is what "the same salt for the same user name" needs in practice) and
/// unknown to clients, so a stand-in salt cannot be predicted from the username.
static STAND_IN_KEY: LazyLock<[u8; 32]> = LazyLock::new(|| {
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    key
});

/// The verifier a stand-in is challenged with: of a random password nobody knows. One per
/// process is enough: B = k·v + g^b with a fresh b hides v, so stand-ins cannot be told apart by
/// it, and it costs nothing per request.
static STAND_IN_VERIFIER: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut password = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut password);
    srp::compute_verifier("stand-in", "stand-in", &hex::encode(password), &[0x5a; 16])
});

fn incorrect() -> ApiError {
    flow::incorrect_password()
}

fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> ApiResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::missing_parameter(name))
}

/// The client's SRP_A, or the refusal. A that is not a number is a malformed request; A ≡ 0 mod N
/// would let anyone compute the shared key, and fails like a wrong password
/// **[B: the exception is not on record]**.
fn read_srp_a(hex_a: &str) -> ApiResult<Vec<u8>> {
    srp::parse_srp_a(hex_a).map_err(|e| match e {
        srp::SrpError::ZeroPublicValue => incorrect(),
        // [B] text: real Cognito's answer to a non-hex SRP_A is not on record.
        _ => ApiError::invalid_parameter("SRP_A must be a hexadecimal number."),
    })
}

/// Whom the exchange is with: a real user with a stored password, or a stand-in that can only
/// fail at the signature step (unknown user hidden by PreventUserExistenceErrors, or a user
/// without a password, e.g. one created by a federated sign-in).
struct Target {
    sub: Option<String>,
    user_id_for_srp: String,
    salt: Vec<u8>,
    verifier: Vec<u8>,
}

fn stand_in_target(stand_in: StandIn) -> Target {
    Target {
        sub: None,
        user_id_for_srp: stand_in.user_id_for_srp,
        salt: stand_in.salt.to_vec(),
        verifier: STAND_IN_VERIFIER.clone(),
    }
}

/// InitiateAuth / AdminInitiateAuth with an SRP_A: the PASSWORD_VERIFIER challenge, or the refusal
/// of the sign-in's steps 1-7 (`flow`; unknown user with LEGACY, disabled, unconfirmed, reset
/// required, locked out) before any SRP work. The caller has checked that the client allows the
/// flow.
pub async fn start(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    auth_flow: &str,
    params: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let username = param(params, "USERNAME")?;
    let srp_a_hex = param(params, "SRP_A")?;
    secret_hash::check(
        client,
        username,
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    let srp_a = read_srp_a(srp_a_hex)?;

    let user = resolve_user(ctx, pool, username).await?;
    let mfa = pool_mfa(ctx, pool).await?;
    let now = ctx.app.clock.epoch();
    let env = Env {
        pool,
        pool_mfa: &mfa,
        client,
        flow: auth_flow,
        now,
        // The device is decided at the PASSWORD_VERIFIER answer, which carries DEVICE_KEY again.
        device: None,
    };
    let typed_key = pool.username_key(username);
    let target = match user {
        None if client.hides_user_existence() => {
            if auth_flow != crate::ops::auth::custom::FLOW {
                crate::triggers::pre_authentication_unknown(ctx, pool, client.id(), username)
                    .await?;
            }
            stand_in_target(flow_srp::stand_in(
                &*STAND_IN_KEY,
                pool.pool_id(),
                &typed_key,
            ))
        }
        user => {
            flow::before_password(&env, user.as_ref())?;
            let Some(user) = user else {
                // before_password refuses unknown users; this keeps the match total.
                return Err(flow::unknown_user(&env));
            };
            if auth_flow != crate::ops::auth::custom::FLOW {
                crate::triggers::pre_authentication(ctx, pool, client.id(), &user).await?;
            }
            target_for(pool, user)
        }
    };

    let verifier = target.verifier;
    let eph = tokio::task::spawn_blocking(move || srp::server_ephemeral(&verifier))
        .await
        .map_err(ApiError::internal)?;
    let mut block = [0u8; flow_srp::SECRET_BLOCK_BYTES];
    rand::thread_rng().fill_bytes(&mut block);
    let exchange = SrpExchange::new(
        auth_flow,
        &target.user_id_for_srp,
        &typed_key,
        &srp_a,
        &eph.b,
        &eph.srp_b,
        now,
    );
    // "Within a few seconds" (API Reference, RespondToAuthChallenge); the client's
    // AuthSessionValidity is a generous bound **[B]**.
    let row = crate::flow::session::new_row(
        flow_srp::exchange_id(&block),
        pool.pool_id(),
        client.id(),
        target.sub,
        &exchange,
        now,
        client.auth_session_seconds() as f64,
    )?;
    ctx.app.store.insert_auth_session(&row).await?;
    Ok(AuthAnswer {
        challenge_name: Some(flow_srp::NAME.to_string()),
        // Real Cognito sends no Session with PASSWORD_VERIFIER and the answer works without one
        // (observed: floci-io/floci#1305, ministackorg/ministack#1758; moto's AWS-verified tests).
        // Amplify Swift's "a challenge needs a Session" rule (`UserPoolSignInHelper.swift`)
        // therefore only covers the other challenges, so we do as the service does; the
        // SECRET_BLOCK identifies the exchange.
        session: None,
        challenge_parameters: Some(flow_srp::challenge_parameters(
            &srp::salt_param(&target.salt),
            &srp::srp_b_param(&eph.srp_b),
            &STANDARD.encode(block),
            &target.user_id_for_srp,
        )),
        authentication_result: None,
        hosted_user: None,
    })
}

/// A real user's SRP identity: the internal username (never the alias typed) and the stored
/// (salt, verifier); a user without a password gets a stand-in salt and verifier and can only fail.
fn target_for(pool: &UserPoolType, user: UserRecord) -> Target {
    match (user.password_salt, user.password_verifier) {
        (Some(salt), Some(verifier)) if !salt.is_empty() && !verifier.is_empty() => Target {
            sub: Some(user.sub),
            user_id_for_srp: user.username,
            salt,
            verifier,
        },
        _ => {
            let stand_in = flow_srp::stand_in(&*STAND_IN_KEY, pool.pool_id(), &user.username);
            Target {
                sub: Some(user.sub),
                user_id_for_srp: user.username,
                salt: stand_in.salt.to_vec(),
                verifier: STAND_IN_VERIFIER.clone(),
            }
        }
    }
}

/// Whether the USERNAME of the answer names the exchange's user: the internal name or anything
/// that resolves to the same user (an alias **[B]**); for a stand-in, its id or the name typed.
async fn names_exchange_user(
    ctx: &Ctx,
    pool: &UserPoolType,
    exchange: &SrpExchange,
    user: Option<&UserRecord>,
    username: &str,
) -> ApiResult<bool> {
    let key = pool.username_key(username);
    if username == exchange.user_id_for_srp || key == exchange.typed_username_key {
        return Ok(true);
    }
    let Some(user) = user else {
        return Ok(false);
    };
    if key == user.username_key {
        return Ok(true);
    }
    Ok(resolve_user(ctx, pool, username)
        .await?
        .is_some_and(|u| u.sub == user.sub))
}

/// (Admin)RespondToAuthChallenge with PASSWORD_VERIFIER. A Session, if the client sent one, plays
/// no part: the SECRET_BLOCK names the exchange.
pub async fn answer_password_verifier(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let answer = flow_srp::read_answer(responses)?;
    secret_hash::check(
        client,
        answer.username,
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    // Clients echo the block byte for byte; anything that does not decode names no exchange.
    let block = STANDARD
        .decode(answer.secret_block)
        .map_err(|_| flow_session::invalid())?;
    let exchange_id = flow_srp::exchange_id(&block);
    let store = &ctx.app.store;
    let now = ctx.app.clock.epoch();
    let row = store.get_auth_session(&exchange_id).await?;
    let exchange = flow_srp::check_exchange(row.as_ref(), pool.pool_id(), client.id(), now)?;
    let sub = row.and_then(|r| r.sub);
    let mut user = match &sub {
        Some(sub) => Some(
            store
                .get_user_by_sub(pool.pool_id(), sub)
                .await?
                // Deleted since InitiateAuth.
                .ok_or_else(flow_session::invalid)?,
        ),
        None => None,
    };
    if !names_exchange_user(ctx, pool, &exchange, user.as_ref(), answer.username).await? {
        return Err(flow_session::invalid());
    }
    // Before the exchange is consumed: on "Device does not exist." Amplify forgets the key and
    // answers again with the same SECRET_BLOCK.
    let device = match &user {
        Some(u) => {
            let key = responses.get("DEVICE_KEY").map(String::as_str);
            crate::ops::auth::devices::for_sign_in(ctx, pool, &exchange.auth_flow, u, key).await?
        }
        None => None,
    };
    // Single use, decided before the expensive check: concurrent answers with one SECRET_BLOCK
    // cannot both be verified, and a failed answer cannot be retried.
    if !store.consume_auth_session(&exchange_id).await? {
        return Err(flow_session::reused());
    }

    let mfa = pool_mfa(ctx, pool).await?;
    let env = Env {
        pool,
        pool_mfa: &mfa,
        client,
        flow: &exchange.auth_flow,
        now,
        device: device.as_ref(),
    };
    // The user may have been disabled, reset or locked out since InitiateAuth.
    if let Some(u) = &user {
        flow::before_password(&env, Some(u))?;
    }
    let stored = user
        .as_ref()
        .and_then(|u| match (&u.password_salt, &u.password_verifier) {
            (Some(_), Some(v)) if !v.is_empty() => Some(v.clone()),
            _ => None,
        });
    let proven = verify(pool, &exchange, stored.as_deref(), block, &answer, now).await?;

    let Some(user) = user.as_mut() else {
        return Err(incorrect());
    };
    let decision = flow::password_checked(&env, user, proven && stored.is_some());
    if decision.save_user {
        store.save_sign_in_counters(user).await?;
    }
    let outcome = crate::ops::auth::custom::after_password_verifier(
        ctx,
        &env,
        user,
        &exchange.auth_flow,
        decision.outcome,
    )
    .await?;
    conclude(ctx, &env, user, outcome).await
}

/// Checks PASSWORD_CLAIM_SIGNATURE over the exact TIMESTAMP received (the string as the client
/// signed it, never re-formatted). A stand-in (no stored verifier) is checked against the stand-in
/// verifier so it costs what a real check costs, and its result is ignored by the caller.
async fn verify(
    pool: &UserPoolType,
    exchange: &SrpExchange,
    verifier: Option<&[u8]>,
    secret_block: Vec<u8>,
    answer: &flow_srp::VerifierAnswer<'_>,
    now: f64,
) -> ApiResult<bool> {
    // Format first (zero-padded day, wrong weekday...: refused by real Cognito even with a
    // matching signature), then the window, both before any modular arithmetic.
    let Ok(at) = srp::parse_timestamp(answer.timestamp) else {
        return Ok(false);
    };
    if !flow_srp::timestamp_fresh(at.timestamp(), now) {
        return Ok(false);
    }
    let Some((srp_a, b, srp_b)) = exchange.values() else {
        return Ok(false);
    };
    let verifier = verifier.map_or_else(|| STAND_IN_VERIFIER.clone(), <[u8]>::to_vec);
    let pool_name = pool.pool_name_for_srp().to_string();
    let user_id = exchange.user_id_for_srp.clone();
    let timestamp = answer.timestamp.to_string();
    let signature = answer.signature.to_string();
    let ok = tokio::task::spawn_blocking(move || {
        let eph = srp::ServerEphemeral { b, srp_b };
        srp::verify_claim(&srp::ClaimCheck {
            pool_name: &pool_name,
            user_id: &user_id,
            verifier: &verifier,
            srp_a: &srp_a,
            eph: &eph,
            secret_block: &secret_block,
            timestamp: &timestamp,
            signature_b64: &signature,
        })
        .is_ok()
    })
    .await
    .map_err(ApiError::internal)?;
    Ok(ok)
}

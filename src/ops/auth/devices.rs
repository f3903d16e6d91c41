//! Remembered devices inside a sign-in: the DEVICE_KEY a request names, NewDeviceMetadata for
//! the tokens, the DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER answers and the device check on
//! refresh. The device operations themselves (ConfirmDevice, ListDevices...) are `ops::devices`.

use crate::crypto::srp;
use crate::domain::client::ClientExt;
use crate::domain::pool::PoolExt;
use crate::domain::records::AuthSession;
use crate::domain::records::UserRecord;
use crate::domain::records::{DeviceRecord, NOT_REMEMBERED};
use crate::domain::secret_hash;
use crate::error::{ApiError, ApiResult};
use crate::flow::devices::{self as flow_devices, device_not_found, DeviceExchange, TokenDevice};
use crate::flow::session::{self as flow_session, SessionState};
use crate::flow::srp::{exchange_id, timestamp_fresh};
use crate::flow::{self, Env, Outcome, Pending};
use crate::model::shapes::*;
use crate::ops::auth::conclude;
use crate::ops::auth::names_session_user;
use crate::ops::auth::AuthAnswer;
use crate::ops::common::pool_mfa;
use crate::ops::common::region;
use crate::state::Ctx;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rand::RngCore;
use std::collections::BTreeMap;

/// The device a sign-in request names with DEVICE_KEY, when `flow` in `pool` tracks devices: a
/// confirmed device of `user`, or "Device does not exist." (clients then forget the key and
/// sign in again without it). None when no key was sent or devices are not tracked.
pub async fn for_sign_in(
    ctx: &Ctx,
    pool: &UserPoolType,
    flow: &str,
    user: &UserRecord,
    device_key: Option<&str>,
) -> ApiResult<Option<DeviceRecord>> {
    let Some(key) = device_key.filter(|k| !k.is_empty()) else {
        return Ok(None);
    };
    if !flow_devices::tracks(pool, flow) {
        return Ok(None);
    }
    match ctx.app.store.get_device(pool.pool_id(), key).await? {
        Some(d) if d.confirmed && d.sub == user.sub => Ok(Some(d)),
        _ => Err(device_not_found()),
    }
}

/// The device the tokens of a finished sign-in carry: the known one, or a new one announced in
/// `NewDeviceMetadata` (its row is created now, unconfirmed, so the tokens can be bound to it).
pub async fn for_tokens(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &UserRecord,
) -> ApiResult<(Option<String>, Option<NewDeviceMetadataType>)> {
    match flow_devices::token_device(env) {
        TokenDevice::None => Ok((None, None)),
        TokenDevice::Known(key) => Ok((Some(key.to_string()), None)),
        TokenDevice::New => {
            let now = env.now;
            let device = DeviceRecord {
                device_key: format!("{}_{}", region(&user.pool_id), uuid::Uuid::new_v4()),
                pool_id: user.pool_id.clone(),
                sub: user.sub.clone(),
                // No `_`: Android strips everything up to the first one (amplify-android
                // `aws-auth-cognito` `SRPHelper.kt`, `setUserPoolParams`).
                device_group_key: format!("-{}", crate::util::random_string(crate::util::ALNUM, 8)),
                remembered: NOT_REMEMBERED.into(),
                created_at: now,
                modified_at: now,
                ..Default::default()
            };
            ctx.app.store.insert_device(&device).await?;
            Ok((
                Some(device.device_key.clone()),
                Some(NewDeviceMetadataType {
                    device_key: Some(device.device_key),
                    device_group_key: Some(device.device_group_key),
                }),
            ))
        }
    }
}

/// Whether a refresh may use a token bound to `bound_device` (observed:
/// aws/aws-sdk-java-v2#3418): the request names that device and it is still there, confirmed.
pub async fn refresh_allowed(
    ctx: &Ctx,
    pool_id: &str,
    bound_device: Option<&str>,
    requested: Option<&str>,
) -> ApiResult<bool> {
    let stored = match bound_device {
        Some(key) => ctx.app.store.get_device(pool_id, key).await?,
        None => None,
    };
    Ok(flow_devices::refresh_allowed(
        bound_device,
        requested,
        stored.as_ref(),
    ))
}

/// (Admin)RespondToAuthChallenge with DEVICE_SRP_AUTH or DEVICE_PASSWORD_VERIFIER.
pub async fn answer(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    challenge_name: &str,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let session = session.filter(|s| !s.is_empty());
    if challenge_name == flow_devices::DEVICE_SRP_AUTH {
        answer_device_srp(ctx, pool, client, session, responses).await
    } else {
        answer_device_verifier(ctx, pool, client, session, responses).await
    }
}

pub async fn answer_device_verifier(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let (answer, device_key) = flow_devices::read_verifier_answer(responses)?;
    secret_hash::check(
        client,
        answer.username,
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    let block = STANDARD
        .decode(answer.secret_block)
        .map_err(|_| flow_session::invalid())?;
    if let Some(s) = session {
        // Our Session for this challenge is the SECRET_BLOCK's bytes: both must agree.
        let from_session = URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok();
        if from_session.as_deref() != Some(block.as_slice()) {
            return Err(flow_session::invalid());
        }
    }
    let store = &ctx.app.store;
    let now = ctx.app.clock.epoch();
    let session_id = exchange_id(&block);
    let row = store.get_auth_session(&session_id).await?;
    let state = flow_session::check(
        row.as_ref(),
        pool.pool_id(),
        client.id(),
        flow_devices::DEVICE_PASSWORD_VERIFIER,
        now,
    )?;
    let Pending::DevicePasswordVerifier(exchange) = &state.pending else {
        return Err(flow_session::invalid());
    };
    if exchange.device_key != device_key {
        return Err(flow_session::invalid());
    }
    let user = session_user(ctx, pool, row, answer.username).await?;
    let device = users_device(ctx, pool, &user, device_key).await?;
    // Single use, decided before the expensive check (as PASSWORD_VERIFIER).
    if !store.consume_auth_session(&session_id).await? {
        return Err(flow_session::reused());
    }
    if !verify(&device, exchange, block, &answer, now).await? {
        // [B] text: the same as a wrong password.
        return Err(flow::incorrect_password());
    }
    store
        .touch_device(pool.pool_id(), &device.device_key, now)
        .await?;
    let mfa = pool_mfa(ctx, pool).await?;
    let env = Env {
        pool,
        pool_mfa: &mfa,
        client,
        flow: &state.flow,
        now,
        device: Some(&device),
    };
    conclude(ctx, &env, &user, Outcome::Tokens).await
}

pub async fn answer_device_srp(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> ApiResult<AuthAnswer> {
    let (username, device_key, srp_a_hex) = flow_devices::read_srp_answer(responses)?;
    secret_hash::check(
        client,
        username,
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    let store = &ctx.app.store;
    let now = ctx.app.clock.epoch();
    let session_id = match session {
        Some(s) => s.to_string(),
        // pycognito answers without Session: the open DEVICE_SRP_AUTH of this device's owner.
        None => {
            let owner = store
                .get_device(pool.pool_id(), device_key)
                .await?
                .ok_or_else(device_not_found)?
                .sub;
            store
                .pending_device_srp_session(pool.pool_id(), client.id(), &owner, device_key, now)
                .await?
                .ok_or_else(flow_session::missing)?
        }
    };
    let row = store.get_auth_session(&session_id).await?;
    let state = flow_session::check(
        row.as_ref(),
        pool.pool_id(),
        client.id(),
        flow_devices::DEVICE_SRP_AUTH,
        now,
    )?;
    let Pending::DeviceSrpAuth {
        device_key: expected,
    } = &state.pending
    else {
        return Err(flow_session::invalid());
    };
    if expected != device_key {
        return Err(flow_session::invalid());
    }
    let user = session_user(ctx, pool, row, username).await?;
    // Forgotten since the password step?
    let device = users_device(ctx, pool, &user, device_key).await?;
    let srp_a = srp::parse_srp_a(srp_a_hex).map_err(|e| match e {
        // A ≡ 0 mod N would let anyone compute the key; it fails like a wrong secret.
        srp::SrpError::ZeroPublicValue => flow::incorrect_password(),
        _ => ApiError::invalid_parameter("SRP_A must be a hexadecimal number."),
    })?;

    let verifier = device.verifier.clone();
    let eph = tokio::task::spawn_blocking(move || srp::server_ephemeral(&verifier))
        .await
        .map_err(ApiError::internal)?;
    let mut secret = [0u8; SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut secret);
    let next = flow_session::new_row(
        exchange_id(&secret),
        pool.pool_id(),
        client.id(),
        Some(user.sub.clone()),
        &SessionState {
            flow: state.flow.clone(),
            username: user.username.clone(),
            pending: Pending::DevicePasswordVerifier(DeviceExchange::new(
                device_key, &srp_a, &eph.b, &eph.srp_b,
            )),
        },
        now,
        client.auth_session_seconds() as f64,
    )?;
    if !store.consume_auth_session(&session_id).await? {
        return Err(flow_session::reused());
    }
    store.insert_auth_session(&next).await?;
    Ok(AuthAnswer {
        challenge_name: Some(flow_devices::DEVICE_PASSWORD_VERIFIER.to_string()),
        session: Some(URL_SAFE_NO_PAD.encode(secret)),
        challenge_parameters: Some(flow_devices::verifier_parameters(
            &srp::salt_param(&device.salt),
            &srp::srp_b_param(&eph.srp_b),
            &STANDARD.encode(secret),
            &user.username,
        )),
        authentication_result: None,
        hosted_user: None,
    })
}

/// The user's confirmed device `key`, or "Device does not exist.".
pub async fn users_device(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    key: &str,
) -> ApiResult<DeviceRecord> {
    match ctx.app.store.get_device(pool.pool_id(), key).await? {
        Some(d) if d.confirmed && d.sub == user.sub => Ok(d),
        _ => Err(device_not_found()),
    }
}

/// The session's user, re-checked: still there, named by the answer's USERNAME, enabled.
pub async fn session_user(
    ctx: &Ctx,
    pool: &UserPoolType,
    row: Option<AuthSession>,
    username: &str,
) -> ApiResult<UserRecord> {
    let sub = row.and_then(|r| r.sub).ok_or_else(flow_session::invalid)?;
    let user = ctx
        .app
        .store
        .get_user_by_sub(pool.pool_id(), &sub)
        .await?
        .ok_or_else(flow_session::invalid)?;
    if !names_session_user(ctx, pool, &user, username).await? {
        return Err(flow_session::invalid());
    }
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    Ok(user)
}

/// Random bytes behind a DEVICE_PASSWORD_VERIFIER's SECRET_BLOCK and Session.
pub const SECRET_BYTES: usize = 64;

/// PASSWORD_CLAIM_SIGNATURE over DeviceGroupKey ‖ DeviceKey ‖ SECRET_BLOCK ‖ TIMESTAMP
/// (amazon-cognito-identity-js `CognitoUser.js`, `getDeviceResponse`), with the exact TIMESTAMP
/// received, which must also be well-formed and fresh.
async fn verify(
    device: &DeviceRecord,
    exchange: &DeviceExchange,
    secret_block: Vec<u8>,
    answer: &crate::flow::srp::VerifierAnswer<'_>,
    now: f64,
) -> ApiResult<bool> {
    let Ok(at) = srp::parse_timestamp(answer.timestamp) else {
        return Ok(false);
    };
    if !timestamp_fresh(at.timestamp(), now) {
        return Ok(false);
    }
    let Some((srp_a, b, srp_b)) = exchange.values() else {
        return Ok(false);
    };
    let group = device.device_group_key.clone();
    let key = device.device_key.clone();
    let verifier = device.verifier.clone();
    let timestamp = answer.timestamp.to_string();
    let signature = answer.signature.to_string();
    tokio::task::spawn_blocking(move || {
        let eph = srp::ServerEphemeral { b, srp_b };
        srp::verify_claim(&srp::ClaimCheck {
            pool_name: &group,
            user_id: &key,
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
    .map_err(ApiError::internal)
}

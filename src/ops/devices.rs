//! Remembered devices (Cognito Developer Guide, "Working with user devices in your user pool"):
//! ConfirmDevice, GetDevice, ListDevices, UpdateDeviceStatus, ForgetDevice and their Admin
//! variants. The device half of sign-in (which device a request names, NewDeviceMetadata, refresh
//! binding, and the DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER answers, verified for real with the
//! device's SRP verifier) is `ops::auth::devices`.
//!
//! Visibility follows an AWS-run integration test of the Android SDK (AWSMobileClientTest
//! `testRememberDevice`): the user's own GetDevice/ListDevices only see *remembered* devices (a
//! not_remembered one answers "Device does not exist."), while the Admin operations see every
//! confirmed device. A device whose ConfirmDevice never came is not tracked and is invisible to
//! all of them.
//!
//! Device SRP works without `Session`, as pycognito answers it: DEVICE_SRP_AUTH is found by user
//! and device key, and DEVICE_PASSWORD_VERIFIER by its SECRET_BLOCK. The `Session` sent with
//! DEVICE_PASSWORD_VERIFIER encodes the same random bytes as the SECRET_BLOCK, so either names the
//! one session row (stored under their SHA-256).

use crate::crypto::srp;
use crate::domain::paging;
use crate::domain::records::UserRecord;
use crate::domain::records::{DeviceConfirmation, DeviceRecord, NOT_REMEMBERED, REMEMBERED};
use crate::error::{ApiError, ApiResult};
use crate::flow::devices::{self as flow_devices, device_not_found};
use crate::model::shapes::*;
use crate::ops::common::load_pool;
use crate::ops::common::load_user;
use crate::ops::common::region;
use crate::ops::common::{invalid_pagination_token, page_key};
use crate::state::Ctx;
use crate::tokens::access::verify_access_token;

// ---------------------------------------------------------------------------------------------
// The device side of sign-in
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Device operations
// ---------------------------------------------------------------------------------------------

fn device_type(device: &DeviceRecord, owner: &UserRecord) -> DeviceType {
    flow_devices::device_type(
        device,
        &owner.username,
        region(&device.pool_id),
        crate::ids::ACCOUNT_ID,
    )
}

/// Which of the user's devices an operation may see.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// The user's own operations: remembered devices only.
    Remembered,
    /// Admin operations and status changes: every confirmed device.
    Confirmed,
}

async fn find_device(
    ctx: &Ctx,
    user: &UserRecord,
    key: &str,
    seen: Seen,
) -> ApiResult<DeviceRecord> {
    match ctx.app.store.get_device(&user.pool_id, key).await? {
        Some(d)
            if d.sub == user.sub
                && d.confirmed
                && (seen == Seen::Confirmed || d.is_remembered()) =>
        {
            Ok(d)
        }
        _ => Err(device_not_found()),
    }
}

async fn list(
    ctx: &Ctx,
    user: &UserRecord,
    seen: Seen,
    limit: Option<i64>,
    token: Option<&str>,
) -> ApiResult<(Vec<DeviceType>, Option<String>)> {
    let limit = paging::page_limit(limit);
    let after = page_key(token)?;
    // Only a device key we could have handed out; anything else is a forged cursor.
    let device_key = |k: &str| {
        k.split_once('_')
            .is_some_and(|(_, id)| uuid::Uuid::parse_str(id).is_ok())
    };
    if after.as_deref().is_some_and(|k| !device_key(k)) {
        return Err(invalid_pagination_token());
    }
    let rows = ctx
        .app
        .store
        .list_devices(
            &user.pool_id,
            &user.sub,
            seen == Seen::Remembered,
            after.as_deref(),
            limit,
        )
        .await?;
    let (rows, next) = paging::page(rows, limit, |d| Some(paging::key_token(&d.device_key)));
    Ok((rows.iter().map(|d| device_type(d, user)).collect(), next))
}

/// `DeviceRememberedStatus`; absent leaves the status as it is **[B]**.
async fn set_status(
    ctx: &Ctx,
    user: &UserRecord,
    key: &str,
    status: Option<&str>,
) -> ApiResult<()> {
    let device = find_device(ctx, user, key, Seen::Confirmed).await?;
    let Some(status) = status else {
        return Ok(());
    };
    let status = if status == REMEMBERED {
        REMEMBERED
    } else {
        NOT_REMEMBERED
    };
    if !ctx
        .app
        .store
        .set_device_status(
            &user.pool_id,
            &user.sub,
            &device.device_key,
            status,
            ctx.app.clock.epoch(),
        )
        .await?
    {
        return Err(device_not_found());
    }
    Ok(())
}

async fn forget(ctx: &Ctx, user: &UserRecord, key: &str) -> ApiResult<()> {
    let device = find_device(ctx, user, key, Seen::Confirmed).await?;
    if !ctx
        .app
        .store
        .delete_device(&user.pool_id, &user.sub, &device.device_key)
        .await?
    {
        return Err(device_not_found());
    }
    Ok(())
}

pub async fn confirm_device(
    ctx: Ctx,
    req: ConfirmDeviceRequest,
) -> ApiResult<ConfirmDeviceResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let key = req.device_key.unwrap_or_default();
    let user = &access.user;
    let device = match ctx.app.store.get_device(&user.pool_id, &key).await? {
        Some(d) if d.sub == user.sub => d,
        _ => return Err(device_not_found()),
    };
    if device.confirmed {
        // [B] text; the exception is the model's.
        return Err(ApiError::new(
            "DeviceKeyExistsException",
            "Device key already exists.",
        ));
    }
    let config = req.device_secret_verifier_config.unwrap_or_default();
    let (Some(verifier), Some(salt)) = (config.password_verifier, config.salt) else {
        // [B] text: without both the device could never sign in with device SRP.
        return Err(ApiError::invalid_parameter(
            "DeviceSecretVerifierConfig needs PasswordVerifier and Salt.",
        ));
    };
    let pv = srp::device_verifier_from_config(&verifier, &salt).map_err(|e| {
        // [B] text.
        ApiError::invalid_parameter(format!("Invalid DeviceSecretVerifierConfig: {e}."))
    })?;
    let remembered = flow_devices::status_on_confirmation(&access.pool);
    let confirmed = ctx
        .app
        .store
        .confirm_device(
            &user.pool_id,
            &user.sub,
            &key,
            &DeviceConfirmation {
                salt: &pv.salt,
                verifier: &pv.verifier,
                name: req.device_name.as_deref(),
                remembered,
                now: ctx.app.clock.epoch(),
            },
        )
        .await?;
    if !confirmed {
        return Err(ApiError::new(
            "DeviceKeyExistsException",
            "Device key already exists.",
        ));
    }
    Ok(ConfirmDeviceResponse {
        user_confirmation_necessary: Some(flow_devices::confirmation_necessary(&access.pool)),
    })
}

pub async fn get_device(ctx: Ctx, req: GetDeviceRequest) -> ApiResult<GetDeviceResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let key = req.device_key.unwrap_or_default();
    let device = find_device(&ctx, &access.user, &key, Seen::Remembered).await?;
    Ok(GetDeviceResponse {
        device: Some(device_type(&device, &access.user)),
    })
}

pub async fn list_devices(ctx: Ctx, req: ListDevicesRequest) -> ApiResult<ListDevicesResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let (devices, pagination_token) = list(
        &ctx,
        &access.user,
        Seen::Remembered,
        req.limit,
        req.pagination_token.as_deref(),
    )
    .await?;
    Ok(ListDevicesResponse {
        devices: Some(devices),
        pagination_token,
    })
}

pub async fn update_device_status(
    ctx: Ctx,
    req: UpdateDeviceStatusRequest,
) -> ApiResult<UpdateDeviceStatusResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    set_status(
        &ctx,
        &access.user,
        req.device_key.as_deref().unwrap_or_default(),
        req.device_remembered_status.as_deref(),
    )
    .await?;
    Ok(UpdateDeviceStatusResponse {})
}

pub async fn forget_device(ctx: Ctx, req: ForgetDeviceRequest) -> ApiResult<ForgetDeviceResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    forget(
        &ctx,
        &access.user,
        req.device_key.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(ForgetDeviceResponse {})
}

async fn admin_user(
    ctx: &Ctx,
    pool_id: Option<&str>,
    username: Option<&str>,
) -> ApiResult<UserRecord> {
    let pool = load_pool(ctx, pool_id.unwrap_or_default()).await?;
    load_user(ctx, &pool, username.unwrap_or_default()).await
}

pub async fn admin_get_device(
    ctx: Ctx,
    req: AdminGetDeviceRequest,
) -> ApiResult<AdminGetDeviceResponse> {
    let user = admin_user(&ctx, req.user_pool_id.as_deref(), req.username.as_deref()).await?;
    let key = req.device_key.unwrap_or_default();
    let device = find_device(&ctx, &user, &key, Seen::Confirmed).await?;
    Ok(AdminGetDeviceResponse {
        device: Some(device_type(&device, &user)),
    })
}

pub async fn admin_list_devices(
    ctx: Ctx,
    req: AdminListDevicesRequest,
) -> ApiResult<AdminListDevicesResponse> {
    let user = admin_user(&ctx, req.user_pool_id.as_deref(), req.username.as_deref()).await?;
    let (devices, pagination_token) = list(
        &ctx,
        &user,
        Seen::Confirmed,
        req.limit,
        req.pagination_token.as_deref(),
    )
    .await?;
    Ok(AdminListDevicesResponse {
        devices: Some(devices),
        pagination_token,
    })
}

pub async fn admin_update_device_status(
    ctx: Ctx,
    req: AdminUpdateDeviceStatusRequest,
) -> ApiResult<AdminUpdateDeviceStatusResponse> {
    let user = admin_user(&ctx, req.user_pool_id.as_deref(), req.username.as_deref()).await?;
    set_status(
        &ctx,
        &user,
        req.device_key.as_deref().unwrap_or_default(),
        req.device_remembered_status.as_deref(),
    )
    .await?;
    Ok(AdminUpdateDeviceStatusResponse {})
}

pub async fn admin_forget_device(
    ctx: Ctx,
    req: AdminForgetDeviceRequest,
) -> ApiResult<AdminForgetDeviceResponse> {
    let user = admin_user(&ctx, req.user_pool_id.as_deref(), req.username.as_deref()).await?;
    forget(&ctx, &user, req.device_key.as_deref().unwrap_or_default()).await?;
    Ok(AdminForgetDeviceResponse {})
}

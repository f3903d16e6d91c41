//! Users, administrator side: AdminCreateUser, AdminConfirmSignUp, AdminGetUser, AdminDeleteUser,
//! AdminSetUserPassword, AdminUpdateUserAttributes, AdminDisableUser, AdminEnableUser, ListUsers.

use crate::delivery;
use crate::domain::attributes::{self, WriteMode};
use crate::domain::filter;
use crate::domain::message::Channel;
use crate::domain::paging::page_limit;
use crate::domain::password::{self, PolicyContext};
use crate::domain::pool::PoolExt;
use crate::domain::records::UserRecord;
use crate::domain::user_status::UserStatus;
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::*;
use crate::ops::common::create_user;
use crate::ops::common::generate_temporary_password;
use crate::ops::common::load_pool;
use crate::ops::common::load_user;
use crate::ops::common::page_position;
use crate::ops::common::passwordless_available;
use crate::ops::common::set_password;
use crate::ops::common::user_page_token;
use crate::ops::common::user_type;
use crate::ops::common::NewUser;
use crate::state::Ctx;

/// The temporary password for a new or re-invited user: the one given (checked against the
/// policy), else a generated one, else none when the pool signs in without passwords.
fn temporary_password(pool: &UserPoolType, given: Option<&str>) -> ApiResult<Option<String>> {
    match given.filter(|p| !p.is_empty()) {
        Some(p) => {
            password::check(&pool.password_policy(), p, PolicyContext::AdminCreateUser)?;
            Ok(Some(p.to_string()))
        }
        None if passwordless_available(pool) => Ok(None),
        None => Ok(Some(generate_temporary_password(&pool.password_policy()))),
    }
}

/// Sends the invitation on the requested media (default SMS). A medium the user has no address
/// for is skipped; when the default was not asked for explicitly and the user has only an email,
/// the invitation goes there, so it always lands in the outbox.
async fn invite(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    mediums: Option<&Vec<String>>,
    temporary_password: Option<&str>,
) -> ApiResult<()> {
    let explicit: Vec<Channel> = mediums
        .map(|m| m.iter().filter_map(|x| Channel::from_medium(x)).collect())
        .unwrap_or_default();
    let channels = if explicit.is_empty() {
        match crate::domain::message::destination(user, Channel::Sms) {
            Some(_) => vec![Channel::Sms],
            None => vec![Channel::Email],
        }
    } else {
        explicit
    };
    for channel in channels {
        delivery::send_invitation(
            ctx,
            pool,
            user,
            channel,
            temporary_password.unwrap_or_default(),
        )
        .await?;
    }
    Ok(())
}

pub async fn admin_create_user(
    ctx: Ctx,
    req: AdminCreateUserRequest,
) -> ApiResult<AdminCreateUserResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let username = req.username.clone().unwrap_or_default();
    let action = req.message_action.as_deref();
    if action == Some("RESEND") {
        return resend_invitation(&ctx, &pool, &username, &req).await;
    }
    let attrs = attributes::check_write(
        &pool,
        None,
        req.user_attributes.as_deref().unwrap_or_default(),
        WriteMode::AdminCreate,
    )?;
    let temporary = temporary_password(&pool, req.temporary_password.as_deref())?;
    let sub = crate::ids::sub();
    crate::triggers::admin_pre_sign_up(&ctx, &pool, (&username, &sub), &attrs, &req).await?;
    let user = create_user(
        &ctx,
        &pool,
        NewUser {
            requested_username: &username,
            sub: Some(sub),
            attributes: attrs,
            password: temporary.as_deref(),
            status: if temporary.is_some() {
                UserStatus::ForceChangePassword
            } else {
                UserStatus::Confirmed
            },
            force_alias_creation: req.force_alias_creation.unwrap_or(false),
            exists_message: "User account already exists",
            session: None,
        },
    )
    .await?;
    if action != Some("SUPPRESS") {
        invite(
            &ctx,
            &pool,
            &user,
            req.desired_delivery_mediums.as_ref(),
            temporary.as_deref(),
        )
        .await?;
    }
    Ok(AdminCreateUserResponse {
        user: Some(user_type(&user)),
    })
}

/// MessageAction RESEND: a new temporary password (which restarts its validity) and a new
/// invitation, only for users who never signed in.
async fn resend_invitation(
    ctx: &Ctx,
    pool: &UserPoolType,
    username: &str,
    req: &AdminCreateUserRequest,
) -> ApiResult<AdminCreateUserResponse> {
    let mut user = load_user(ctx, pool, username).await?;
    if user.status != UserStatus::ForceChangePassword {
        return Err(ApiError::unsupported_user_state(format!(
            "Resend not possible. {username} status is not FORCE_CHANGE_PASSWORD"
        )));
    }
    let temporary = temporary_password(pool, req.temporary_password.as_deref())?;
    let now = ctx.app.clock.epoch();
    if let Some(pw) = &temporary {
        set_password(pool, &mut user, pw, now)?;
    }
    user.modified_at = now;
    ctx.app.store.update_user(&user).await?;
    invite(
        ctx,
        pool,
        &user,
        req.desired_delivery_mediums.as_ref(),
        temporary.as_deref(),
    )
    .await?;
    Ok(AdminCreateUserResponse {
        user: Some(user_type(&user)),
    })
}

pub async fn admin_confirm_sign_up(
    ctx: Ctx,
    req: AdminConfirmSignUpRequest,
) -> ApiResult<AdminConfirmSignUpResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let mut user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    if user.status != UserStatus::Unconfirmed {
        return Err(ApiError::not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status
        )));
    }
    user.status = UserStatus::Confirmed;
    user.modified_at = ctx.app.clock.epoch();
    ctx.app.store.update_user(&user).await?;
    ctx.app
        .store
        .delete_code(&user.pool_id, &user.sub, "SIGN_UP")
        .await?;
    let source = crate::triggers::ConfirmationSource::ConfirmSignUp;
    crate::triggers::post_confirmation(&ctx, &pool, None, source, &user).await?;
    Ok(AdminConfirmSignUpResponse {})
}

pub async fn admin_get_user(ctx: Ctx, req: AdminGetUserRequest) -> ApiResult<AdminGetUserResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    let mfa = crate::domain::mfa::reported(&user);
    Ok(AdminGetUserResponse {
        username: Some(user.username.clone()),
        user_attributes: Some(
            crate::ops::common::with_identities(&ctx, &user, attributes::to_api(&user)).await?,
        ),
        user_create_date: Some(user.created_at),
        user_last_modified_date: Some(user.modified_at),
        enabled: Some(user.enabled),
        user_status: Some(user.status.to_string()),
        mfa_options: mfa.mfa_options,
        preferred_mfa_setting: mfa.preferred_mfa_setting,
        user_mfa_setting_list: mfa.user_mfa_setting_list,
    })
}

pub async fn admin_delete_user(
    ctx: Ctx,
    req: AdminDeleteUserRequest,
) -> ApiResult<AdminDeleteUserResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    ctx.app.store.delete_user(&user.pool_id, &user.sub).await?;
    Ok(AdminDeleteUserResponse {})
}

pub async fn admin_set_user_password(
    ctx: Ctx,
    req: AdminSetUserPasswordRequest,
) -> ApiResult<AdminSetUserPasswordResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let mut user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    let pw = req.password.unwrap_or_default();
    password::check(&pool.password_policy(), &pw, PolicyContext::Other)?;
    let now = ctx.app.clock.epoch();
    set_password(&pool, &mut user, &pw, now)?;
    user.status = if req.permanent.unwrap_or(false) {
        UserStatus::Confirmed
    } else {
        UserStatus::ForceChangePassword
    };
    // A new password ends a lock-out: the administrator has vouched for the user.
    user.failed_attempts = 0;
    user.locked_until = None;
    user.modified_at = now;
    ctx.app.store.update_user(&user).await?;
    Ok(AdminSetUserPasswordResponse {})
}

pub async fn admin_update_user_attributes(
    ctx: Ctx,
    req: AdminUpdateUserAttributesRequest,
) -> ApiResult<AdminUpdateUserAttributesResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    crate::ops::common::admin_update_attributes(
        &ctx,
        &pool,
        user,
        req.user_attributes.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(AdminUpdateUserAttributesResponse {})
}

async fn set_enabled(ctx: &Ctx, pool_id: &str, username: &str, enabled: bool) -> ApiResult<()> {
    let pool = load_pool(ctx, pool_id).await?;
    let mut user = load_user(ctx, &pool, username).await?;
    user.enabled = enabled;
    user.modified_at = ctx.app.clock.epoch();
    ctx.app.store.update_user(&user).await?;
    Ok(())
}

pub async fn admin_disable_user(
    ctx: Ctx,
    req: AdminDisableUserRequest,
) -> ApiResult<AdminDisableUserResponse> {
    set_enabled(
        &ctx,
        req.user_pool_id.as_deref().unwrap_or_default(),
        req.username.as_deref().unwrap_or_default(),
        false,
    )
    .await?;
    Ok(AdminDisableUserResponse {})
}

pub async fn admin_enable_user(
    ctx: Ctx,
    req: AdminEnableUserRequest,
) -> ApiResult<AdminEnableUserResponse> {
    set_enabled(
        &ctx,
        req.user_pool_id.as_deref().unwrap_or_default(),
        req.username.as_deref().unwrap_or_default(),
        true,
    )
    .await?;
    Ok(AdminEnableUserResponse {})
}

pub async fn list_users(ctx: Ctx, req: ListUsersRequest) -> ApiResult<ListUsersResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    if let Some(names) = &req.attributes_to_get {
        attributes::check_names_exist(&pool, names)?;
    }
    let filter = filter::parse(req.filter.as_deref().unwrap_or_default())?;
    let limit = page_limit(req.limit) as usize;
    // What the store's indexes look up: a username is found by its key in the pool.
    let indexed = filter.as_ref().map(|f| filter::Filter {
        value: if f.attribute == "username" {
            pool.username_key(&f.value)
        } else {
            f.value.clone()
        },
        ..f.clone()
    });
    let mut after = page_position(req.pagination_token.as_deref())?;
    // The store returns only rows the filter may match: one more than the page tells whether
    // there is a next one.
    let scan = limit as i64 + 1;
    let mut found: Vec<UserRecord> = Vec::new();
    let mut more = false;
    'scan: loop {
        let page = ctx
            .app
            .store
            .list_users_filtered(
                pool.pool_id(),
                indexed.as_ref(),
                after.as_ref().map(|(t, s)| (*t, s.as_str())),
                scan,
            )
            .await?;
        let exhausted = (page.len() as i64) < scan;
        for user in page {
            after = Some((user.created_at, user.sub.clone()));
            let matches = filter
                .as_ref()
                .is_none_or(|f| f.matches(&user, |name| pool.username_key(name)));
            if matches {
                if found.len() == limit {
                    more = true;
                    break 'scan;
                }
                found.push(user);
            }
        }
        if exhausted {
            break;
        }
    }
    let pagination_token = if more {
        found.last().map(user_page_token)
    } else {
        None
    };
    let users =
        crate::ops::common::list_user_types(&ctx, &found, req.attributes_to_get.as_deref()).await?;
    Ok(ListUsersResponse {
        users: Some(users),
        pagination_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip_and_garbage_is_refused() {
        let u = UserRecord {
            sub: "0190-abc".into(),
            created_at: 1_700_000_000.123,
            ..Default::default()
        };
        let t = user_page_token(&u);
        assert_eq!(
            page_position(Some(&t)).unwrap(),
            Some((1_700_000_000.123, "0190-abc".to_string()))
        );
        assert_eq!(page_position(Some("")).unwrap(), None);
        let refused = page_position(Some("nope!")).unwrap_err();
        assert_eq!(refused.code, "InvalidParameterException");
        assert_eq!(
            refused.message.as_deref(),
            Some("Invalid pagination token.")
        );
    }
}

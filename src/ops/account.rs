//! Account lifecycle: ForgotPassword, ConfirmForgotPassword, ChangePassword,
//! AdminResetUserPassword; attribute verification (GetUserAttributeVerificationCode,
//! VerifyUserAttribute, the pending changes of AttributesRequireVerificationBeforeUpdate);
//! DeleteUserAttributes / AdminDeleteUserAttributes; and the auth events, which Cognito keeps only
//! for pools with the threat-protection add-on.
//!
//! Also the per-user hourly request limits (Cognito Developer Guide, "Quotas in Amazon Cognito")
//! that answer LimitExceededException.

use crate::delivery;
use crate::domain::attributes::{self, WriteMode, EMAIL, PHONE};
use crate::domain::client::ClientExt;
use crate::domain::message::{Channel, Purpose};
use crate::domain::password::{self, PolicyContext};
use crate::domain::pool::PoolExt;
use crate::domain::records::UserRecord;
use crate::domain::secret_hash;
use crate::domain::user_status::UserStatus;
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::*;
use crate::ops::common::client_and_pool;
use crate::ops::common::count_request;
use crate::ops::common::has_add_ons;
use crate::ops::common::load_pool;
use crate::ops::common::load_user;
use crate::ops::common::record_event;
use crate::ops::common::resolve_user;
use crate::ops::common::send_verification;
use crate::ops::common::set_password;
use crate::ops::common::verifiable;
use crate::ops::common::Limit;
use crate::ops::common::CODE_LENGTH;
use crate::state::Ctx;
use crate::tokens::access::verify_access_token;

/// The `codes` key of forgot-password (and AdminResetUserPassword) codes.
const FORGOT_PASSWORD_KEY: &str = "FORGOT_PASSWORD";

// ---------------------------------------------------------------------------------------------
// Hourly limits
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Passwords
// ---------------------------------------------------------------------------------------------

/// Where a password-reset code goes: the pool's `AccountRecoverySetting` in priority order, each
/// mechanism usable only with a verified address; without the setting, Cognito's legacy order
/// (a verified phone number before a verified email).
fn recovery_channel(pool: &UserPoolType, user: &UserRecord) -> Option<Channel> {
    recovery_order(pool).into_iter().find(|c| {
        attributes::verified_flag(c.attribute())
            .is_some_and(|f| attributes::is_true(&user.attributes, f))
            && crate::domain::message::destination(user, *c).is_some()
    })
}

fn recovery_order(pool: &UserPoolType) -> Vec<Channel> {
    let Some(mechanisms) = pool
        .account_recovery_setting
        .as_ref()
        .and_then(|s| s.recovery_mechanisms.clone())
        .filter(|m| !m.is_empty())
    else {
        return vec![Channel::Sms, Channel::Email];
    };
    let mut mechanisms = mechanisms;
    mechanisms.sort_by_key(|m| m.priority.unwrap_or(i64::MAX));
    mechanisms
        .iter()
        .filter_map(|m| match m.name.as_deref() {
            Some("verified_email") => Some(Channel::Email),
            Some("verified_phone_number") => Some(Channel::Sms),
            _ => None,
        })
        .collect()
}

fn no_recovery_channel() -> ApiError {
    ApiError::invalid_parameter(
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )
}

fn cannot_reset_in_current_state() -> ApiError {
    ApiError::not_authorized("User password cannot be reset in the current state.")
}

fn username_client_not_found() -> ApiError {
    ApiError::user_not_found("Username/client id combination not found.")
}

/// A plausible answer for an unknown user when the client hides user existence (Cognito Developer
/// Guide, "Managing user existence error responses").
fn simulated_delivery(pool: &UserPoolType, username: &str) -> CodeDeliveryDetailsType {
    match recovery_order(pool).first() {
        Some(Channel::Sms) => crate::domain::message::details(Channel::Sms, "+10000000000"),
        _ => {
            let first = username.chars().next().unwrap_or('u');
            crate::domain::message::details(Channel::Email, &format!("{first}@example.com"))
        }
    }
}

pub async fn forgot_password(
    ctx: Ctx,
    req: ForgotPasswordRequest,
) -> ApiResult<ForgotPasswordResponse> {
    let client_id = req.client_id.unwrap_or_default();
    let (client, pool) = client_and_pool(&ctx, &client_id).await?;
    let username = req.username.unwrap_or_default();
    secret_hash::check(&client, &username, req.secret_hash.as_deref())?;
    let found = match resolve_user(&ctx, &pool, &username).await? {
        None => crate::ops::common::migrate_user(&ctx, &pool, &client, &username, None).await?,
        found => found,
    };
    let Some(user) = found else {
        if client.hides_user_existence() {
            return Ok(ForgotPasswordResponse {
                code_delivery_details: Some(simulated_delivery(&pool, &username)),
            });
        }
        return Err(username_client_not_found());
    };
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    if user.status == UserStatus::ForceChangePassword {
        return Err(cannot_reset_in_current_state());
    }
    let channel = recovery_channel(&pool, &user).ok_or_else(no_recovery_channel)?;
    count_request(&ctx, &user, Limit::ForgotPassword).await?;
    let (_, details) = delivery::send_code(
        &ctx,
        &pool,
        &user,
        channel,
        Purpose::ForgotPassword,
        CODE_LENGTH,
    )
    .await?;
    record_event(&ctx, &pool, &user, "ForgotPassword").await?;
    Ok(ForgotPasswordResponse {
        code_delivery_details: Some(details),
    })
}

pub async fn confirm_forgot_password(
    ctx: Ctx,
    req: ConfirmForgotPasswordRequest,
) -> ApiResult<ConfirmForgotPasswordResponse> {
    let client_id = req.client_id.unwrap_or_default();
    let (client, pool) = client_and_pool(&ctx, &client_id).await?;
    let username = req.username.unwrap_or_default();
    secret_hash::check(&client, &username, req.secret_hash.as_deref())?;
    let Some(mut user) = resolve_user(&ctx, &pool, &username).await? else {
        return Err(if client.hides_user_existence() {
            delivery::code_mismatch()
        } else {
            username_client_not_found()
        });
    };
    count_request(&ctx, &user, Limit::ConfirmForgotPassword).await?;
    let new_password = req.password.unwrap_or_default();
    password::check(&pool.password_policy(), &new_password, PolicyContext::Other)?;
    let code = req.confirmation_code.unwrap_or_default();
    delivery::verify_code(&ctx, &user, FORGOT_PASSWORD_KEY, &code).await?;
    let now = ctx.app.clock.epoch();
    set_password(&pool, &mut user, &new_password, now)?;
    ctx.app
        .store
        .delete_code(&user.pool_id, &user.sub, FORGOT_PASSWORD_KEY)
        .await?;
    if user.status == UserStatus::ResetRequired {
        user.status = UserStatus::Confirmed;
    }
    // A proven reset ends a lock-out, as a new password from an administrator does.
    user.failed_attempts = 0;
    user.locked_until = None;
    user.modified_at = now;
    ctx.app.store.update_user(&user).await?;
    let source = crate::triggers::ConfirmationSource::ConfirmForgotPassword;
    crate::triggers::post_confirmation(&ctx, &pool, Some(&client_id), source, &user).await?;
    Ok(ConfirmForgotPasswordResponse {})
}

fn password_matches(pool: &UserPoolType, user: &UserRecord, password: &str) -> bool {
    use crate::crypto::srp;
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

pub async fn change_password(
    ctx: Ctx,
    req: ChangePasswordRequest,
) -> ApiResult<ChangePasswordResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let pool = access.pool;
    let mut user = access.user;
    count_request(&ctx, &user, Limit::ChangePassword).await?;
    let proposed = req.proposed_password.unwrap_or_default();
    password::check(&pool.password_policy(), &proposed, PolicyContext::Other)?;
    let has_password = user.password_verifier.is_some();
    let previous_ok = match req.previous_password.as_deref() {
        Some(previous) => password_matches(&pool, &user, previous),
        // Users of passwordless pools may set a first password without one.
        None => !has_password,
    };
    if !previous_ok {
        return Err(ApiError::not_authorized("Incorrect username or password."));
    }
    let now = ctx.app.clock.epoch();
    set_password(&pool, &mut user, &proposed, now)?;
    user.modified_at = now;
    ctx.app.store.update_user(&user).await?;
    record_event(&ctx, &pool, &user, "PasswordChange").await?;
    Ok(ChangePasswordResponse {})
}

pub async fn admin_reset_user_password(
    ctx: Ctx,
    req: AdminResetUserPasswordRequest,
) -> ApiResult<AdminResetUserPasswordResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let mut user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    // A disabled user is refused as at sign-in, and stays as they were (the text moto's suite
    // records for this operation; the same NotAuthorizedException as ForgotPassword).
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    if user.status == UserStatus::ForceChangePassword {
        return Err(cannot_reset_in_current_state());
    }
    user.status = UserStatus::ResetRequired;
    user.modified_at = ctx.app.clock.epoch();
    // The code goes out only when the user has a verified address to receive it; without one the
    // user becomes RESET_REQUIRED all the same and ForgotPassword explains why no code can come.
    // Delivered before the status is stored: a CustomMessage trigger that refuses fails the call
    // with the user as it was (the trigger still sees the new status).
    if let Some(channel) = recovery_channel(&pool, &user) {
        delivery::send_code(
            &ctx,
            &pool,
            &user,
            channel,
            Purpose::ForgotPassword,
            CODE_LENGTH,
        )
        .await?;
    }
    ctx.app.store.update_user(&user).await?;
    Ok(AdminResetUserPasswordResponse {})
}

// ---------------------------------------------------------------------------------------------
// Attribute verification and pending changes
// ---------------------------------------------------------------------------------------------

pub async fn get_user_attribute_verification_code(
    ctx: Ctx,
    req: GetUserAttributeVerificationCodeRequest,
) -> ApiResult<GetUserAttributeVerificationCodeResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let attribute = req.attribute_name.unwrap_or_default();
    verifiable(&attribute)?;
    let user = access.user;
    let key = crate::domain::message::verify_attribute_key(&attribute);
    let now = ctx.app.clock.epoch();
    // A change still waiting for verification is what a new code is for.
    let pending = ctx
        .app
        .store
        .get_code(&user.pool_id, &user.sub, &key)
        .await?
        .filter(|c| now < c.expires_at)
        .and_then(|c| c.pending_value);
    let has_value = user
        .attributes
        .get(&attribute)
        .is_some_and(|v| !v.is_empty());
    if pending.is_none() && !has_value {
        return Err(ApiError::invalid_parameter(format!(
            "User has no attribute {attribute} to verify."
        )));
    }
    count_request(&ctx, &user, Limit::GetUserAttributeVerificationCode).await?;
    let details =
        send_verification(&ctx, &access.pool, &user, &attribute, pending.as_deref()).await?;
    Ok(GetUserAttributeVerificationCodeResponse {
        code_delivery_details: Some(details),
    })
}

pub async fn verify_user_attribute(
    ctx: Ctx,
    req: VerifyUserAttributeRequest,
) -> ApiResult<VerifyUserAttributeResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let attribute = req.attribute_name.unwrap_or_default();
    verifiable(&attribute)?;
    let pool = access.pool;
    let mut user = access.user;
    count_request(&ctx, &user, Limit::VerifyUserAttribute).await?;
    let key = crate::domain::message::verify_attribute_key(&attribute);
    let pending = ctx
        .app
        .store
        .get_code(&user.pool_id, &user.sub, &key)
        .await?
        .and_then(|c| c.pending_value);
    delivery::verify_code(&ctx, &user, &key, req.code.as_deref().unwrap_or_default()).await?;
    if let Some(value) = pending {
        user.attributes.insert(attribute.clone(), value);
    }
    if !user.attributes.contains_key(&attribute) {
        return Err(delivery::expired_code());
    }
    if let Some(flag) = attributes::verified_flag(&attribute) {
        user.attributes.insert(flag.to_string(), "true".into());
    }
    attributes::refresh_keys(&pool, &mut user);
    // A verified address becomes a sign-in alias; someone else's verified alias blocks it, and
    // the code stays usable for a retry after that is sorted out.
    crate::ops::common::claim_keys(&ctx, &pool, &user, false, false).await?;
    ctx.app
        .store
        .delete_code(&user.pool_id, &user.sub, &key)
        .await?;
    user.modified_at = ctx.app.clock.epoch();
    ctx.app.store.update_user(&user).await?;
    Ok(VerifyUserAttributeResponse {})
}

// ---------------------------------------------------------------------------------------------
// Deleting attributes
// ---------------------------------------------------------------------------------------------

async fn delete_attributes(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: Option<&UserPoolClientType>,
    mut user: UserRecord,
    names: &[String],
    mode: WriteMode,
) -> ApiResult<()> {
    let names = attributes::check_delete(pool, client, names, mode)?;
    for name in &names {
        user.attributes.remove(name);
        if name == EMAIL || name == PHONE {
            ctx.app
                .store
                .delete_code(
                    &user.pool_id,
                    &user.sub,
                    &crate::domain::message::verify_attribute_key(name),
                )
                .await?;
        }
    }
    attributes::check_flags_have_values(&user.attributes)?;
    attributes::refresh_keys(pool, &mut user);
    user.modified_at = ctx.app.clock.epoch();
    ctx.app.store.update_user(&user).await?;
    Ok(())
}

pub async fn delete_user_attributes(
    ctx: Ctx,
    req: DeleteUserAttributesRequest,
) -> ApiResult<DeleteUserAttributesResponse> {
    let access = verify_access_token(&ctx, req.access_token.as_deref().unwrap_or_default()).await?;
    let client_id = access
        .claims
        .get("client_id")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let client = ctx.app.store.get_client(client_id).await?;
    delete_attributes(
        &ctx,
        &access.pool,
        client.as_deref(),
        access.user,
        req.user_attribute_names.as_deref().unwrap_or_default(),
        WriteMode::SelfUpdate,
    )
    .await?;
    Ok(DeleteUserAttributesResponse {})
}

pub async fn admin_delete_user_attributes(
    ctx: Ctx,
    req: AdminDeleteUserAttributesRequest,
) -> ApiResult<AdminDeleteUserAttributesResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    delete_attributes(
        &ctx,
        &pool,
        None,
        user,
        req.user_attribute_names.as_deref().unwrap_or_default(),
        WriteMode::AdminUpdate,
    )
    .await?;
    Ok(AdminDeleteUserAttributesResponse {})
}

// ---------------------------------------------------------------------------------------------
// Auth events (threat protection)
// ---------------------------------------------------------------------------------------------

/// Without the add-on Cognito refuses the event operations with UserPoolAddOnNotEnabledException
/// (observed, ministack#1538). The message is **[B]**.
fn require_add_ons(pool: &UserPoolType) -> ApiResult<()> {
    if has_add_ons(pool) {
        Ok(())
    } else {
        Err(ApiError::new(
            "UserPoolAddOnNotEnabledException",
            "User pool add-ons are not enabled for this user pool.",
        ))
    }
}

fn event_type(e: &crate::domain::records::AuthEventRecord) -> AuthEventType {
    let challenges: Vec<ChallengeResponseType> =
        serde_json::from_value(e.challenges.clone()).unwrap_or_default();
    AuthEventType {
        event_id: Some(e.event_id.clone()),
        event_type: Some(e.event_type.clone()),
        creation_date: Some(e.created_at),
        event_response: Some(e.event_response.clone()),
        event_risk: Some(EventRiskType {
            risk_decision: Some("NoRisk".into()),
            risk_level: None,
            compromised_credentials_detected: Some(false),
        }),
        challenge_responses: Some(challenges),
        event_context_data: None,
        event_feedback: e.feedback_value.as_ref().map(|v| EventFeedbackType {
            feedback_value: Some(v.clone()),
            provider: e.feedback_provider.clone(),
            feedback_date: e.feedback_date,
        }),
    }
}

/// The user's events, newest first, `MaxResults` (1–60; 0 or absent = 60) a page.
pub async fn admin_list_user_auth_events(
    ctx: Ctx,
    req: AdminListUserAuthEventsRequest,
) -> ApiResult<AdminListUserAuthEventsResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    require_add_ons(&pool)?;
    let user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    let limit = crate::domain::paging::page_limit(req.max_results);
    let before = crate::ops::common::page_position(req.next_token.as_deref())?;
    let events = ctx
        .app
        .store
        .list_auth_events(
            &user.pool_id,
            &user.sub,
            before.as_ref().map(|(t, id)| (*t, id.as_str())),
            limit + 1,
        )
        .await?;
    let (events, next_token) = crate::domain::paging::page(events, limit, |e| {
        Some(crate::domain::paging::position_token(
            e.created_at,
            &e.event_id,
        ))
    });
    Ok(AdminListUserAuthEventsResponse {
        auth_events: Some(events.iter().map(event_type).collect()),
        next_token,
    })
}

pub async fn admin_update_auth_event_feedback(
    ctx: Ctx,
    req: AdminUpdateAuthEventFeedbackRequest,
) -> ApiResult<AdminUpdateAuthEventFeedbackResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    require_add_ons(&pool)?;
    let user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    let found = ctx
        .app
        .store
        .set_auth_event_feedback(
            &user.pool_id,
            &user.sub,
            req.event_id.as_deref().unwrap_or_default(),
            req.feedback_value.as_deref().unwrap_or_default(),
            "Admin",
            ctx.app.clock.epoch(),
        )
        .await?;
    if !found {
        // [B] text; the exception is the model's.
        return Err(ApiError::resource_not_found("Auth event not found."));
    }
    Ok(AdminUpdateAuthEventFeedbackResponse {})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(attrs: &[(&str, &str)]) -> UserRecord {
        let mut u = UserRecord::default();
        for (k, v) in attrs {
            u.attributes.insert(k.to_string(), v.to_string());
        }
        u
    }

    fn mechanisms(list: &[(&str, i64)]) -> UserPoolType {
        UserPoolType {
            account_recovery_setting: Some(AccountRecoverySettingType {
                recovery_mechanisms: Some(
                    list.iter()
                        .map(|(n, p)| RecoveryOptionType {
                            name: Some(n.to_string()),
                            priority: Some(*p),
                        })
                        .collect(),
                ),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn reset_codes_go_to_verified_addresses_in_the_pools_order() {
        let both = user(&[
            ("email", "a@x.io"),
            ("email_verified", "true"),
            ("phone_number", "+15555550100"),
            ("phone_number_verified", "true"),
        ]);
        let legacy = UserPoolType::default();
        assert_eq!(recovery_channel(&legacy, &both), Some(Channel::Sms));
        let email_first = mechanisms(&[("verified_phone_number", 2), ("verified_email", 1)]);
        assert_eq!(recovery_channel(&email_first, &both), Some(Channel::Email));
        let unverified = user(&[("email", "a@x.io"), ("email_verified", "false")]);
        assert_eq!(recovery_channel(&email_first, &unverified), None);
        let admin_only = mechanisms(&[("admin_only", 1)]);
        assert_eq!(recovery_channel(&admin_only, &both), None);
    }

    #[test]
    fn limits_follow_the_quotas() {
        assert_eq!(Limit::ChangePassword.per_hour(), 5);
        assert_eq!(Limit::VerifyUserAttribute.per_hour(), 15);
    }
}

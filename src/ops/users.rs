//! Users, self-service side: SignUp, ConfirmSignUp, ResendConfirmationCode, GetUser, DeleteUser,
//! UpdateUserAttributes; and the helpers every user operation shares (resolving a username or
//! alias, creating a user, setting a password, the `UserType` view, alias ownership).

use crate::delivery;
use crate::domain::attributes::{self, WriteMode, EMAIL_VERIFIED, PHONE, PHONE_VERIFIED};
use crate::domain::client::ClientExt;
use crate::domain::message::{Channel, Purpose};
use crate::domain::password::{self, PolicyContext};
use crate::domain::pool::PoolExt;
use crate::domain::records::{AuthSession, UserRecord};
use crate::domain::secret_hash;
use crate::domain::user_status::UserStatus;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::shapes::*;
use crate::ops::common::claim_keys;
use crate::ops::common::client_and_pool;
use crate::ops::common::create_user;
use crate::ops::common::passwordless_available;
use crate::ops::common::resolve_user;
use crate::ops::common::update_attributes;
use crate::ops::common::NewUser;
use crate::ops::common::CODE_LENGTH;
use crate::state::Ctx;

/// How long the SignUp session may be handed to ConfirmSignUp (the code's own validity).
const SIGN_UP_SESSION_SECONDS: f64 = crate::domain::message::VERIFICATION_CODE_SECONDS;

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// The self-service operations' text for an unknown user (real ForgotPassword output, captured in
/// floci-io/floci's `src/test/resources/fixtures/aws-cognito/`).
fn username_client_not_found() -> ApiError {
    ApiError::user_not_found("Username/client id combination not found.")
}

/// The channel a sign-up code goes to: an auto-verified address the user has; the phone when
/// both are (Cognito texts the code when it must verify both, DG "verifying contact information").
pub fn sign_up_channel(pool: &UserPoolType, user: &UserRecord) -> Option<Channel> {
    let auto = pool.auto_verified_attributes();
    [Channel::Sms, Channel::Email].into_iter().find(|c| {
        auto.iter().any(|a| a == c.attribute())
            && crate::domain::message::destination(user, *c).is_some()
    })
}

/// Checks the password a new user chose (or the absence of one) against the pool.
fn check_new_password(
    pool: &UserPoolType,
    password: Option<&str>,
    context: PolicyContext,
) -> ApiResult<()> {
    match password.filter(|p| !p.is_empty()) {
        Some(p) => password::check(&pool.password_policy(), p, context),
        None if passwordless_available(pool) => Ok(()),
        None => password::check(&pool.password_policy(), "", context),
    }
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

pub async fn sign_up(ctx: Ctx, req: SignUpRequest) -> ApiResult<SignUpResponse> {
    let client_id = req.client_id.unwrap_or_default();
    let (client, pool) = client_and_pool(&ctx, &client_id).await?;
    let username = req.username.unwrap_or_default();
    secret_hash::check(&client, &username, req.secret_hash.as_deref())?;
    let admin_only = pool
        .admin_create_user_config
        .as_ref()
        .and_then(|c| c.allow_admin_create_user_only)
        .unwrap_or(false);
    if admin_only {
        return Err(ApiError::not_authorized(
            "SignUp is not permitted for this user pool",
        ));
    }
    let attrs = attributes::check_write(
        &pool,
        Some(&client),
        req.user_attributes.as_deref().unwrap_or_default(),
        WriteMode::SignUp,
    )?;
    let password = req.password.as_deref().filter(|p| !p.is_empty());
    check_new_password(&pool, password, PolicyContext::SignUp)?;
    let sub = ids::sub();
    let pre = crate::triggers::pre_sign_up(
        &ctx,
        &pool,
        Some(&client_id),
        crate::triggers::SignUpSource::SignUp,
        (&username, &sub),
        &attrs,
        req.validation_data.as_deref(),
    )
    .await?;
    // The auto sign-in session its answer carries is written with the user, in one query.
    let session = session_row(
        &ctx,
        &client_id,
        (pool.pool_id(), &sub),
        AUTO_SIGN_IN,
        SIGN_UP_SESSION_SECONDS,
    )?;
    let user = create_user(
        &ctx,
        &pool,
        NewUser {
            requested_username: &username,
            sub: Some(sub),
            attributes: pre.verified(attrs),
            password,
            status: if pre.auto_confirm_user {
                UserStatus::Confirmed
            } else {
                UserStatus::Unconfirmed
            },
            force_alias_creation: false,
            exists_message: "User already exists",
            session: Some(&session),
        },
    )
    .await?;
    let code_delivery_details =
        match sign_up_channel(&pool, &user).filter(|_| !pre.auto_confirm_user) {
            Some(channel) => Some(
                delivery::send_code(&ctx, &pool, &user, channel, Purpose::SignUp, CODE_LENGTH)
                    .await?
                    .1,
            ),
            None => None,
        };
    crate::triggers::after_sign_up(&ctx, &pool, &client_id, &pre, &user).await?;
    Ok(SignUpResponse {
        user_confirmed: Some(pre.auto_confirm_user),
        code_delivery_details,
        user_sub: Some(user.sub),
        session: Some(session.id),
    })
}

pub async fn confirm_sign_up(
    ctx: Ctx,
    req: ConfirmSignUpRequest,
) -> ApiResult<ConfirmSignUpResponse> {
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
    if user.status != UserStatus::Unconfirmed {
        return Err(ApiError::not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status
        )));
    }
    crate::ops::common::count_request(&ctx, &user, crate::ops::common::Limit::ConfirmSignUp)
        .await?;
    let code = req.confirmation_code.unwrap_or_default();
    // The channel the code went to is the one the address to mark verified is on.
    let channel = sign_up_channel(&pool, &user);
    delivery::verify_code(&ctx, &user, "SIGN_UP", &code).await?;
    if let Some(c) = channel {
        let flag = match c {
            Channel::Email => EMAIL_VERIFIED,
            Channel::Sms => PHONE_VERIFIED,
        };
        user.attributes.insert(flag.to_string(), "true".into());
    }
    attributes::refresh_keys(&pool, &mut user);
    claim_keys(
        &ctx,
        &pool,
        &user,
        req.force_alias_creation.unwrap_or(false),
        false,
    )
    .await?;
    ctx.app
        .store
        .delete_code(&user.pool_id, &user.sub, "SIGN_UP")
        .await?;
    user.status = UserStatus::Confirmed;
    user.modified_at = ctx.app.clock.epoch();
    ctx.app.store.update_user(&user).await?;
    crate::triggers::post_confirmation(
        &ctx,
        &pool,
        Some(&client_id),
        crate::triggers::ConfirmationSource::ConfirmSignUp,
        &user,
    )
    .await?;
    let session = auto_sign_in_session(&ctx, &client, &user, req.session.as_deref()).await?;
    Ok(ConfirmSignUpResponse { session })
}

/// The session ConfirmSignUp hands back for the USER_AUTH auto sign-in: a fresh
/// `auth_sessions` row with state `{"kind":"auto_sign_in"}` for this user and client, valid for the
/// client's AuthSessionValidity. The SignUp session passed in (same state, valid as long as the
/// code) is consumed; one that does not belong to this user and client is ignored rather than
/// failing a confirmation that succeeded. Sign-in accepts either kind of row only once the user
/// is CONFIRMED.
async fn auto_sign_in_session(
    ctx: &Ctx,
    client: &UserPoolClientType,
    user: &UserRecord,
    sign_up_session: Option<&str>,
) -> ApiResult<Option<String>> {
    if let Some(id) = sign_up_session.filter(|s| !s.is_empty()) {
        ctx.app
            .store
            .consume_sign_up_session(id, client.id(), &user.sub, &session_state(AUTO_SIGN_IN))
            .await?;
    }
    let seconds = client.auth_session_seconds() as f64;
    Ok(Some(
        new_session(ctx, client.id(), user, AUTO_SIGN_IN, seconds).await?,
    ))
}

/// The `state` of the sessions SignUp and ConfirmSignUp hand out.
const AUTO_SIGN_IN: &str = "auto_sign_in";

fn session_state(kind: &str) -> String {
    serde_json::json!({ "kind": kind }).to_string()
}

/// An `auth_sessions` row with state `{"kind": kind}` for the user `(pool_id, sub)` and this
/// client.
fn session_row(
    ctx: &Ctx,
    client_id: &str,
    (pool_id, sub): (&str, &str),
    kind: &str,
    seconds: f64,
) -> ApiResult<AuthSession> {
    Ok(crate::flow::session::new_row(
        crate::ids::session_id(),
        pool_id,
        client_id,
        Some(sub.to_string()),
        &serde_json::json!({ "kind": kind }),
        ctx.app.clock.epoch(),
        seconds,
    )?)
}

/// Stores a new [`session_row`] for `user`; its id.
async fn new_session(
    ctx: &Ctx,
    client_id: &str,
    user: &UserRecord,
    kind: &str,
    seconds: f64,
) -> ApiResult<String> {
    let row = session_row(ctx, client_id, (&user.pool_id, &user.sub), kind, seconds)?;
    ctx.app.store.insert_auth_session(&row).await?;
    Ok(row.id)
}

pub async fn resend_confirmation_code(
    ctx: Ctx,
    req: ResendConfirmationCodeRequest,
) -> ApiResult<ResendConfirmationCodeResponse> {
    let client_id = req.client_id.unwrap_or_default();
    let (client, pool) = client_and_pool(&ctx, &client_id).await?;
    let username = req.username.unwrap_or_default();
    secret_hash::check(&client, &username, req.secret_hash.as_deref())?;
    let Some(user) = resolve_user(&ctx, &pool, &username).await? else {
        if client.hides_user_existence() {
            // A plausible answer that says nothing about whether the user exists (Cognito
            // Developer Guide, "Managing user existence error responses").
            let channel = if pool.auto_verified_attributes().iter().any(|a| a == PHONE) {
                Channel::Sms
            } else {
                Channel::Email
            };
            let fake = match channel {
                Channel::Sms => "+10000000000".to_string(),
                Channel::Email => format!("{}@example.com", username.chars().next().unwrap_or('u')),
            };
            return Ok(ResendConfirmationCodeResponse {
                code_delivery_details: Some(crate::domain::message::details(channel, &fake)),
            });
        }
        return Err(username_client_not_found());
    };
    if user.status == UserStatus::Confirmed {
        return Err(ApiError::invalid_parameter("User is already confirmed."));
    }
    let Some(channel) = sign_up_channel(&pool, &user) else {
        return Err(ApiError::invalid_parameter(
            "Cannot resend codes. Auto verification not turned on.",
        ));
    };
    crate::ops::common::count_request(
        &ctx,
        &user,
        crate::ops::common::Limit::ResendConfirmationCode,
    )
    .await?;
    let (_, details) = delivery::send_code(
        &ctx,
        &pool,
        &user,
        channel,
        Purpose::ResendConfirmation,
        CODE_LENGTH,
    )
    .await?;
    Ok(ResendConfirmationCodeResponse {
        code_delivery_details: Some(details),
    })
}

pub async fn get_user(ctx: Ctx, req: GetUserRequest) -> ApiResult<GetUserResponse> {
    let access = crate::tokens::access::verify_access_token(
        &ctx,
        req.access_token.as_deref().unwrap_or_default(),
    )
    .await?;
    let user = access.user;
    let mfa = crate::domain::mfa::reported(&user);
    Ok(GetUserResponse {
        username: Some(user.username.clone()),
        user_attributes: Some(
            crate::ops::common::with_identities(&ctx, &user, attributes::to_api(&user)).await?,
        ),
        mfa_options: mfa.mfa_options,
        preferred_mfa_setting: mfa.preferred_mfa_setting,
        user_mfa_setting_list: mfa.user_mfa_setting_list,
    })
}

pub async fn delete_user(ctx: Ctx, req: DeleteUserRequest) -> ApiResult<DeleteUserResponse> {
    let access = crate::tokens::access::verify_access_token(
        &ctx,
        req.access_token.as_deref().unwrap_or_default(),
    )
    .await?;
    ctx.app
        .store
        .delete_user(&access.user.pool_id, &access.user.sub)
        .await?;
    Ok(DeleteUserResponse {})
}

pub async fn update_user_attributes(
    ctx: Ctx,
    req: UpdateUserAttributesRequest,
) -> ApiResult<UpdateUserAttributesResponse> {
    let access = crate::tokens::access::verify_access_token(
        &ctx,
        req.access_token.as_deref().unwrap_or_default(),
    )
    .await?;
    let client_id = access
        .claims
        .get("client_id")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let client = ctx.app.store.get_client(client_id).await?;
    let details = update_attributes(
        &ctx,
        &access.pool,
        client.as_deref(),
        access.user,
        req.user_attributes.as_deref().unwrap_or_default(),
        WriteMode::SelfUpdate,
    )
    .await?;
    Ok(UpdateUserAttributesResponse {
        code_delivery_details_list: Some(details),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::attributes::EMAIL;
    use crate::domain::pool::default_password_policy;
    use crate::ops::common::{generate_temporary_password, new_username};

    #[test]
    fn generated_temporary_passwords_satisfy_the_default_policy() {
        let policy = default_password_policy();
        for _ in 0..100 {
            let pw = generate_temporary_password(&policy);
            assert_eq!(password::violation(&policy, &pw), None, "{pw}");
        }
    }

    #[test]
    fn usernames_in_username_attribute_pools() {
        let pool = UserPoolType {
            username_attributes: Some(vec!["email".into()]),
            ..Default::default()
        };
        let (u, a) = new_username(&pool, "jane@example.com", "the-sub").unwrap();
        assert_eq!(u, "the-sub");
        assert_eq!(a, Some((EMAIL, "jane@example.com".to_string())));
        let e = new_username(&pool, "jane", "the-sub").unwrap_err();
        assert_eq!(e.message.as_deref(), Some("Username should be an email."));
        let pool = UserPoolType {
            alias_attributes: Some(vec!["email".into()]),
            ..Default::default()
        };
        let e = new_username(&pool, "jane@example.com", "s").unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("Username cannot be of email format, since user pool is configured for email alias.")
        );
    }
}

//! Users, self-service side: SignUp, ConfirmSignUp, ResendConfirmationCode, GetUser, DeleteUser,
//! UpdateUserAttributes; and the helpers every user operation shares (resolving a username or
//! alias, creating a user, setting a password, the `UserType` view, alias ownership).

use super::clients::client_not_found;
use super::pools::load_pool;
use crate::delivery;
use crate::domain::attributes::{self, WriteMode, EMAIL, EMAIL_VERIFIED, PHONE, PHONE_VERIFIED};
use crate::domain::client::ClientExt;
use crate::domain::message::{Channel, Purpose};
use crate::domain::password::{self, PolicyContext};
use crate::domain::pool::PoolExt;
use crate::domain::records::{AliasColumn, UserRecord};
use crate::domain::secret_hash;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::shapes::*;
use crate::state::Ctx;
use crate::util::random_token;
use std::collections::BTreeMap;

/// Sign-up and verification codes are six digits (spec 8).
pub const CODE_LENGTH: usize = 6;

pub const UNCONFIRMED: &str = "UNCONFIRMED";
pub const CONFIRMED: &str = "CONFIRMED";
pub const FORCE_CHANGE_PASSWORD: &str = "FORCE_CHANGE_PASSWORD";

/// How long the SignUp session may be handed to ConfirmSignUp (the code's own validity).
const SIGN_UP_SESSION_SECONDS: f64 = crate::domain::message::VERIFICATION_CODE_SECONDS;

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// Finds the user a request names (spec 2.4 point 2): the username (case-folded in
/// case-insensitive pools); else an email / phone number that signs in (UsernameAttributes, or a
/// verified alias) or a preferred_username alias; else the `sub`.
pub async fn resolve_user(
    ctx: &Ctx,
    pool: &UserPoolType,
    name: &str,
) -> ApiResult<Option<UserRecord>> {
    let store = &ctx.app.store;
    let pool_id = pool.pool_id();
    if name.is_empty() {
        return Ok(None);
    }
    if let Some(u) = store
        .get_user_by_key(pool_id, &pool.username_key(name))
        .await?
    {
        return Ok(Some(u));
    }
    let sign_in_attrs: Vec<String> = pool
        .username_attributes()
        .into_iter()
        .chain(pool.alias_attributes())
        .collect();
    let has = |a: &str| sign_in_attrs.iter().any(|s| s == a);
    let mut lookups = Vec::new();
    if has(EMAIL) && attributes::is_email(name) {
        lookups.push((AliasColumn::Email, attributes::email_key(name)));
    }
    if has(PHONE) && attributes::is_phone(name) {
        lookups.push((AliasColumn::Phone, name.to_string()));
    }
    if has(attributes::PREFERRED_USERNAME) {
        lookups.push((AliasColumn::PreferredUsername, pool.username_key(name)));
    }
    for (column, key) in lookups {
        if let Some(u) = store
            .find_users_by_alias(pool_id, column, &key)
            .await?
            .into_iter()
            .next()
        {
            return Ok(Some(u));
        }
    }
    if uuid::Uuid::parse_str(name).is_ok() {
        return Ok(store.get_user_by_sub(pool_id, name).await?);
    }
    Ok(None)
}

/// The user for an admin operation, or `UserNotFoundException` "User does not exist.".
pub async fn load_user(ctx: &Ctx, pool: &UserPoolType, name: &str) -> ApiResult<UserRecord> {
    resolve_user(ctx, pool, name)
        .await?
        .ok_or_else(user_does_not_exist)
}

pub fn user_does_not_exist() -> ApiError {
    ApiError::user_not_found("User does not exist.")
}

/// The self-service operations' text for an unknown user (spec 9.2).
fn username_client_not_found() -> ApiError {
    ApiError::user_not_found("Username/client id combination not found.")
}

/// The app client and its pool for the public operations that only carry a `ClientId`.
pub async fn client_and_pool(
    ctx: &Ctx,
    client_id: &str,
) -> ApiResult<(UserPoolClientType, UserPoolType)> {
    let client = ctx
        .app
        .store
        .get_client(client_id)
        .await?
        .ok_or_else(|| client_not_found(client_id))?;
    let pool = load_pool(ctx, client.pool_id()).await?;
    Ok((client, pool))
}

/// The `UserType` view of a user.
pub fn user_type(user: &UserRecord) -> UserType {
    UserType {
        username: Some(user.username.clone()),
        attributes: Some(attributes::to_api(user)),
        user_create_date: Some(user.created_at),
        user_last_modified_date: Some(user.modified_at),
        enabled: Some(user.enabled),
        user_status: Some(user.status.clone()),
        mfa_options: crate::domain::mfa::reported(user).mfa_options,
    }
}

/// Whether the pool lets users sign in without a password (then users may have none).
pub fn passwordless_available(pool: &UserPoolType) -> bool {
    pool.policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.as_ref())
        .is_some_and(|f| f.iter().any(|x| x == "EMAIL_OTP" || x == "SMS_OTP"))
}

/// Stores a new password as the SRP (salt, verifier) pair (spec 3.8), enforcing the pool's
/// `PasswordHistorySize`; the policy itself is the caller's check (its wording depends on the
/// operation). Every operation that sets a password should come through here.
pub fn set_password(
    pool: &UserPoolType,
    user: &mut UserRecord,
    password: &str,
    now: f64,
) -> ApiResult<()> {
    use crate::crypto::srp;
    let pool_name = pool.pool_name_for_srp().to_string();
    let history_size = pool
        .password_policy()
        .password_history_size
        .unwrap_or(0)
        .max(0) as usize;
    if history_size > 0 {
        let mut previous: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        if let (Some(s), Some(v)) = (&user.password_salt, &user.password_verifier) {
            previous.push((s.clone(), v.clone()));
        }
        previous.extend(history_pairs(&user.password_history));
        for (salt, verifier) in previous.iter().take(history_size) {
            let pv = srp::PasswordVerifier {
                salt: salt.clone(),
                verifier: verifier.clone(),
            };
            if srp::check_password(&pool_name, &user.username, password, &pv) {
                return Err(ApiError::new(
                    "PasswordHistoryPolicyViolationException",
                    "The password has been used previously.",
                ));
            }
        }
        if let (Some(s), Some(v)) = (user.password_salt.take(), user.password_verifier.take()) {
            let mut pairs = history_pairs(&user.password_history);
            pairs.insert(0, (s, v));
            pairs.truncate(history_size);
            user.password_history = serde_json::Value::Array(
                pairs
                    .into_iter()
                    .map(|(s, v)| serde_json::json!({"salt": hex::encode(s), "verifier": hex::encode(v)}))
                    .collect(),
            );
        }
    }
    let pv = srp::new_password_verifier(&pool_name, &user.username, password);
    user.password_salt = Some(pv.salt);
    user.password_verifier = Some(pv.verifier);
    user.password_set_at = Some(now);
    Ok(())
}

fn history_pairs(history: &serde_json::Value) -> Vec<(Vec<u8>, Vec<u8>)> {
    history
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| {
                    let s = hex::decode(e.get("salt")?.as_str()?).ok()?;
                    let v = hex::decode(e.get("verifier")?.as_str()?).ok()?;
                    Some((s, v))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A temporary password that satisfies the pool's policy (AdminCreateUser without one).
pub fn generate_temporary_password(policy: &PasswordPolicyType) -> String {
    use crate::util::random_string;
    let len = policy.minimum_length.unwrap_or(8).clamp(12, 99) as usize;
    let mut pw = String::new();
    pw.push_str(&random_string(b"ABCDEFGHJKLMNPQRSTUVWXYZ", 1));
    pw.push_str(&random_string(b"abcdefghijkmnopqrstuvwxyz", 1));
    pw.push_str(&random_string(b"23456789", 1));
    pw.push_str(&random_string(b"!#%^*-_=+", 1));
    pw.push_str(&random_string(
        b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789",
        len - 4,
    ));
    pw
}

/// The internal username of a new user and the sign-in attribute its requested name fills:
/// UsernameAttributes pools store the `sub` as username and the name as email / phone number;
/// AliasAttributes pools refuse names that look like the aliases.
fn new_username(
    pool: &UserPoolType,
    requested: &str,
    sub: &str,
) -> ApiResult<(String, Option<(&'static str, String)>)> {
    let username_attrs = pool.username_attributes();
    if !username_attrs.is_empty() {
        let allows = |a: &str| username_attrs.iter().any(|x| x == a);
        if allows(EMAIL) && attributes::is_email(requested) {
            return Ok((sub.to_string(), Some((EMAIL, requested.to_string()))));
        }
        if allows(PHONE) && attributes::is_phone(requested) {
            return Ok((sub.to_string(), Some((PHONE, requested.to_string()))));
        }
        return Err(ApiError::invalid_parameter(
            match (allows(EMAIL), allows(PHONE)) {
                (true, true) => "Username should be either an email or a phone number.",
                (true, false) => "Username should be an email.",
                _ => "Username should be a phone number.",
            },
        ));
    }
    let aliases = pool.alias_attributes();
    if aliases.iter().any(|a| a == EMAIL) && attributes::is_email(requested) {
        return Err(ApiError::invalid_parameter(
            "Username cannot be of email format, since user pool is configured for email alias.",
        ));
    }
    if aliases.iter().any(|a| a == PHONE) && attributes::is_phone(requested) {
        return Err(ApiError::invalid_parameter(
            "Username cannot be of phone number format, since user pool is configured for phone number alias.",
        ));
    }
    Ok((requested.to_string(), None))
}

/// Who else holds one of `user`'s sign-in keys. Keys are only unique by this check (the table has
/// no unique index on them: unverified aliases may be shared).
async fn key_holders(ctx: &Ctx, user: &UserRecord) -> ApiResult<Vec<(&'static str, UserRecord)>> {
    let mut out = Vec::new();
    let keys = [
        (EMAIL, AliasColumn::Email, user.email_key.as_deref()),
        (PHONE, AliasColumn::Phone, user.phone_key.as_deref()),
        (
            attributes::PREFERRED_USERNAME,
            AliasColumn::PreferredUsername,
            user.preferred_username_key.as_deref(),
        ),
    ];
    for (attr, column, key) in keys {
        let Some(key) = key else { continue };
        for other in ctx
            .app
            .store
            .find_users_by_alias(&user.pool_id, column, key)
            .await?
        {
            if other.sub != user.sub {
                out.push((attr, other));
            }
        }
    }
    Ok(out)
}

/// Makes `user`'s sign-in keys its own. In UsernameAttributes pools a taken email / phone number
/// is a taken username; in AliasAttributes pools it is an AliasExistsException unless `force`
/// moves the alias over (the previous holder's address becomes unverified, as ForceAliasCreation
/// documents).
pub(crate) async fn claim_keys(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    force: bool,
    creating: bool,
) -> ApiResult<()> {
    let holders = key_holders(ctx, user).await?;
    if holders.is_empty() {
        return Ok(());
    }
    let username_attrs = pool.username_attributes();
    for (attr, mut other) in holders {
        if username_attrs.iter().any(|a| a == attr) {
            return Err(if creating {
                ApiError::username_exists(format!(
                    "An account with the given {attr} already exists."
                ))
            } else {
                ApiError::alias_exists(format!("An account with the given {attr} already exists."))
            });
        }
        let flag = match attr {
            EMAIL => EMAIL_VERIFIED,
            PHONE => PHONE_VERIFIED,
            _ => "",
        };
        if !force || flag.is_empty() {
            return Err(ApiError::alias_exists(format!(
                "An account with the {attr} already exists."
            )));
        }
        other.attributes.insert(flag.to_string(), "false".into());
        attributes::refresh_keys(pool, &mut other);
        other.modified_at = ctx.app.clock.epoch();
        ctx.app.store.update_user(&other).await?;
    }
    Ok(())
}

/// What a new user is made of (SignUp, AdminCreateUser, seed files).
pub struct NewUser<'a> {
    pub requested_username: &'a str,
    /// The `sub` when the caller drew it already (it is PreSignUp's `userName` in pools with
    /// UsernameAttributes); else a new one.
    pub sub: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub password: Option<&'a str>,
    pub status: &'a str,
    pub force_alias_creation: bool,
    /// Wording of a taken username: SignUp "User already exists", AdminCreateUser "User account
    /// already exists".
    pub exists_message: &'a str,
}

/// Creates a user after the caller checked attributes and password policy.
pub async fn create_user(
    ctx: &Ctx,
    pool: &UserPoolType,
    new: NewUser<'_>,
) -> ApiResult<UserRecord> {
    let sub = new.sub.unwrap_or_else(ids::sub);
    let (username, sign_in_attr) = new_username(pool, new.requested_username, &sub)?;
    let mut attrs = new.attributes;
    if let Some((name, value)) = sign_in_attr {
        attrs.insert(name.to_string(), value);
    }
    attributes::check_required(pool, &attrs)?;
    attributes::check_flags_have_values(&attrs)?;
    let now = ctx.app.clock.epoch();
    let mut user = UserRecord {
        pool_id: pool.pool_id().to_string(),
        sub,
        username_key: pool.username_key(&username),
        username,
        status: new.status.to_string(),
        enabled: true,
        attributes: attrs,
        password_history: serde_json::json!([]),
        mfa: serde_json::json!({}),
        created_at: now,
        modified_at: now,
        ..Default::default()
    };
    if ctx
        .app
        .store
        .get_user_by_key(&user.pool_id, &user.username_key)
        .await?
        .is_some()
    {
        return Err(ApiError::username_exists(new.exists_message));
    }
    attributes::refresh_keys(pool, &mut user);
    claim_keys(ctx, pool, &user, new.force_alias_creation, true).await?;
    if let Some(pw) = new.password {
        set_password(pool, &mut user, pw, now)?;
    }
    match ctx.app.store.insert_user(&user).await {
        Ok(()) => Ok(user),
        Err(e) if crate::store::is_unique_violation(&e) => {
            Err(ApiError::username_exists(new.exists_message))
        }
        Err(e) => Err(e.into()),
    }
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

/// Writes an attribute change: validates, unverifies changed addresses (or holds a verified one
/// back until the new value is verified, AttributesRequireVerificationBeforeUpdate), keeps the
/// sign-in keys, and sends verification codes (`account::after_attribute_update`). Returns the
/// delivery details.
async fn update_attributes(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: Option<&UserPoolClientType>,
    mut user: UserRecord,
    requested: &[AttributeType],
    mode: WriteMode,
) -> ApiResult<Vec<CodeDeliveryDetailsType>> {
    let changes = attributes::check_write(pool, client, requested, mode)?;
    let plan = attributes::plan_update(pool, &mut user.attributes, changes);
    attributes::check_flags_have_values(&user.attributes)?;
    attributes::refresh_keys(pool, &mut user);
    claim_keys(ctx, pool, &user, false, false).await?;
    user.modified_at = ctx.app.clock.epoch();
    ctx.app.store.update_user(&user).await?;
    super::account::after_attribute_update(ctx, pool, &user, &plan).await
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
    let user = create_user(
        &ctx,
        &pool,
        NewUser {
            requested_username: &username,
            sub: Some(sub),
            attributes: pre.verified(attrs),
            password,
            status: if pre.auto_confirm_user {
                CONFIRMED
            } else {
                UNCONFIRMED
            },
            force_alias_creation: false,
            exists_message: "User already exists",
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
    let session = new_session(
        &ctx,
        &client_id,
        &user,
        AUTO_SIGN_IN,
        SIGN_UP_SESSION_SECONDS,
    )
    .await?;
    Ok(SignUpResponse {
        user_confirmed: Some(pre.auto_confirm_user),
        code_delivery_details,
        user_sub: Some(user.sub),
        session: Some(session),
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
    if user.status != UNCONFIRMED {
        return Err(ApiError::not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status
        )));
    }
    super::account::count_request(&ctx, &user, super::account::Limit::ConfirmSignUp).await?;
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
    user.status = CONFIRMED.into();
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

/// An `auth_sessions` row with state `{"kind": kind}` for this user and client.
async fn new_session(
    ctx: &Ctx,
    client_id: &str,
    user: &UserRecord,
    kind: &str,
    seconds: f64,
) -> ApiResult<String> {
    let now = ctx.app.clock.epoch();
    let id = random_token(48);
    ctx.app
        .store
        .insert_sign_up_session(
            &id,
            &user.pool_id,
            client_id,
            &user.sub,
            &session_state(kind),
            now + seconds,
            now,
        )
        .await?;
    Ok(id)
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
            // A plausible answer that says nothing about whether the user exists (spec 8).
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
    if user.status == CONFIRMED {
        return Err(ApiError::invalid_parameter("User is already confirmed."));
    }
    let Some(channel) = sign_up_channel(&pool, &user) else {
        return Err(ApiError::invalid_parameter(
            "Cannot resend codes. Auto verification not turned on.",
        ));
    };
    super::account::count_request(&ctx, &user, super::account::Limit::ResendConfirmationCode)
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
        user_attributes: Some(attributes::to_api(&user)),
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
        client.as_ref(),
        access.user,
        req.user_attributes.as_deref().unwrap_or_default(),
        WriteMode::SelfUpdate,
    )
    .await?;
    Ok(UpdateUserAttributesResponse {
        code_delivery_details_list: Some(details),
    })
}

/// AdminUpdateUserAttributes lives with the admin operations but shares the update path.
pub(crate) async fn admin_update_attributes(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: UserRecord,
    requested: &[AttributeType],
) -> ApiResult<()> {
    update_attributes(ctx, pool, None, user, requested, WriteMode::AdminUpdate).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pool::default_password_policy;

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

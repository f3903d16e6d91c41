//! Helpers every operation family shares: loading the pool, client and user a request names
//! (with Cognito's not-found texts), the per-user request limits, sign-in event records and the
//! checks several families make on configuration. Families import these from here, never from
//! each other.

use crate::delivery;
use crate::domain::attributes::{
    self, UpdatePlan, WriteMode, EMAIL, EMAIL_VERIFIED, PHONE, PHONE_VERIFIED,
};
use crate::domain::client::ClientExt;
use crate::domain::message::{Channel, Purpose};
use crate::domain::paging;
use crate::domain::pool::PoolExt;
use crate::domain::records::{AliasColumn, AuthSession, CredentialRecord, UserRecord};
use crate::domain::user_status::UserStatus;
use crate::error::{ApiError, ApiResult};
use crate::flow::session as flow_session;
use crate::ids;
use crate::model::shapes::*;
use crate::state::Ctx;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The pool or `ResourceNotFoundException` with Cognito's text.
pub async fn load_pool(ctx: &Ctx, pool_id: &str) -> ApiResult<Arc<UserPoolType>> {
    ctx.app
        .store
        .get_pool(pool_id)
        .await?
        .ok_or_else(|| pool_not_found(pool_id))
}

pub fn pool_not_found(pool_id: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool {pool_id} does not exist."))
}

/// The client, which must belong to `pool_id`, or Cognito's not-found error.
pub async fn load_client(
    ctx: &Ctx,
    pool_id: &str,
    client_id: &str,
) -> ApiResult<Arc<UserPoolClientType>> {
    match ctx.app.store.get_client(client_id).await? {
        Some(c) if c.user_pool_id.as_deref() == Some(pool_id) => Ok(c),
        _ => Err(client_not_found(client_id)),
    }
}

pub fn client_not_found(client_id: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool client {client_id} does not exist."))
}

/// Finds the user a request names (Cognito Developer Guide, "User pool attributes"; case folding
/// **[B]**): the username (case-folded in case-insensitive pools); else an email / phone number
/// that signs in (UsernameAttributes, or a verified alias) or a preferred_username alias; else the
/// `sub`.
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

/// The `UserType` view of a user.
pub fn user_type(user: &UserRecord) -> UserType {
    UserType {
        username: Some(user.username.clone()),
        attributes: Some(attributes::to_api(user)),
        user_create_date: Some(user.created_at),
        user_last_modified_date: Some(user.modified_at),
        enabled: Some(user.enabled),
        user_status: Some(user.status.to_string()),
        mfa_options: crate::domain::mfa::reported(user).mfa_options,
    }
}

/// Stores a new password as the SRP (salt, verifier) pair (see `crypto::srp`), enforcing the pool's
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

/// Makes `user`'s sign-in keys its own. In UsernameAttributes pools a taken email / phone number
/// is a taken username; in AliasAttributes pools it is an AliasExistsException unless `force`
/// moves the alias over (the previous holder's address becomes unverified, as ForceAliasCreation
/// documents).
pub async fn claim_keys(
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
    pub status: UserStatus,
    pub force_alias_creation: bool,
    /// Wording of a taken username: SignUp "User already exists", AdminCreateUser "User account
    /// already exists".
    pub exists_message: &'a str,
    /// A sign-in session to store with the user, in the same write (SignUp's auto sign-in).
    pub session: Option<&'a AuthSession>,
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
        status: new.status,
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
    let inserted = match new.session {
        Some(session) => ctx.app.store.insert_user_with_session(&user, session).await,
        None => ctx.app.store.insert_user(&user).await,
    };
    match inserted {
        Ok(()) => Ok(user),
        Err(e) if crate::store::is_unique_violation(&e) => {
            Err(ApiError::username_exists(new.exists_message))
        }
        Err(e) => Err(e.into()),
    }
}

/// Requests a user may make per hour (Cognito Developer Guide, "Quotas in Amazon Cognito"). Cognito
/// gives a range for ConfirmForgotPassword (5–20); the middle of it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    ForgotPassword,
    ConfirmForgotPassword,
    ChangePassword,
    GetUserAttributeVerificationCode,
    VerifyUserAttribute,
    ResendConfirmationCode,
    ConfirmSignUp,
}

impl Limit {
    fn action(self) -> &'static str {
        match self {
            Limit::ForgotPassword => "ForgotPassword",
            Limit::ConfirmForgotPassword => "ConfirmForgotPassword",
            Limit::ChangePassword => "ChangePassword",
            Limit::GetUserAttributeVerificationCode => "GetUserAttributeVerificationCode",
            Limit::VerifyUserAttribute => "VerifyUserAttribute",
            Limit::ResendConfirmationCode => "ResendConfirmationCode",
            Limit::ConfirmSignUp => "ConfirmSignUp",
        }
    }

    pub fn per_hour(self) -> i64 {
        match self {
            Limit::ForgotPassword
            | Limit::ChangePassword
            | Limit::GetUserAttributeVerificationCode
            | Limit::ResendConfirmationCode => 5,
            Limit::ConfirmForgotPassword => 10,
            Limit::VerifyUserAttribute | Limit::ConfirmSignUp => 15,
        }
    }
}

/// Counts one request of `user` against `limit`, or refuses it once the last hour holds as many
/// as the limit allows. A refused request is not counted, so waiting is what lifts the limit
/// (or `--no-rate-limits`).
pub async fn count_request(ctx: &Ctx, user: &UserRecord, limit: Limit) -> ApiResult<()> {
    if ctx.app.config.no_rate_limits {
        return Ok(());
    }
    let now = ctx.app.clock.epoch();
    let store = &ctx.app.store;
    let recent = store
        .count_user_attempts(&user.pool_id, &user.sub, limit.action(), now - HOUR)
        .await?;
    if recent >= limit.per_hour() {
        return Err(limit_exceeded());
    }
    store
        .add_user_attempt(&user.pool_id, &user.sub, limit.action(), now, now - HOUR)
        .await?;
    Ok(())
}

/// After (Admin)UpdateUserAttributes stored `user`: voids pending changes the update replaced,
/// and sends codes to new auto-verified addresses and to pending ones. Returns the deliveries.
pub async fn after_attribute_update(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    plan: &UpdatePlan,
) -> ApiResult<Vec<CodeDeliveryDetailsType>> {
    for addr in &plan.written {
        ctx.app
            .store
            .set_code_pending_value(
                &user.pool_id,
                &user.sub,
                &crate::domain::message::verify_attribute_key(addr),
                None,
            )
            .await?;
    }
    let auto = pool.auto_verified_attributes();
    let mut details = Vec::new();
    for addr in &plan.changed {
        let has_value = user.attributes.get(*addr).is_some_and(|v| !v.is_empty());
        if has_value && auto.iter().any(|a| a == addr) {
            details.push(send_verification(ctx, pool, user, addr, None).await?);
        }
    }
    for (addr, value) in &plan.pending {
        details.push(send_verification(ctx, pool, user, addr, Some(value)).await?);
    }
    Ok(details)
}

/// Records a successful `event_type` event (SignIn, ForgotPassword, PasswordChange) for the
/// user when the pool has the add-on. The emulator evaluates no risk: every event is NoRisk.
pub async fn record_event(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    event_type: &str,
) -> ApiResult<()> {
    insert_event(ctx, pool, user, event_type, true).await
}

/// A sign-in refused for a wrong password is a failed SignIn event (other refusals are not
/// recorded). Users that do not exist (the stand-in of a hidden unknown user) have no history.
pub async fn record_failed_sign_in(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    error: &ApiError,
) -> ApiResult<()> {
    if !has_add_ons(pool)
        || error.message.as_deref() != Some("Incorrect username or password.")
        || ctx
            .app
            .store
            .get_user_by_sub(&user.pool_id, &user.sub)
            .await?
            .is_none()
    {
        return Ok(());
    }
    insert_event(ctx, pool, user, "SignIn", false).await
}

/// `AllowedOAuthScopes` of an app client: the standard scopes, or `<identifier>/<scope name>` of
/// a resource server of the pool. Anything else is refused as Cognito refuses it ("Invalid scope
/// requested: Cognito", quoted in awsdocs/aws-cloudformation-user-guide#564 and #518).
pub async fn check_client_scopes(ctx: &Ctx, pool_id: &str, scopes: &[String]) -> ApiResult<()> {
    for scope in scopes {
        if STANDARD_SCOPES.contains(&scope.as_str()) {
            continue;
        }
        let defined = match scope.rsplit_once('/') {
            Some((identifier, name)) => ctx
                .app
                .store
                .get_resource_server(pool_id, identifier)
                .await?
                .is_some_and(|rs| {
                    rs.scopes
                        .unwrap_or_default()
                        .iter()
                        .any(|s| s.scope_name.as_deref() == Some(name))
                }),
            None => false,
        };
        if !defined {
            return Err(ApiError::new(
                "ScopeDoesNotExistException",
                format!("Invalid scope requested: {scope}"),
            ));
        }
    }
    Ok(())
}

/// SupportedIdentityProviders of an app client may name COGNITO and the pool's providers only.
/// The text is the service's, quoted in lgallard/terraform-aws-cognito-user-pool#72.
pub async fn check_supported_identity_providers(
    ctx: &Ctx,
    pool_id: &str,
    names: Option<&[String]>,
) -> ApiResult<()> {
    for name in names.unwrap_or_default() {
        if name == COGNITO {
            continue;
        }
        if ctx
            .app
            .store
            .get_identity_provider(pool_id, name)
            .await?
            .is_none()
        {
            return Err(ApiError::invalid_parameter(format!(
                "The provider {name} does not exist for User Pool {pool_id}"
            )));
        }
    }
    Ok(())
}

/// A user's attributes with the `identities` attribute of their linked identities appended
/// (AdminGetUser, GetUser and the user lists).
pub async fn with_identities(
    ctx: &Ctx,
    user: &crate::domain::records::UserRecord,
    mut attributes: Vec<AttributeType>,
) -> ApiResult<Vec<AttributeType>> {
    if let Some(value) = identities_attribute(ctx, user).await? {
        attributes.retain(|a| a.name.as_deref() != Some("identities"));
        attributes.push(AttributeType {
            name: Some("identities".into()),
            value: Some(value),
        });
    }
    Ok(attributes)
}

/// Users as ListUsers and ListUsersInGroup show them: every attribute, or only `attributes_to_get`,
/// with the `identities` attribute of users who have linked external identities, as AdminGetUser
/// and GetUser show it.
pub async fn list_user_types(
    ctx: &Ctx,
    users: &[UserRecord],
    attributes_to_get: Option<&[String]>,
) -> ApiResult<Vec<UserType>> {
    let mut out = Vec::with_capacity(users.len());
    for user in users {
        let mut t = user_type(user);
        let all = t.attributes.take().unwrap_or_default();
        let mut attributes = with_identities(ctx, user, all).await?;
        if let Some(names) = attributes_to_get {
            attributes.retain(|a| names.iter().any(|n| Some(n.as_str()) == a.name.as_deref()));
        }
        t.attributes = Some(attributes);
        out.push(t);
    }
    Ok(out)
}

/// The client as the API shows it: one `ClientSecret`, never the joined stored value.
pub fn public_view(client: &UserPoolClientType) -> UserPoolClientType {
    let mut client = client.clone();
    client.client_secret = client.secret().map(str::to_string);
    client
}

/// DescribeUserPool's `Domain` (a prefix) or `CustomDomain` (a custom domain) [B: one or the
/// other, as the API reference describes the two members].
pub async fn fill_pool_domain(ctx: &Ctx, pool: &mut UserPoolType) -> ApiResult<()> {
    let id = pool.id.clone().unwrap_or_default();
    let d = ctx.app.store.get_pool_domain(&id).await?;
    pool.domain = None;
    pool.custom_domain = None;
    if let Some(d) = d {
        if d.custom_domain_config.is_some() {
            pool.custom_domain = d.domain;
        } else {
            pool.domain = d.domain;
        }
    }
    Ok(())
}

/// A pool with a domain cannot be deleted: the service's text, quoted in
/// hashicorp/terraform-provider-aws#16479 and rebuy-de/aws-nuke#330.
pub async fn check_pool_has_no_domain(ctx: &Ctx, pool_id: &str) -> ApiResult<()> {
    if ctx.app.store.get_pool_domain(pool_id).await?.is_some() {
        return Err(ApiError::invalid_parameter(
            "User pool cannot be deleted. It has a domain configured that should be deleted first.",
        ));
    }
    Ok(())
}

/// The pool's domain, for the operations that need one (SetUICustomization).
pub async fn pool_domain(ctx: &Ctx, pool_id: &str) -> ApiResult<Option<DomainDescriptionType>> {
    Ok(ctx.app.store.get_pool_domain(pool_id).await?)
}

/// "Invalid pagination token.": the List operations' answer to a token they never handed out.
pub fn invalid_pagination_token() -> ApiError {
    ApiError::invalid_parameter("Invalid pagination token.")
}

/// ListUserPools' and ListUserPoolClients' answer to a token they never handed out: the same
/// text without the final period.
pub fn invalid_listing_token() -> ApiError {
    ApiError::invalid_parameter("Invalid pagination token")
}

/// An opaque position in a pool's users: creation time and sub of the last user returned.
pub fn user_page_token(user: &UserRecord) -> String {
    paging::position_token(user.created_at, &user.sub)
}

/// The (creation time, id) position a page token names, or "Invalid pagination token."; an
/// empty token is no token.
pub fn page_position(token: Option<&str>) -> ApiResult<Option<(f64, String)>> {
    token
        .filter(|t| !t.is_empty())
        .map(|t| paging::parse_position_token(t).ok_or_else(invalid_pagination_token))
        .transpose()
}

/// The key (a name or id) a page token names, or "Invalid pagination token."; an empty token is
/// no token.
pub fn page_key(token: Option<&str>) -> ApiResult<Option<String>> {
    token
        .filter(|t| !t.is_empty())
        .map(|t| paging::parse_key_token(t).ok_or_else(invalid_pagination_token))
        .transpose()
}

/// Scopes every app client may be given without a resource server.
pub const STANDARD_SCOPES: &[&str] = &[
    "phone",
    "email",
    "openid",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// The internal username of a new user and the sign-in attribute its requested name fills:
/// UsernameAttributes pools store the `sub` as username and the name as email / phone number;
/// AliasAttributes pools refuse names that look like the aliases.
pub fn new_username(
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

/// The provider name of the pool's own users in SupportedIdentityProviders and links.
pub const COGNITO: &str = "COGNITO";

/// Sends a verification code for `attribute`: to `pending` (a new value waiting for
/// verification) when given, else to the current value. The pending value rides on the code.
pub async fn send_verification(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    attribute: &str,
    pending: Option<&str>,
) -> ApiResult<CodeDeliveryDetailsType> {
    let channel = verifiable(attribute)?;
    let mut target = user.clone();
    if let Some(value) = pending {
        target
            .attributes
            .insert(attribute.to_string(), value.to_string());
    }
    let (_, details) = delivery::send_code(
        ctx,
        pool,
        &target,
        channel,
        Purpose::VerifyAttribute,
        CODE_LENGTH,
    )
    .await?;
    if pending.is_some() {
        ctx.app
            .store
            .set_code_pending_value(
                &user.pool_id,
                &user.sub,
                &crate::domain::message::verify_attribute_key(attribute),
                pending,
            )
            .await?;
    }
    Ok(details)
}

/// Whether the pool has the threat-protection add-on (`UserPoolAddOns.AdvancedSecurityMode`
/// AUDIT or ENFORCED), without which Cognito records no auth events.
pub fn has_add_ons(pool: &UserPoolType) -> bool {
    let mode = pool
        .user_pool_add_ons
        .as_ref()
        .and_then(|a| a.advanced_security_mode.as_deref())
        .unwrap_or("OFF");
    mode == "AUDIT" || mode == "ENFORCED"
}

pub async fn insert_event(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    event_type: &str,
    passed: bool,
) -> ApiResult<()> {
    if !has_add_ons(pool) {
        return Ok(());
    }
    let challenges = match (event_type, passed) {
        ("SignIn", true) => {
            serde_json::json!([{"ChallengeName": "Password", "ChallengeResponse": "Success"}])
        }
        ("SignIn", false) => {
            serde_json::json!([{"ChallengeName": "Password", "ChallengeResponse": "Failure"}])
        }
        _ => serde_json::json!([]),
    };
    ctx.app
        .store
        .insert_auth_event(&crate::domain::records::AuthEventRecord {
            event_id: uuid::Uuid::new_v4().to_string(),
            pool_id: user.pool_id.clone(),
            sub: user.sub.clone(),
            event_type: event_type.to_string(),
            event_response: if passed { "Pass" } else { "Fail" }.into(),
            challenges,
            created_at: ctx.app.clock.epoch(),
            ..Default::default()
        })
        .await?;
    Ok(())
}

/// The `identities` attribute of a user with linked external identities (their own, for a
/// federated user), as AdminGetUser shows it. `None` for a user without any.
pub async fn identities_attribute(ctx: &Ctx, user: &UserRecord) -> ApiResult<Option<String>> {
    if !user.linked {
        return Ok(None);
    }
    let links = ctx
        .app
        .store
        .provider_links_with_types(&user.pool_id, &user.sub)
        .await?;
    if links.is_empty() {
        return Ok(None);
    }
    Ok(Some(crate::domain::federation::identities_attribute(
        &links,
        &user.username,
    )))
}

pub fn limit_exceeded() -> ApiError {
    ApiError::limit_exceeded("Attempt limit exceeded, please try after some time.")
}

/// Who else holds one of `user`'s sign-in keys. Keys are only unique by this check (the table has
/// no unique index on them: unverified aliases may be shared).
pub async fn key_holders(
    ctx: &Ctx,
    user: &UserRecord,
) -> ApiResult<Vec<(&'static str, UserRecord)>> {
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

pub const HOUR: f64 = 3600.0;

pub fn history_pairs(history: &serde_json::Value) -> Vec<(Vec<u8>, Vec<u8>)> {
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

/// The channel of a verifiable attribute, or InvalidParameterException for any other name (text
/// as quoted from the service in amplify-js#3652, lower-case start included).
pub fn verifiable(attribute: &str) -> ApiResult<Channel> {
    Channel::for_attribute(attribute).ok_or_else(|| {
        ApiError::invalid_parameter(
            "invalid attribute name. Only phone_number and email can be verified",
        )
    })
}

/// Sign-up and verification codes are six digits (observed: aws-amplify/docs#710).
pub const CODE_LENGTH: usize = 6;

/// The app client and its pool for the public operations that only carry a `ClientId`.
pub async fn client_and_pool(
    ctx: &Ctx,
    client_id: &str,
) -> ApiResult<(Arc<UserPoolClientType>, Arc<UserPoolType>)> {
    let client = ctx
        .app
        .store
        .get_client(client_id)
        .await?
        .ok_or_else(|| client_not_found(client_id))?;
    let pool = load_pool(ctx, client.pool_id()).await?;
    Ok((client, pool))
}

/// Whether the pool lets users sign in without a password (then users may have none).
pub fn passwordless_available(pool: &UserPoolType) -> bool {
    pool.policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.as_ref())
        .is_some_and(|f| f.iter().any(|x| x == "EMAIL_OTP" || x == "SMS_OTP"))
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

pub fn region(pool_id: &str) -> &str {
    pool_id
        .split_once('_')
        .map_or(crate::ids::REGION, |(r, _)| r)
}

/// Single use: of two concurrent answers with one session only one wins.
pub async fn consume(ctx: &Ctx, session_id: &str) -> ApiResult<()> {
    if ctx.app.store.consume_auth_session(session_id).await? {
        Ok(())
    } else {
        Err(flow_session::reused())
    }
}

/// The pool's MFA configuration; pools with MFA off (the pool document says so) need no read.
pub async fn pool_mfa(ctx: &Ctx, pool: &UserPoolType) -> ApiResult<GetUserPoolMfaConfigResponse> {
    if pool.mfa_configuration.as_deref().unwrap_or("OFF") == "OFF" {
        return Ok(GetUserPoolMfaConfigResponse {
            mfa_configuration: Some("OFF".into()),
            ..Default::default()
        });
    }
    Ok(ctx
        .app
        .store
        .get_pool_mfa(pool.pool_id())
        .await?
        .unwrap_or_default())
}

/// A fresh challenge: 16 random bytes, base64url without padding (as in amplify-js
/// `packages/auth/__tests__/mockData.ts`).
pub fn new_challenge() -> String {
    crate::util::random_token(16)
}

/// The pool's relying-party id (module doc).
pub fn relying_party_id(pool: &UserPoolType, mfa: &GetUserPoolMfaConfigResponse) -> String {
    if let Some(id) = mfa
        .web_authn_configuration
        .as_ref()
        .and_then(|w| w.relying_party_id.clone())
        .filter(|s| !s.is_empty())
    {
        return id;
    }
    if let Some(d) = pool.custom_domain.clone().filter(|s| !s.is_empty()) {
        return d;
    }
    if let Some(prefix) = pool.domain.clone().filter(|s| !s.is_empty()) {
        let region = pool.pool_id().split('_').next().unwrap_or("us-east-1");
        return format!("{prefix}.auth.{region}.amazoncognito.com");
    }
    "localhost".to_string()
}

/// The credential ids of a user, as `excludeCredentials` / `allowCredentials` list them.
pub async fn descriptors(ctx: &Ctx, user: &UserRecord) -> ApiResult<Vec<serde_json::Value>> {
    Ok(ctx
        .app
        .store
        .list_webauthn_credentials(&user.pool_id, &user.sub)
        .await?
        .iter()
        .map(descriptor)
        .collect())
}

/// The pool's whole MFA document: USER_AUTH needs `WebAuthnConfiguration` even with MFA off.
pub async fn pool_mfa_config(
    ctx: &Ctx,
    pool: &UserPoolType,
) -> ApiResult<GetUserPoolMfaConfigResponse> {
    let mut mfa = ctx
        .app
        .store
        .get_pool_mfa(crate::domain::pool::PoolExt::pool_id(pool))
        .await?
        .unwrap_or_default();
    if mfa.mfa_configuration.is_none() {
        mfa.mfa_configuration = Some(pool.mfa_configuration.clone().unwrap_or("OFF".into()));
    }
    Ok(mfa)
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

/// Writes an attribute change: validates, unverifies changed addresses (or holds a verified one
/// back until the new value is verified, AttributesRequireVerificationBeforeUpdate), keeps the
/// sign-in keys, and sends verification codes (`account::after_attribute_update`). Returns the
/// delivery details.
pub async fn update_attributes(
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
    crate::ops::common::after_attribute_update(ctx, pool, &user, &plan).await
}

pub fn descriptor(c: &CredentialRecord) -> serde_json::Value {
    let mut d = json!({"type": "public-key", "id": c.credential_id});
    if !c.transports.is_empty() {
        d["transports"] = json!(c.transports);
    }
    d
}

/// UserMigration for `username`, whom the pool does not have: asks the pool's function and, when
/// it knows the user, creates them (with `password`, the one typed at sign-in; `None` for
/// ForgotPassword). `None` when the pool has no UserMigration trigger.
pub async fn migrate_user(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    username: &str,
    password: Option<&str>,
) -> ApiResult<Option<UserRecord>> {
    let Some(migrated) =
        crate::triggers::migration::user_migration(ctx, pool, client, username, password).await?
    else {
        return Ok(None);
    };
    let user = create_user(
        ctx,
        pool,
        NewUser {
            requested_username: username,
            sub: None,
            attributes: migrated.attributes,
            password,
            status: migrated.status,
            force_alias_creation: migrated.force_alias_creation,
            exists_message: "User account already exists",
            session: None,
        },
    )
    .await?;
    tracing::info!(pool_id = %user.pool_id, username = %user.username, status = %user.status, "user migrated");
    Ok(Some(user))
}

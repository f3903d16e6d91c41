//! User pools: Create/Describe/List/Update/Delete and the pool's MFA configuration.

use crate::domain::paging;
use crate::domain::pool::{default_password_policy, unify_verification_messages};
use crate::domain::schema::build_schema;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::shapes::*;
use crate::ops::common::load_pool;
use crate::ops::common::pool_not_found;
use crate::state::Ctx;
use std::sync::Arc;

const SIGN_IN_ATTRIBUTES: &[&str] = &["email", "phone_number"];
const ALIAS_ATTRIBUTES: &[&str] = &["email", "phone_number", "preferred_username"];

fn check_sign_in_attributes(
    username_attributes: Option<&Vec<String>>,
    alias_attributes: Option<&Vec<String>>,
) -> ApiResult<()> {
    if username_attributes.is_some_and(|u| !u.is_empty())
        && alias_attributes.is_some_and(|a| !a.is_empty())
    {
        return Err(ApiError::invalid_parameter(
            "Only one of the aliasAttributes or usernameAttributes parameter can be set in a User Pool.",
        ));
    }
    for a in username_attributes.into_iter().flatten() {
        if !SIGN_IN_ATTRIBUTES.contains(&a.as_str()) {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid UsernameAttributes value: {a}"
            )));
        }
    }
    for a in alias_attributes.into_iter().flatten() {
        if !ALIAS_ATTRIBUTES.contains(&a.as_str()) {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid AliasAttributes value: {a}"
            )));
        }
    }
    Ok(())
}

fn check_policies(p: Option<&UserPoolPolicyType>) -> ApiResult<()> {
    if let Some(pp) = p.and_then(|p| p.password_policy.as_ref()) {
        if let Some(len) = pp.minimum_length {
            if !(6..=99).contains(&len) {
                return Err(ApiError::invalid_parameter(format!(
                    "1 validation error detected: Value '{len}' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6"
                )));
            }
        }
    }
    Ok(())
}

/// Fills the defaults Cognito reports for a policy the caller left partly empty.
fn complete_policies(p: Option<UserPoolPolicyType>) -> UserPoolPolicyType {
    let mut p = p.unwrap_or_default();
    let d = default_password_policy();
    let mut pp = p.password_policy.take().unwrap_or_else(|| d.clone());
    if p.password_policy.is_none() {
        pp.minimum_length = pp.minimum_length.or(d.minimum_length);
        pp.require_uppercase = pp.require_uppercase.or(Some(false));
        pp.require_lowercase = pp.require_lowercase.or(Some(false));
        pp.require_numbers = pp.require_numbers.or(Some(false));
        pp.require_symbols = pp.require_symbols.or(Some(false));
        if pp.temporary_password_validity_days.unwrap_or(0) == 0 {
            pp.temporary_password_validity_days = Some(7);
        }
    }
    p.password_policy = Some(pp);
    if p.sign_in_policy.is_none() {
        p.sign_in_policy = Some(SignInPolicyType {
            allowed_first_auth_factors: Some(vec!["PASSWORD".into()]),
        });
    }
    p
}

fn default_mfa() -> GetUserPoolMfaConfigResponse {
    GetUserPoolMfaConfigResponse {
        mfa_configuration: Some("OFF".into()),
        ..Default::default()
    }
}

pub async fn create_user_pool(
    ctx: Ctx,
    req: CreateUserPoolRequest,
) -> ApiResult<CreateUserPoolResponse> {
    check_sign_in_attributes(
        req.username_attributes.as_ref(),
        req.alias_attributes.as_ref(),
    )?;
    check_policies(req.policies.as_ref())?;
    let schema = build_schema(req.schema.as_deref().unwrap_or_default())?;
    // Its users' passwords need SRP's table: build it now, while the client sets the pool up.
    crate::crypto::srp::precompute_in_background();
    let now = ctx.app.clock.epoch();
    // The region the client signed for (a boto3 client in eu-west-1 makes `eu-west-1_...`).
    let id = ids::user_pool_id(ctx.region());
    let mfa_configuration = req
        .mfa_configuration
        .clone()
        .unwrap_or_else(|| "OFF".into());
    // A pool created with MFA and an SMS configuration offers SMS MFA, as SetUserPoolMfaConfig
    // with an SmsMfaConfiguration would.
    let sms_mfa_configuration = (mfa_configuration != "OFF")
        .then(|| req.sms_configuration.clone())
        .flatten()
        .map(|sms| SmsMfaConfigType {
            sms_authentication_message: req.sms_authentication_message.clone(),
            sms_configuration: Some(sms),
        });
    let mut pool = UserPoolType {
        id: Some(id.clone()),
        name: req.pool_name.clone(),
        arn: Some(ids::user_pool_arn(&id)),
        policies: Some(complete_policies(req.policies)),
        deletion_protection: Some(req.deletion_protection.unwrap_or_else(|| "INACTIVE".into())),
        lambda_config: Some(req.lambda_config.unwrap_or_default()),
        status: Some("Enabled".into()),
        last_modified_date: Some(now),
        creation_date: Some(now),
        schema_attributes: Some(schema),
        auto_verified_attributes: req.auto_verified_attributes,
        alias_attributes: req.alias_attributes,
        username_attributes: req.username_attributes,
        sms_verification_message: req.sms_verification_message,
        email_verification_message: req.email_verification_message,
        email_verification_subject: req.email_verification_subject,
        verification_message_template: Some(req.verification_message_template.unwrap_or(
            VerificationMessageTemplateType {
                default_email_option: Some("CONFIRM_WITH_CODE".into()),
                ..Default::default()
            },
        )),
        sms_authentication_message: req.sms_authentication_message,
        user_attribute_update_settings: req.user_attribute_update_settings,
        mfa_configuration: Some(mfa_configuration.clone()),
        device_configuration: req.device_configuration,
        estimated_number_of_users: Some(0),
        email_configuration: Some(req.email_configuration.unwrap_or(EmailConfigurationType {
            email_sending_account: Some("COGNITO_DEFAULT".into()),
            ..Default::default()
        })),
        sms_configuration: req.sms_configuration,
        user_pool_tags: req.user_pool_tags,
        admin_create_user_config: Some(req.admin_create_user_config.unwrap_or(
            AdminCreateUserConfigType {
                allow_admin_create_user_only: Some(false),
                unused_account_validity_days: Some(7),
                invite_message_template: None,
            },
        )),
        user_pool_add_ons: req.user_pool_add_ons,
        username_configuration: req.username_configuration,
        account_recovery_setting: req.account_recovery_setting,
        user_pool_tier: Some(req.user_pool_tier.unwrap_or_else(|| "ESSENTIALS".into())),
        ..Default::default()
    };
    unify_verification_messages(&mut pool);
    let mfa = GetUserPoolMfaConfigResponse {
        mfa_configuration: Some(mfa_configuration),
        sms_mfa_configuration,
        ..default_mfa()
    };
    ctx.app.store.insert_pool(&pool, &mfa, &[], now).await?;
    Ok(CreateUserPoolResponse {
        user_pool: Some(pool),
    })
}

pub async fn describe_user_pool(
    ctx: Ctx,
    req: DescribeUserPoolRequest,
) -> ApiResult<DescribeUserPoolResponse> {
    let id = req.user_pool_id.unwrap_or_default();
    let mut pool = Arc::unwrap_or_clone(load_pool(&ctx, &id).await?);
    pool.estimated_number_of_users = Some(ctx.app.store.count_users(&id).await?);
    crate::ops::common::fill_pool_domain(&ctx, &mut pool).await?;
    Ok(DescribeUserPoolResponse {
        user_pool: Some(pool),
    })
}

pub async fn list_user_pools(
    ctx: Ctx,
    req: ListUserPoolsRequest,
) -> ApiResult<ListUserPoolsResponse> {
    let limit = paging::page_limit(req.max_results);
    let invalid = crate::ops::common::invalid_listing_token;
    let after = req.next_token.as_deref().map(paging::parse_key_token);
    let after = after.map(|k| k.ok_or_else(invalid)).transpose()?;
    if let Some(id) = &after {
        if !ctx.app.store.pool_exists(id).await? {
            return Err(invalid());
        }
    }
    let pools = ctx
        .app
        .store
        .list_pools(after.as_deref(), limit + 1)
        .await?;
    let (pools, next) = paging::page(pools, limit, |p| p.id.as_deref().map(paging::key_token));
    Ok(ListUserPoolsResponse {
        user_pools: Some(
            pools
                .into_iter()
                .map(|p| UserPoolDescriptionType {
                    id: p.id,
                    name: p.name,
                    lambda_config: p.lambda_config,
                    status: p.status,
                    last_modified_date: p.last_modified_date,
                    creation_date: p.creation_date,
                })
                .collect(),
        ),
        next_token: next,
    })
}

/// UpdateUserPool: as on AWS, members left out return to their defaults; the sign-in attributes,
/// schema and username configuration cannot change.
pub async fn update_user_pool(
    ctx: Ctx,
    req: UpdateUserPoolRequest,
) -> ApiResult<UpdateUserPoolResponse> {
    let id = req.user_pool_id.clone().unwrap_or_default();
    let old = load_pool(&ctx, &id).await?;
    check_policies(req.policies.as_ref())?;
    let mut pool = UserPoolType::clone(&old);
    pool.policies = Some(complete_policies(req.policies));
    pool.deletion_protection = Some(req.deletion_protection.unwrap_or_else(|| "INACTIVE".into()));
    pool.lambda_config = Some(req.lambda_config.unwrap_or_default());
    pool.auto_verified_attributes = req.auto_verified_attributes;
    pool.sms_verification_message = req.sms_verification_message;
    pool.email_verification_message = req.email_verification_message;
    pool.email_verification_subject = req.email_verification_subject;
    if req.verification_message_template.is_some() {
        pool.verification_message_template = req.verification_message_template;
    } else if let Some(t) = pool.verification_message_template.as_mut() {
        // The messages left out return to their defaults with the older members; the rest of
        // the template (DefaultEmailOption, link texts) stays.
        t.sms_message = None;
        t.email_message = None;
        t.email_subject = None;
    }
    unify_verification_messages(&mut pool);
    pool.sms_authentication_message = req.sms_authentication_message;
    pool.user_attribute_update_settings = req.user_attribute_update_settings;
    pool.device_configuration = req.device_configuration;
    if req.email_configuration.is_some() {
        pool.email_configuration = req.email_configuration;
    }
    pool.sms_configuration = req.sms_configuration;
    pool.user_pool_tags = req.user_pool_tags;
    if req.admin_create_user_config.is_some() {
        pool.admin_create_user_config = req.admin_create_user_config;
    }
    pool.user_pool_add_ons = req.user_pool_add_ons;
    pool.account_recovery_setting = req.account_recovery_setting;
    if req.pool_name.is_some() {
        pool.name = req.pool_name;
    }
    if req.user_pool_tier.is_some() {
        pool.user_pool_tier = req.user_pool_tier;
    }
    pool.last_modified_date = Some(ctx.app.clock.epoch());
    let mut mfa = ctx
        .app
        .store
        .get_pool_mfa(&id)
        .await?
        .unwrap_or_else(default_mfa);
    if let Some(m) = req.mfa_configuration {
        pool.mfa_configuration = Some(m.clone());
        mfa.mfa_configuration = Some(m);
    }
    // One statement writes both, so the pool and its MFA configuration never disagree.
    ctx.app.store.set_pool_mfa(&pool, &mfa).await?;
    Ok(UpdateUserPoolResponse {})
}

pub async fn delete_user_pool(
    ctx: Ctx,
    req: DeleteUserPoolRequest,
) -> ApiResult<DeleteUserPoolResponse> {
    let id = req.user_pool_id.unwrap_or_default();
    let pool = load_pool(&ctx, &id).await?;
    if pool.deletion_protection.as_deref() == Some("ACTIVE") {
        return Err(ApiError::invalid_parameter(
            "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
        ));
    }
    crate::ops::common::check_pool_has_no_domain(&ctx, &id).await?;
    ctx.app.store.delete_pool(&id).await?;
    ctx.app.drop_keys(Some(&id));
    Ok(DeleteUserPoolResponse {})
}

pub async fn get_user_pool_mfa_config(
    ctx: Ctx,
    req: GetUserPoolMfaConfigRequest,
) -> ApiResult<GetUserPoolMfaConfigResponse> {
    let id = req.user_pool_id.unwrap_or_default();
    ctx.app
        .store
        .get_pool_mfa(&id)
        .await?
        .ok_or_else(|| pool_not_found(&id))
}

pub async fn set_user_pool_mfa_config(
    ctx: Ctx,
    req: SetUserPoolMfaConfigRequest,
) -> ApiResult<SetUserPoolMfaConfigResponse> {
    let id = req.user_pool_id.clone().unwrap_or_default();
    let mut pool = Arc::unwrap_or_clone(load_pool(&ctx, &id).await?);
    let mut mfa = ctx
        .app
        .store
        .get_pool_mfa(&id)
        .await?
        .unwrap_or_else(default_mfa);
    if let Some(sms) = req.sms_mfa_configuration {
        // The pool's SmsAuthenticationMessage is the MFA message (DescribeUserPool shows it).
        if sms.sms_authentication_message.is_some() {
            pool.sms_authentication_message = sms.sms_authentication_message.clone();
        }
        mfa.sms_mfa_configuration = Some(sms);
    }
    if req.software_token_mfa_configuration.is_some() {
        mfa.software_token_mfa_configuration = req.software_token_mfa_configuration;
    }
    if req.email_mfa_configuration.is_some() {
        mfa.email_mfa_configuration = req.email_mfa_configuration;
    }
    if req.web_authn_configuration.is_some() {
        mfa.web_authn_configuration = req.web_authn_configuration;
    }
    if let Some(m) = req.mfa_configuration {
        mfa.mfa_configuration = Some(m);
    }
    let level = mfa
        .mfa_configuration
        .clone()
        .unwrap_or_else(|| "OFF".into());
    let any_factor = mfa.sms_mfa_configuration.is_some()
        || mfa
            .software_token_mfa_configuration
            .as_ref()
            .and_then(|t| t.enabled)
            .unwrap_or(false)
        || mfa.email_mfa_configuration.is_some();
    if level != "OFF" && !any_factor {
        // Cognito's current text (the older "can't turn off all MFAs" wording predates email
        // MFA), as AWS answers it in the deployment errors CDK and Terraform users publish.
        return Err(ApiError::invalid_parameter(
            "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled.",
        ));
    }
    pool.mfa_configuration = Some(level);
    pool.last_modified_date = Some(ctx.app.clock.epoch());
    ctx.app.store.set_pool_mfa(&pool, &mfa).await?;
    Ok(SetUserPoolMfaConfigResponse {
        sms_mfa_configuration: mfa.sms_mfa_configuration,
        software_token_mfa_configuration: mfa.software_token_mfa_configuration,
        email_mfa_configuration: mfa.email_mfa_configuration,
        mfa_configuration: mfa.mfa_configuration,
        web_authn_configuration: mfa.web_authn_configuration,
    })
}

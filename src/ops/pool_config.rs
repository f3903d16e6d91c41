//! Pool configuration: AddCustomAttributes, the tags of a pool (TagResource, UntagResource,
//! ListTagsForResource), resource servers and the custom scopes app clients may be given, and
//! threat protection's risk configuration and user feedback (DescribeRiskConfiguration,
//! SetRiskConfiguration, UpdateAuthEventFeedback).
//!
//! Custom attributes and tags are members of the pool document (SchemaAttributes, UserPoolTags),
//! so DescribeUserPool, CreateUserPool and UpdateUserPool see the same values.

use crate::domain::paging;
use crate::domain::schema::custom_attribute;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::shapes::*;
use crate::ops::common::load_client;
use crate::ops::common::load_pool;
use crate::ops::common::load_user;
use crate::ops::common::pool_not_found;
use crate::state::App;
use crate::state::Ctx;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// Custom attributes
// ---------------------------------------------------------------------------------------------

/// Custom attributes a pool may have (DG quotas: 50 custom attributes per pool).
const MAX_CUSTOM_ATTRIBUTES: usize = 50;

pub async fn add_custom_attributes(
    ctx: Ctx,
    req: AddCustomAttributesRequest,
) -> ApiResult<AddCustomAttributesResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    let pool = load_pool(&ctx, &pool_id).await?;
    if ctx.app.store.import_in_progress(&pool_id).await? {
        // [B] text; the exception is the model's.
        return Err(ApiError::new(
            "UserImportInProgressException",
            "A user import job is in progress for this user pool.",
        ));
    }
    let mut schema = pool.schema_attributes.clone().unwrap_or_default();
    for attr in req.custom_attributes.unwrap_or_default() {
        let added = custom_attribute(&attr)?;
        let full = added.name.clone().unwrap_or_default();
        if schema.iter().any(|a| a.name.as_deref() == Some(&full)) {
            // Cognito's text names the attribute twice (as moto and cognito-local record it),
            // first as `custom:<name>`, then as the schema names it (`dev:custom:<name>` for a
            // developer-only one).
            let declared = format!("custom:{}", attr.name.as_deref().unwrap_or_default());
            return Err(ApiError::invalid_parameter(format!(
                "{declared}: Existing attribute already has name {full}."
            )));
        }
        schema.push(added);
    }
    let custom = schema
        .iter()
        .filter(|a| {
            a.name
                .as_deref()
                .is_some_and(|n| n.starts_with("custom:") || n.starts_with("dev:custom:"))
        })
        .count();
    if custom > MAX_CUSTOM_ATTRIBUTES {
        // [B] text; the limit is the DG's.
        return Err(ApiError::invalid_parameter(format!(
            "The user pool has reached the limit of {MAX_CUSTOM_ATTRIBUTES} custom attributes."
        )));
    }
    if !ctx
        .app
        .store
        .set_pool_schema(&pool_id, &schema, ctx.app.clock.epoch())
        .await?
    {
        return Err(pool_not_found(&pool_id));
    }
    Ok(AddCustomAttributesResponse {})
}

// ---------------------------------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------------------------------

/// Tags a pool may have (TagResource documentation).
const MAX_TAGS: usize = 50;

/// The pool a `ResourceArn` names. An ARN of another kind of resource is an invalid parameter
/// **[B]**; a user pool ARN of another region or account names no pool of ours.
fn pool_of_arn(arn: &str) -> ApiResult<String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let resource = match parts.as_slice() {
        ["arn", _, "cognito-idp", _, _, resource] => *resource,
        _ => {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid resource ARN: {arn}"
            )))
        }
    };
    let Some(pool_id) = resource.strip_prefix("userpool/") else {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid resource ARN: {arn}"
        )));
    };
    if ids::user_pool_arn(pool_id) != arn {
        return Err(pool_not_found(pool_id));
    }
    Ok(pool_id.to_string())
}

/// The pool of the ARN and its tags; `ResourceNotFoundException` with the pool text **[B]**.
async fn tagged_pool(ctx: &Ctx, arn: &str) -> ApiResult<(String, BTreeMap<String, String>)> {
    let pool_id = pool_of_arn(arn)?;
    let pool = load_pool(ctx, &pool_id).await?;
    Ok((pool_id, pool.user_pool_tags.clone().unwrap_or_default()))
}

pub async fn tag_resource(ctx: Ctx, req: TagResourceRequest) -> ApiResult<TagResourceResponse> {
    let (pool_id, mut tags) =
        tagged_pool(&ctx, req.resource_arn.as_deref().unwrap_or_default()).await?;
    tags.extend(req.tags.unwrap_or_default());
    if tags.len() > MAX_TAGS {
        // [B] text.
        return Err(ApiError::invalid_parameter(format!(
            "A user pool can have at most {MAX_TAGS} tags."
        )));
    }
    if !ctx.app.store.set_pool_tags(&pool_id, &tags).await? {
        return Err(pool_not_found(&pool_id));
    }
    Ok(TagResourceResponse {})
}

pub async fn untag_resource(
    ctx: Ctx,
    req: UntagResourceRequest,
) -> ApiResult<UntagResourceResponse> {
    let (pool_id, mut tags) =
        tagged_pool(&ctx, req.resource_arn.as_deref().unwrap_or_default()).await?;
    for key in req.tag_keys.unwrap_or_default() {
        tags.remove(&key);
    }
    if !ctx.app.store.set_pool_tags(&pool_id, &tags).await? {
        return Err(pool_not_found(&pool_id));
    }
    Ok(UntagResourceResponse {})
}

pub async fn list_tags_for_resource(
    ctx: Ctx,
    req: ListTagsForResourceRequest,
) -> ApiResult<ListTagsForResourceResponse> {
    let (_, tags) = tagged_pool(&ctx, req.resource_arn.as_deref().unwrap_or_default()).await?;
    Ok(ListTagsForResourceResponse { tags: Some(tags) })
}

// ---------------------------------------------------------------------------------------------
// Resource servers
// ---------------------------------------------------------------------------------------------

/// Resource servers per pool (DG quotas).
const MAX_RESOURCE_SERVERS: i64 = 25;
/// Page size of ListResourceServers when MaxResults is left out **[B]**, and the model's maximum.
const DEFAULT_PAGE: i64 = 50;

fn resource_server_not_found(identifier: &str) -> ApiError {
    // [B] text; the exception is the model's.
    ApiError::resource_not_found(format!("Resource server {identifier} does not exist."))
}

/// Scope names must be unique within a resource server **[B: text]**.
fn check_scope_names(scopes: &[ResourceServerScopeType]) -> ApiResult<()> {
    for (i, s) in scopes.iter().enumerate() {
        if scopes[..i].iter().any(|o| o.scope_name == s.scope_name) {
            return Err(ApiError::invalid_parameter(format!(
                "Duplicate scope name {} in resource server.",
                s.scope_name.as_deref().unwrap_or_default()
            )));
        }
    }
    Ok(())
}

pub async fn create_resource_server(
    ctx: Ctx,
    req: CreateResourceServerRequest,
) -> ApiResult<CreateResourceServerResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let scopes = req.scopes.unwrap_or_default();
    check_scope_names(&scopes)?;
    let identifier = req.identifier.unwrap_or_default();
    if ctx.app.store.count_resource_servers(&pool_id).await? >= MAX_RESOURCE_SERVERS {
        // [B] text; the exception is the model's.
        return Err(ApiError::new(
            "LimitExceededException",
            format!("A user pool can have at most {MAX_RESOURCE_SERVERS} resource servers."),
        ));
    }
    let rs = ResourceServerType {
        user_pool_id: Some(pool_id.clone()),
        identifier: Some(identifier.clone()),
        name: req.name,
        scopes: Some(scopes),
    };
    if !ctx
        .app
        .store
        .insert_resource_server(&rs, ctx.app.clock.epoch())
        .await?
    {
        // [B] text.
        return Err(ApiError::invalid_parameter(format!(
            "{identifier} already exists in user pool {pool_id}."
        )));
    }
    Ok(CreateResourceServerResponse {
        resource_server: Some(rs),
    })
}

async fn load_resource_server(
    ctx: &Ctx,
    pool_id: &str,
    identifier: &str,
) -> ApiResult<ResourceServerType> {
    ctx.app
        .store
        .get_resource_server(pool_id, identifier)
        .await?
        .ok_or_else(|| resource_server_not_found(identifier))
}

pub async fn describe_resource_server(
    ctx: Ctx,
    req: DescribeResourceServerRequest,
) -> ApiResult<DescribeResourceServerResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let rs = load_resource_server(
        &ctx,
        &pool_id,
        req.identifier.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(DescribeResourceServerResponse {
        resource_server: Some(rs),
    })
}

/// Name and Scopes are replaced; Scopes left out become none (the operation's documentation:
/// members left out return to their defaults).
pub async fn update_resource_server(
    ctx: Ctx,
    req: UpdateResourceServerRequest,
) -> ApiResult<UpdateResourceServerResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let mut rs = load_resource_server(
        &ctx,
        &pool_id,
        req.identifier.as_deref().unwrap_or_default(),
    )
    .await?;
    let scopes = req.scopes.unwrap_or_default();
    check_scope_names(&scopes)?;
    rs.name = req.name;
    rs.scopes = Some(scopes);
    if !ctx.app.store.update_resource_server(&rs).await? {
        return Err(resource_server_not_found(
            rs.identifier.as_deref().unwrap_or_default(),
        ));
    }
    Ok(UpdateResourceServerResponse {
        resource_server: Some(rs),
    })
}

pub async fn delete_resource_server(
    ctx: Ctx,
    req: DeleteResourceServerRequest,
) -> ApiResult<DeleteResourceServerResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let identifier = req.identifier.unwrap_or_default();
    if !ctx
        .app
        .store
        .delete_resource_server(&pool_id, &identifier)
        .await?
    {
        return Err(resource_server_not_found(&identifier));
    }
    Ok(DeleteResourceServerResponse {})
}

/// Resource servers in creation order, `MaxResults` a page; the page token names the last
/// identifier (`domain::paging`).
pub async fn list_resource_servers(
    ctx: Ctx,
    req: ListResourceServersRequest,
) -> ApiResult<ListResourceServersResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let limit = paging::page_size(req.max_results, DEFAULT_PAGE);
    let after = crate::ops::common::page_key(req.next_token.as_deref())?;
    // A token must name a server of this pool, or the page would silently be empty.
    if let Some(identifier) = &after {
        ctx.app
            .store
            .get_resource_server(&pool_id, identifier)
            .await?
            .ok_or_else(crate::ops::common::invalid_pagination_token)?;
    }
    let servers = ctx
        .app
        .store
        .list_resource_servers(&pool_id, after.as_deref(), limit + 1)
        .await?;
    let (servers, next_token) = paging::page(servers, limit, |s| {
        s.identifier.as_deref().map(paging::key_token)
    });
    Ok(ListResourceServersResponse {
        resource_servers: Some(servers),
        next_token,
    })
}

// ---------------------------------------------------------------------------------------------
// Threat protection: risk configuration and user feedback
// ---------------------------------------------------------------------------------------------

/// Threat protection (UserPoolAddOns.AdvancedSecurityMode AUDIT or ENFORCED) must be on, as for
/// the auth-event operations (same exception and text as account.rs, **[B]** text).
fn require_threat_protection(pool: &UserPoolType) -> ApiResult<()> {
    let mode = pool
        .user_pool_add_ons
        .as_ref()
        .and_then(|a| a.advanced_security_mode.as_deref())
        .unwrap_or("OFF");
    if mode == "AUDIT" || mode == "ENFORCED" {
        Ok(())
    } else {
        Err(ApiError::new(
            "UserPoolAddOnNotEnabledException",
            "User pool add-ons are not enabled for this user pool.",
        ))
    }
}

/// The pool (with threat protection on) and the client, when one is named.
async fn risk_scope(ctx: &Ctx, pool_id: &str, client_id: Option<&str>) -> ApiResult<()> {
    let pool = load_pool(ctx, pool_id).await?;
    if let Some(client_id) = client_id {
        load_client(ctx, pool_id, client_id).await?;
    }
    require_threat_protection(&pool)
}

/// A client without a configuration of its own uses the pool's; a pool without one reports
/// only its id **[B]** (the CLI example shows no ClientId for the pool's configuration).
pub async fn describe_risk_configuration(
    ctx: Ctx,
    req: DescribeRiskConfigurationRequest,
) -> ApiResult<DescribeRiskConfigurationResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    let client_id = req.client_id.filter(|c| !c.is_empty());
    risk_scope(&ctx, &pool_id, client_id.as_deref()).await?;
    let store = &ctx.app.store;
    let own = match client_id.as_deref() {
        Some(c) => store.get_risk_configuration(&pool_id, Some(c)).await?,
        None => None,
    };
    let rc = match own {
        Some(rc) => rc,
        None => {
            let mut rc = store
                .get_risk_configuration(&pool_id, None)
                .await?
                .unwrap_or_else(|| RiskConfigurationType {
                    user_pool_id: Some(pool_id.clone()),
                    ..Default::default()
                });
            rc.client_id = client_id;
            rc
        }
    };
    Ok(DescribeRiskConfigurationResponse {
        risk_configuration: Some(rc),
    })
}

/// Stores the configuration for the pool or one client. With nothing but the ids, a client's
/// configuration goes (it inherits the pool's again) and the pool's returns to the defaults.
pub async fn set_risk_configuration(
    ctx: Ctx,
    req: SetRiskConfigurationRequest,
) -> ApiResult<SetRiskConfigurationResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    let client_id = req.client_id.filter(|c| !c.is_empty());
    risk_scope(&ctx, &pool_id, client_id.as_deref()).await?;
    let rc = RiskConfigurationType {
        user_pool_id: Some(pool_id.clone()),
        client_id: client_id.clone(),
        compromised_credentials_risk_configuration: req.compromised_credentials_risk_configuration,
        account_takeover_risk_configuration: req.account_takeover_risk_configuration,
        risk_exception_configuration: req.risk_exception_configuration,
        last_modified_date: Some(ctx.app.clock.epoch()),
    };
    let empty = rc.compromised_credentials_risk_configuration.is_none()
        && rc.account_takeover_risk_configuration.is_none()
        && rc.risk_exception_configuration.is_none();
    match (&client_id, empty) {
        (Some(c), true) => ctx.app.store.delete_risk_configuration(&pool_id, c).await?,
        _ => ctx.app.store.put_risk_configuration(&rc).await?,
    }
    Ok(SetRiskConfigurationResponse {
        risk_configuration: Some(rc),
    })
}

/// The claims' `token_use` of a feedback token.
const FEEDBACK_TOKEN_USE: &str = "feedback";

/// The FeedbackToken of one of a user's auth events. Cognito puts it in the links of its risk
/// notification e-mails; the emulator evaluates no risk and sends none, so this is how a test
/// (or a tool) gets one: a JWS signed with the pool's access-token key, bound to the pool, the
/// user and the event.
pub async fn feedback_token(
    app: &App,
    pool_id: &str,
    sub: &str,
    event_id: &str,
) -> ApiResult<String> {
    let keys = app.pool_keys(pool_id).await?;
    let claims = serde_json::json!({
        "iss": app.issuer(None, pool_id),
        "sub": sub,
        "event_id": event_id,
        "token_use": FEEDBACK_TOKEN_USE,
    });
    keys.access.sign(&claims).map_err(ApiError::internal)
}

/// Whether `token` is the feedback token of this user's event.
async fn feedback_token_matches(
    ctx: &Ctx,
    pool_id: &str,
    sub: &str,
    event_id: &str,
    token: &str,
) -> ApiResult<bool> {
    let keys = ctx.app.pool_keys(pool_id).await?;
    let Some(claims) = keys.access.verify(token) else {
        return Ok(false);
    };
    let field = |name: &str| {
        claims
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    Ok(field("token_use").as_deref() == Some(FEEDBACK_TOKEN_USE)
        && field("iss").is_some_and(|iss| ctx.is_own_issuer(&iss, pool_id))
        && field("sub").as_deref() == Some(sub)
        && field("event_id").as_deref() == Some(event_id))
}

/// The user's own feedback from the link in a risk notification: as
/// AdminUpdateAuthEventFeedback, authorised by the FeedbackToken instead of IAM, and recorded
/// with provider `User` **[B]**.
pub async fn update_auth_event_feedback(
    ctx: Ctx,
    req: UpdateAuthEventFeedbackRequest,
) -> ApiResult<UpdateAuthEventFeedbackResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    require_threat_protection(&pool)?;
    let user = load_user(&ctx, &pool, req.username.as_deref().unwrap_or_default()).await?;
    let event_id = req.event_id.unwrap_or_default();
    let token = req.feedback_token.unwrap_or_default();
    if !feedback_token_matches(&ctx, &user.pool_id, &user.sub, &event_id, &token).await? {
        // [B] text; the exception is the model's.
        return Err(ApiError::not_authorized("Invalid feedback token."));
    }
    let found = ctx
        .app
        .store
        .set_auth_event_feedback(
            &user.pool_id,
            &user.sub,
            &event_id,
            req.feedback_value.as_deref().unwrap_or_default(),
            "User",
            ctx.app.clock.epoch(),
        )
        .await?;
    if !found {
        // Same [B] text as AdminUpdateAuthEventFeedback.
        return Err(ApiError::resource_not_found("Auth event not found."));
    }
    Ok(UpdateAuthEventFeedbackResponse {})
}

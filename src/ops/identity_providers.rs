//! Federation configuration: Create/Describe/Update/Delete/ListIdentityProviders,
//! GetIdentityProviderByIdentifier, and the links between external identities and pool users
//! (AdminLinkProviderForUser, AdminDisableProviderForUser).
//!
//! The emulator does not federate sign-ins (no calls to the providers): it keeps the
//! configuration and the links so that infrastructure code and admin tools see what AWS shows.

use crate::domain::paging;
use crate::domain::records::ProviderLink;
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::*;
use crate::ops::common::load_pool;
use crate::ops::common::load_user;
use crate::ops::common::user_does_not_exist;
use crate::ops::common::COGNITO;
use crate::state::Ctx;

/// Provider types whose provider must carry the type's own name.
const SOCIAL_TYPES: &[&str] = &["Google", "Facebook", "LoginWithAmazon", "SignInWithApple"];
/// Social types whose ProviderDetails need an OAuth client (amplify-cli#6880 and #8266 quote the
/// service's text for Google and Facebook).
const OAUTH_CLIENT_TYPES: &[&str] = &["Google", "Facebook", "LoginWithAmazon"];
fn provider_not_found(name: &str) -> ApiError {
    // [B] text: no capture of the service's message found; the exception is the model's.
    ApiError::resource_not_found(format!("Identity provider {name} does not exist."))
}

fn duplicate_provider(message: String) -> ApiError {
    ApiError::new("DuplicateProviderException", message)
}

/// The provider or `ResourceNotFoundException`.
async fn load_provider(ctx: &Ctx, pool_id: &str, name: &str) -> ApiResult<IdentityProviderType> {
    ctx.app
        .store
        .get_identity_provider(pool_id, name)
        .await?
        .ok_or_else(|| provider_not_found(name))
}

/// The service's own checks of a provider's type and details (after the model's).
fn check_provider(name: &str, provider_type: &str, details: &ProviderDetails) -> ApiResult<()> {
    if SOCIAL_TYPES.contains(&provider_type) && name != provider_type {
        // aws-cli#3179: social providers are named after their type.
        return Err(ApiError::invalid_parameter(format!(
            "Provider {name} cannot be of type {provider_type}."
        )));
    }
    if OAUTH_CLIENT_TYPES.contains(&provider_type)
        && ["client_id", "client_secret", "authorize_scopes"]
            .iter()
            .any(|k| details.get(*k).is_none_or(|v| v.is_empty()))
    {
        return Err(ApiError::invalid_parameter(
            "client_id, client_secret and authorize_scopes are all required idp details",
        ));
    }
    Ok(())
}

type ProviderDetails = std::collections::BTreeMap<String, String>;

/// IdpIdentifiers name one provider in a pool.
async fn check_identifiers(
    ctx: &Ctx,
    pool_id: &str,
    name: &str,
    identifiers: &[String],
) -> ApiResult<()> {
    for (i, id) in identifiers.iter().enumerate() {
        let taken_here = identifiers[..i].contains(id);
        let taken_elsewhere = ctx
            .app
            .store
            .get_identity_provider_by_identifier(pool_id, id)
            .await?
            .is_some_and(|p| p.provider_name.as_deref() != Some(name));
        if taken_here || taken_elsewhere {
            // [B] text and exception: the model's exception for a provider already in the pool.
            return Err(duplicate_provider(format!(
                "Identifier {id} already exists in user pool {pool_id}"
            )));
        }
    }
    Ok(())
}

pub async fn create_identity_provider(
    ctx: Ctx,
    req: CreateIdentityProviderRequest,
) -> ApiResult<CreateIdentityProviderResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let name = req.provider_name.unwrap_or_default();
    let provider_type = req.provider_type.unwrap_or_default();
    let details = req.provider_details.unwrap_or_default();
    check_provider(&name, &provider_type, &details)?;
    if ctx
        .app
        .store
        .get_identity_provider(&pool_id, &name)
        .await?
        .is_some()
    {
        return Err(duplicate_of(&name, &pool_id));
    }
    check_identifiers(
        &ctx,
        &pool_id,
        &name,
        req.idp_identifiers.as_deref().unwrap_or_default(),
    )
    .await?;
    let now = ctx.app.clock.epoch();
    let provider = IdentityProviderType {
        user_pool_id: Some(pool_id.clone()),
        provider_name: Some(name.clone()),
        provider_type: Some(provider_type),
        provider_details: Some(details),
        attribute_mapping: req.attribute_mapping,
        idp_identifiers: req.idp_identifiers,
        last_modified_date: Some(now),
        creation_date: Some(now),
    };
    match ctx.app.store.insert_identity_provider(&provider, now).await {
        Ok(()) => Ok(CreateIdentityProviderResponse {
            identity_provider: Some(provider),
        }),
        // Another request created it since the check above.
        Err(e) if crate::store::is_unique_violation(&e) => Err(duplicate_of(&name, &pool_id)),
        Err(e) => Err(e.into()),
    }
}

/// CloudTrail's text for a second provider of the same name
/// (cloudformation-coverage-roadmap#1287).
fn duplicate_of(name: &str, pool_id: &str) -> ApiError {
    duplicate_provider(format!("{name} already exists in user pool {pool_id}"))
}

pub async fn describe_identity_provider(
    ctx: Ctx,
    req: DescribeIdentityProviderRequest,
) -> ApiResult<DescribeIdentityProviderResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let provider = load_provider(
        &ctx,
        &pool_id,
        req.provider_name.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(DescribeIdentityProviderResponse {
        identity_provider: Some(provider),
    })
}

/// Members sent replace the stored ones; members left out keep their values.
pub async fn update_identity_provider(
    ctx: Ctx,
    req: UpdateIdentityProviderRequest,
) -> ApiResult<UpdateIdentityProviderResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let name = req.provider_name.unwrap_or_default();
    let mut provider = load_provider(&ctx, &pool_id, &name).await?;
    if let Some(details) = req.provider_details {
        check_provider(
            &name,
            provider.provider_type.as_deref().unwrap_or_default(),
            &details,
        )?;
        provider.provider_details = Some(details);
    }
    if req.attribute_mapping.is_some() {
        provider.attribute_mapping = req.attribute_mapping;
    }
    if let Some(ids) = req.idp_identifiers {
        check_identifiers(&ctx, &pool_id, &name, &ids).await?;
        provider.idp_identifiers = Some(ids);
    }
    provider.last_modified_date = Some(ctx.app.clock.epoch());
    match ctx.app.store.update_identity_provider(&provider).await {
        Ok(true) => Ok(UpdateIdentityProviderResponse {
            identity_provider: Some(provider),
        }),
        Ok(false) => Err(provider_not_found(&name)),
        Err(e) if crate::store::is_unique_violation(&e) => Err(duplicate_provider(format!(
            "An identifier of {name} already exists in user pool {pool_id}"
        ))),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_identity_provider(
    ctx: Ctx,
    req: DeleteIdentityProviderRequest,
) -> ApiResult<DeleteIdentityProviderResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let name = req.provider_name.unwrap_or_default();
    if !ctx
        .app
        .store
        .delete_identity_provider(&pool_id, &name)
        .await?
    {
        return Err(provider_not_found(&name));
    }
    Ok(DeleteIdentityProviderResponse {})
}

pub async fn list_identity_providers(
    ctx: Ctx,
    req: ListIdentityProvidersRequest,
) -> ApiResult<ListIdentityProvidersResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let limit = paging::page_limit(req.max_results);
    let after = crate::ops::common::page_key(req.next_token.as_deref())?;
    let rows = ctx
        .app
        .store
        .list_identity_providers(&pool_id, after.as_deref(), limit + 1)
        .await?;
    let (rows, next_token) = paging::page(rows, limit, |p| {
        p.provider_name.as_deref().map(paging::key_token)
    });
    Ok(ListIdentityProvidersResponse {
        providers: Some(
            rows.into_iter()
                .map(|p| ProviderDescription {
                    provider_name: p.provider_name,
                    provider_type: p.provider_type,
                    last_modified_date: p.last_modified_date,
                    creation_date: p.creation_date,
                })
                .collect(),
        ),
        next_token,
    })
}

pub async fn get_identity_provider_by_identifier(
    ctx: Ctx,
    req: GetIdentityProviderByIdentifierRequest,
) -> ApiResult<GetIdentityProviderByIdentifierResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let identifier = req.idp_identifier.unwrap_or_default();
    let provider = ctx
        .app
        .store
        .get_identity_provider_by_identifier(&pool_id, &identifier)
        .await?
        // [B] text.
        .ok_or_else(|| {
            ApiError::resource_not_found(format!(
                "Identity provider with identifier {identifier} does not exist."
            ))
        })?;
    Ok(GetIdentityProviderByIdentifierResponse {
        identity_provider: Some(provider),
    })
}

fn is_cognito(provider_name: Option<&str>) -> bool {
    provider_name.is_some_and(|n| n.eq_ignore_ascii_case(COGNITO))
}

/// The pool user a ProviderUserIdentifier names: a native user by username, or the federated
/// user `<ProviderName>_<subject>` that a sign-in through that provider creates.
async fn identified_user(
    ctx: &Ctx,
    pool: &UserPoolType,
    who: &ProviderUserIdentifierType,
) -> ApiResult<crate::domain::records::UserRecord> {
    let value = who.provider_attribute_value.as_deref().unwrap_or_default();
    if value.is_empty() {
        return Err(user_does_not_exist());
    }
    if is_cognito(who.provider_name.as_deref()) {
        load_user(ctx, pool, value).await
    } else {
        let name = format!(
            "{}_{value}",
            who.provider_name.as_deref().unwrap_or_default()
        );
        load_user(ctx, pool, &name).await
    }
}

pub async fn admin_link_provider_for_user(
    ctx: Ctx,
    req: AdminLinkProviderForUserRequest,
) -> ApiResult<AdminLinkProviderForUserResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let pool_id = pool.id.clone().unwrap_or_default();
    let source = req.source_user.unwrap_or_default();
    let destination = req.destination_user.unwrap_or_default();
    if is_cognito(source.provider_name.as_deref()) {
        // The service's text (boto3#4163, amplify-js#13334).
        return Err(ApiError::invalid_parameter(
            "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser",
        ));
    }
    let source_provider = source.provider_name.clone().unwrap_or_default();
    let source_value = source.provider_attribute_value.clone().unwrap_or_default();
    if source_provider.is_empty() || source_value.is_empty() {
        // [B] text.
        return Err(ApiError::invalid_parameter("Invalid SourceUser"));
    }
    if ctx
        .app
        .store
        .get_identity_provider(&pool_id, &source_provider)
        .await?
        .is_none()
    {
        // [B] text, after the SupportedIdentityProviders one.
        return Err(ApiError::invalid_parameter(format!(
            "The provider {source_provider} does not exist for User Pool {pool_id}"
        )));
    }
    let user = identified_user(&ctx, &pool, &destination).await?;
    // A federated user who has signed in already cannot be merged into another
    // (aws-sdk-net#1000 quotes the text).
    let merging = || {
        ApiError::invalid_parameter(
            "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link",
        )
    };
    let federated_name = format!("{source_provider}_{source_value}");
    if crate::ops::common::resolve_user(&ctx, &pool, &federated_name)
        .await?
        .is_some_and(|u| u.sub != user.sub)
    {
        return Err(merging());
    }
    match ctx
        .app
        .store
        .get_provider_link(&pool_id, &source_provider, &source_value)
        .await?
    {
        // Linking the same identity to the same user again changes nothing [B].
        Some(link) if link.sub == user.sub => return Ok(AdminLinkProviderForUserResponse {}),
        Some(_) => return Err(merging()),
        None => {}
    }
    let link = ProviderLink {
        provider_name: source_provider,
        provider_user_id: source_value,
        sub: user.sub.clone(),
        created_at: ctx.app.clock.epoch(),
    };
    match ctx.app.store.insert_provider_link(&pool_id, &link).await {
        Ok(()) => Ok(AdminLinkProviderForUserResponse {}),
        Err(e) if crate::store::is_unique_violation(&e) => Err(merging()),
        Err(e) => Err(e.into()),
    }
}

/// Removes the link of an external identity. A native user (ProviderName Cognito) is looked up
/// and left as it is [B]: the emulator has no federated sign-in to refuse.
pub async fn admin_disable_provider_for_user(
    ctx: Ctx,
    req: AdminDisableProviderForUserRequest,
) -> ApiResult<AdminDisableProviderForUserResponse> {
    let pool = load_pool(&ctx, req.user_pool_id.as_deref().unwrap_or_default()).await?;
    let pool_id = pool.id.clone().unwrap_or_default();
    let who = req.user.unwrap_or_default();
    if is_cognito(who.provider_name.as_deref()) {
        identified_user(&ctx, &pool, &who).await?;
        return Ok(AdminDisableProviderForUserResponse {});
    }
    let provider = who.provider_name.as_deref().unwrap_or_default();
    let value = who.provider_attribute_value.as_deref().unwrap_or_default();
    if !ctx
        .app
        .store
        .delete_provider_link(&pool_id, provider, value)
        .await?
    {
        // [B]: neither a link nor a federated user of that identity.
        identified_user(&ctx, &pool, &who).await?;
    }
    Ok(AdminDisableProviderForUserResponse {})
}

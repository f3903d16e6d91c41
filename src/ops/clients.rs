//! App clients: Create/Describe/List/Update/Delete UserPoolClient.

use crate::domain::paging;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::shapes::*;
use crate::ops::common::client_not_found;
use crate::ops::common::load_client;
use crate::ops::common::load_pool;
use crate::state::Ctx;
use std::sync::Arc;

const ALLOW_FLAGS: &[&str] = &[
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];

fn check_flows(flows: Option<&Vec<String>>) -> ApiResult<()> {
    let Some(flows) = flows else { return Ok(()) };
    let new_style = flows.iter().any(|f| f.starts_with("ALLOW_"));
    let old_style = flows.iter().any(|f| !f.starts_with("ALLOW_"));
    if new_style && old_style {
        return Err(ApiError::invalid_parameter(
            "The provided value for ExplicitAuthFlows is invalid. You can't combine ALLOW_ and legacy values.",
        ));
    }
    if new_style {
        if !flows.iter().all(|f| ALLOW_FLAGS.contains(&f.as_str())) {
            return Err(ApiError::invalid_parameter(
                "Invalid ExplicitAuthFlows value.",
            ));
        }
        if !flows.iter().any(|f| f == "ALLOW_REFRESH_TOKEN_AUTH") {
            return Err(ApiError::invalid_parameter(
                "REFRESH_TOKEN_AUTH should always be allowed.",
            ));
        }
    }
    Ok(())
}

fn unit_seconds(unit: Option<&str>, default: &str) -> i64 {
    match unit.unwrap_or(default) {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        "days" => 86400,
        _ => 3600,
    }
}

/// Token validities within Cognito's limits (API Reference, CreateUserPoolClient; Cognito Developer
/// Guide, "Quotas in Amazon Cognito").
fn check_validities(c: &UserPoolClientType) -> ApiResult<()> {
    let units = c.token_validity_units.clone().unwrap_or_default();
    let check = |value: Option<i64>, unit: Option<&str>, default_unit: &str, min: i64, max: i64| {
        if let Some(v) = value {
            let secs = v * unit_seconds(unit, default_unit);
            if v != 0 && !(min..=max).contains(&secs) || v < 0 {
                // The service's text, whichever token is out of range (quoted in many
                // CloudFormation/Terraform/CDK reports); the bounds are in the developer guide.
                return Err(ApiError::invalid_parameter(
                    "Invalid range for token validity.",
                ));
            }
        }
        Ok(())
    };
    check(
        c.access_token_validity,
        units.access_token.as_deref(),
        "hours",
        300,
        86400,
    )?;
    check(
        c.id_token_validity,
        units.id_token.as_deref(),
        "hours",
        300,
        86400,
    )?;
    check(
        c.refresh_token_validity,
        units.refresh_token.as_deref(),
        "days",
        3600,
        315_360_000,
    )?;
    if let (Some(r), Some(a)) = (c.refresh_token_validity, c.access_token_validity) {
        let r = r * unit_seconds(units.refresh_token.as_deref(), "days");
        let a = a * unit_seconds(units.access_token.as_deref(), "hours");
        if r != 0 && r < a {
            return Err(ApiError::invalid_parameter(
                "Refresh token validity should be greater than access token validity.",
            ));
        }
    }
    Ok(())
}

/// What Create and Update have in common: the settable members.
struct ClientSettings {
    client_name: Option<String>,
    refresh_token_validity: Option<i64>,
    access_token_validity: Option<i64>,
    id_token_validity: Option<i64>,
    token_validity_units: Option<TokenValidityUnitsType>,
    read_attributes: Option<Vec<String>>,
    write_attributes: Option<Vec<String>>,
    explicit_auth_flows: Option<Vec<String>>,
    supported_identity_providers: Option<Vec<String>>,
    callback_urls: Option<Vec<String>>,
    logout_urls: Option<Vec<String>>,
    default_redirect_uri: Option<String>,
    allowed_oauth_flows: Option<Vec<String>>,
    allowed_oauth_scopes: Option<Vec<String>>,
    allowed_oauth_flows_user_pool_client: Option<bool>,
    analytics_configuration: Option<AnalyticsConfigurationType>,
    prevent_user_existence_errors: Option<String>,
    enable_token_revocation: Option<bool>,
    enable_propagate_additional_user_context_data: Option<bool>,
    auth_session_validity: Option<i64>,
    refresh_token_rotation: Option<RefreshTokenRotationType>,
}

/// Applies settings the way Cognito does: members left out return to their defaults.
fn apply(c: &mut UserPoolClientType, s: ClientSettings) -> ApiResult<()> {
    check_flows(s.explicit_auth_flows.as_ref())?;
    if s.client_name.is_some() {
        c.client_name = s.client_name;
    }
    c.refresh_token_validity = Some(s.refresh_token_validity.filter(|v| *v != 0).unwrap_or(30));
    c.access_token_validity = s.access_token_validity;
    c.id_token_validity = s.id_token_validity;
    c.token_validity_units =
        Some(
            s.token_validity_units
                .unwrap_or_else(|| TokenValidityUnitsType {
                    access_token: None,
                    id_token: None,
                    refresh_token: Some("days".into()),
                }),
        );
    if c.token_validity_units
        .as_ref()
        .is_some_and(|u| u.refresh_token.is_none())
        && s.refresh_token_validity.unwrap_or(0) == 0
    {
        if let Some(u) = c.token_validity_units.as_mut() {
            u.refresh_token = Some("days".into());
        }
    }
    c.read_attributes = s.read_attributes;
    c.write_attributes = s.write_attributes;
    c.explicit_auth_flows = s.explicit_auth_flows;
    c.supported_identity_providers = s.supported_identity_providers;
    c.callback_urls = s.callback_urls;
    c.logout_urls = s.logout_urls;
    c.default_redirect_uri = s.default_redirect_uri;
    c.allowed_oauth_flows = s.allowed_oauth_flows;
    c.allowed_oauth_scopes = s.allowed_oauth_scopes;
    c.allowed_oauth_flows_user_pool_client =
        Some(s.allowed_oauth_flows_user_pool_client.unwrap_or(false));
    c.analytics_configuration = s.analytics_configuration;
    c.prevent_user_existence_errors = Some(
        s.prevent_user_existence_errors
            .unwrap_or_else(|| "LEGACY".into()),
    );
    c.enable_token_revocation = Some(s.enable_token_revocation.unwrap_or(true));
    c.enable_propagate_additional_user_context_data = Some(
        s.enable_propagate_additional_user_context_data
            .unwrap_or(false),
    );
    c.auth_session_validity = Some(s.auth_session_validity.unwrap_or(3));
    c.refresh_token_rotation = s.refresh_token_rotation;
    check_validities(c)
}

pub async fn create_user_pool_client(
    ctx: Ctx,
    req: CreateUserPoolClientRequest,
) -> ApiResult<CreateUserPoolClientResponse> {
    let pool_id = req.user_pool_id.clone().unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let now = ctx.app.clock.epoch();
    let secret = match (
        req.generate_secret.unwrap_or(false),
        req.client_secret.clone(),
    ) {
        (_, Some(s)) => Some(s),
        (true, None) => Some(ids::client_secret()),
        (false, None) => None,
    };
    crate::ops::common::check_client_scopes(
        &ctx,
        &pool_id,
        req.allowed_oauth_scopes.as_deref().unwrap_or_default(),
    )
    .await?;
    crate::ops::common::check_supported_identity_providers(
        &ctx,
        &pool_id,
        req.supported_identity_providers.as_deref(),
    )
    .await?;
    let mut client = UserPoolClientType {
        user_pool_id: Some(pool_id),
        client_id: Some(ids::client_id()),
        client_secret: secret,
        creation_date: Some(now),
        last_modified_date: Some(now),
        ..Default::default()
    };
    apply(
        &mut client,
        ClientSettings {
            client_name: req.client_name,
            refresh_token_validity: req.refresh_token_validity,
            access_token_validity: req.access_token_validity,
            id_token_validity: req.id_token_validity,
            token_validity_units: req.token_validity_units,
            read_attributes: req.read_attributes,
            write_attributes: req.write_attributes,
            explicit_auth_flows: req.explicit_auth_flows,
            supported_identity_providers: req.supported_identity_providers,
            callback_urls: req.callback_urls,
            logout_urls: req.logout_urls,
            default_redirect_uri: req.default_redirect_uri,
            allowed_oauth_flows: req.allowed_oauth_flows,
            allowed_oauth_scopes: req.allowed_oauth_scopes,
            allowed_oauth_flows_user_pool_client: req.allowed_oauth_flows_user_pool_client,
            analytics_configuration: req.analytics_configuration,
            prevent_user_existence_errors: req.prevent_user_existence_errors,
            enable_token_revocation: req.enable_token_revocation,
            enable_propagate_additional_user_context_data: req
                .enable_propagate_additional_user_context_data,
            auth_session_validity: req.auth_session_validity,
            refresh_token_rotation: req.refresh_token_rotation,
        },
    )?;
    ctx.app.store.insert_client(&client, now).await?;
    Ok(CreateUserPoolClientResponse {
        user_pool_client: Some(client),
    })
}

pub async fn describe_user_pool_client(
    ctx: Ctx,
    req: DescribeUserPoolClientRequest,
) -> ApiResult<DescribeUserPoolClientResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let client = load_client(&ctx, &pool_id, req.client_id.as_deref().unwrap_or_default()).await?;
    Ok(DescribeUserPoolClientResponse {
        user_pool_client: Some(crate::ops::common::public_view(&client)),
    })
}

pub async fn list_user_pool_clients(
    ctx: Ctx,
    req: ListUserPoolClientsRequest,
) -> ApiResult<ListUserPoolClientsResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let limit = paging::page_limit(req.max_results);
    let invalid = crate::ops::common::invalid_listing_token;
    let after = req.next_token.as_deref().map(paging::parse_key_token);
    let after = after.map(|k| k.ok_or_else(invalid)).transpose()?;
    if let Some(id) = &after {
        load_client(&ctx, &pool_id, id)
            .await
            .map_err(|_| invalid())?;
    }
    let clients = ctx
        .app
        .store
        .list_clients(&pool_id, after.as_deref(), limit + 1)
        .await?;
    let (clients, next) = paging::page(clients, limit, |c| {
        c.client_id.as_deref().map(paging::key_token)
    });
    Ok(ListUserPoolClientsResponse {
        user_pool_clients: Some(
            clients
                .into_iter()
                .map(|c| UserPoolClientDescription {
                    client_id: c.client_id,
                    user_pool_id: c.user_pool_id,
                    client_name: c.client_name,
                })
                .collect(),
        ),
        next_token: next,
    })
}

pub async fn update_user_pool_client(
    ctx: Ctx,
    req: UpdateUserPoolClientRequest,
) -> ApiResult<UpdateUserPoolClientResponse> {
    let pool_id = req.user_pool_id.clone().unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let mut client = Arc::unwrap_or_clone(
        load_client(&ctx, &pool_id, req.client_id.as_deref().unwrap_or_default()).await?,
    );
    crate::ops::common::check_supported_identity_providers(
        &ctx,
        &pool_id,
        req.supported_identity_providers.as_deref(),
    )
    .await?;
    crate::ops::common::check_client_scopes(
        &ctx,
        &pool_id,
        req.allowed_oauth_scopes.as_deref().unwrap_or_default(),
    )
    .await?;
    apply(
        &mut client,
        ClientSettings {
            client_name: req.client_name,
            refresh_token_validity: req.refresh_token_validity,
            access_token_validity: req.access_token_validity,
            id_token_validity: req.id_token_validity,
            token_validity_units: req.token_validity_units,
            read_attributes: req.read_attributes,
            write_attributes: req.write_attributes,
            explicit_auth_flows: req.explicit_auth_flows,
            supported_identity_providers: req.supported_identity_providers,
            callback_urls: req.callback_urls,
            logout_urls: req.logout_urls,
            default_redirect_uri: req.default_redirect_uri,
            allowed_oauth_flows: req.allowed_oauth_flows,
            allowed_oauth_scopes: req.allowed_oauth_scopes,
            allowed_oauth_flows_user_pool_client: req.allowed_oauth_flows_user_pool_client,
            analytics_configuration: req.analytics_configuration,
            prevent_user_existence_errors: req.prevent_user_existence_errors,
            enable_token_revocation: req.enable_token_revocation,
            enable_propagate_additional_user_context_data: req
                .enable_propagate_additional_user_context_data,
            auth_session_validity: req.auth_session_validity,
            refresh_token_rotation: req.refresh_token_rotation,
        },
    )?;
    client.last_modified_date = Some(ctx.app.clock.epoch());
    ctx.app.store.update_client(&client).await?;
    Ok(UpdateUserPoolClientResponse {
        user_pool_client: Some(crate::ops::common::public_view(&client)),
    })
}

pub async fn delete_user_pool_client(
    ctx: Ctx,
    req: DeleteUserPoolClientRequest,
) -> ApiResult<DeleteUserPoolClientResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let client_id = req.client_id.unwrap_or_default();
    if !ctx.app.store.delete_client(&pool_id, &client_id).await? {
        return Err(client_not_found(&client_id));
    }
    Ok(DeleteUserPoolClientResponse {})
}

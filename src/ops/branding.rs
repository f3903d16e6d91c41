//! The look and paperwork of the hosted pages: Get/SetUICustomization (classic hosted UI),
//! Get/SetLogDeliveryConfiguration, managed login branding (Create/Describe/
//! DescribeByClient/Update/Delete) and terms documents (Create/Describe/Update/Delete/ListTerms).
//!
//! Everything is stored and returned as sent. The hosted pages (`http::oauth2`) render the UI
//! customization's CSS and logo and a managed login branding's logo assets. SetUICustomization's
//! ImageFile is kept as a `data:` URI in ImageUrl **[B: AWS answers an https URL of its CDN; the
//! emulator has none, and a `data:` URI shows the same image wherever an app puts ImageUrl]**.

use crate::domain::paging;
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::*;
use crate::ops::common::load_client;
use crate::ops::common::load_pool;
use crate::state::Ctx;

/// The ClientId of the pool-wide UI customization (API reference, GetUICustomization).
const ALL_CLIENTS: &str = "ALL";

// -- UI customization -------------------------------------------------------------------------

/// The client's customization, else the pool-wide one, else an empty shape: the order the API
/// reference gives for GetUICustomization.
pub async fn get_ui_customization(
    ctx: Ctx,
    req: GetUICustomizationRequest,
) -> ApiResult<GetUICustomizationResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let mut found = None;
    if let Some(client_id) = req.client_id.as_deref().filter(|c| *c != ALL_CLIENTS) {
        load_client(&ctx, &pool_id, client_id).await?;
        found = ctx
            .app
            .store
            .get_ui_customization(&pool_id, client_id)
            .await?;
    }
    if found.is_none() {
        found = ctx
            .app
            .store
            .get_ui_customization(&pool_id, ALL_CLIENTS)
            .await?;
    }
    Ok(GetUICustomizationResponse {
        ui_customization: Some(found.unwrap_or_default()),
    })
}

pub async fn set_ui_customization(
    ctx: Ctx,
    req: SetUICustomizationRequest,
) -> ApiResult<SetUICustomizationResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let client_id = match req.client_id.as_deref().filter(|c| *c != ALL_CLIENTS) {
        Some(c) => load_client(&ctx, &pool_id, c).await?.client_id.clone(),
        None => None,
    };
    if crate::ops::common::pool_domain(&ctx, &pool_id)
        .await?
        .is_none()
    {
        // The hosted UI lives on the pool's domain; the service's text is quoted in
        // amazon-connect/voicemail-for-amazon-connect#5.
        return Err(ApiError::invalid_parameter(
            "A domain must be associated with this user pool.",
        ));
    }
    let key = client_id.clone().unwrap_or_else(|| ALL_CLIENTS.into());
    let now = ctx.app.clock.epoch();
    let created = ctx
        .app
        .store
        .get_ui_customization(&pool_id, &key)
        .await?
        .and_then(|c| c.creation_date)
        .unwrap_or(now);
    let customization = UICustomizationType {
        user_pool_id: Some(pool_id.clone()),
        client_id: Some(key.clone()),
        image_url: req.image_file.as_deref().and_then(image_data_uri),
        css_version: req.css.as_ref().map(|_| css_version(now)),
        css: req.css,
        last_modified_date: Some(now),
        creation_date: Some(created),
    };
    ctx.app
        .store
        .put_ui_customization(&pool_id, &key, &customization)
        .await?;
    Ok(SetUICustomizationResponse {
        ui_customization: Some(customization),
    })
}

/// An ImageFile (base64 in the JSON protocol) as a `data:` URI, for the image types the classic
/// hosted UI takes for its logo (PNG and JPEG, Cognito Developer Guide, "Hosted UI (classic)
/// branding"); None for anything else, which the pages then do not show.
fn image_data_uri(image: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(image.trim())
        .ok()?;
    let mime = if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else {
        return None;
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    Some(format!("data:{mime};base64,{encoded}"))
}

/// [B] AWS versions the CSS with an opaque string that changes on every set; the time serves.
fn css_version(epoch: f64) -> String {
    format!("{}", (epoch * 1000.0).round() as i64)
}

// -- log delivery -----------------------------------------------------------------------------

pub async fn get_log_delivery_configuration(
    ctx: Ctx,
    req: GetLogDeliveryConfigurationRequest,
) -> ApiResult<GetLogDeliveryConfigurationResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    // [B] A pool that never set one answers an empty configuration.
    let config = ctx
        .app
        .store
        .get_log_delivery(&pool_id)
        .await?
        .unwrap_or_else(|| LogDeliveryConfigurationType {
            user_pool_id: Some(pool_id),
            log_configurations: Some(Vec::new()),
        });
    Ok(GetLogDeliveryConfigurationResponse {
        log_delivery_configuration: Some(config),
    })
}

pub async fn set_log_delivery_configuration(
    ctx: Ctx,
    req: SetLogDeliveryConfigurationRequest,
) -> ApiResult<SetLogDeliveryConfigurationResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let configs = req.log_configurations.unwrap_or_default();
    for (i, c) in configs.iter().enumerate() {
        if configs[..i]
            .iter()
            .any(|o| o.event_source == c.event_source)
        {
            // [B] One configuration per event source.
            return Err(ApiError::invalid_parameter(format!(
                "Duplicate EventSource: {}",
                c.event_source.as_deref().unwrap_or_default()
            )));
        }
        let destinations = [
            c.cloud_watch_logs_configuration.is_some(),
            c.s3_configuration.is_some(),
            c.firehose_configuration.is_some(),
        ];
        if destinations.iter().filter(|d| **d).count() != 1 {
            // [B] Each configuration delivers to exactly one destination.
            return Err(ApiError::invalid_parameter(
                "Exactly one of CloudWatchLogsConfiguration, S3Configuration or FirehoseConfiguration is required.",
            ));
        }
    }
    let config = LogDeliveryConfigurationType {
        user_pool_id: Some(pool_id),
        log_configurations: Some(configs),
    };
    ctx.app.store.put_log_delivery(&config).await?;
    Ok(SetLogDeliveryConfigurationResponse {
        log_delivery_configuration: Some(config),
    })
}

// -- managed login branding -------------------------------------------------------------------

fn branding_not_found() -> ApiError {
    // [B] text.
    ApiError::resource_not_found("Managed login branding does not exist.")
}

/// With UseCognitoProvidedValues the style is Cognito's: the API reference says to omit
/// Settings and Assets then.
fn check_branding_values(
    use_cognito: Option<bool>,
    settings: Option<&serde_json::Value>,
    assets: Option<&Vec<AssetType>>,
) -> ApiResult<()> {
    if use_cognito == Some(true) && (settings.is_some() || assets.is_some_and(|a| !a.is_empty())) {
        // [B] text.
        return Err(ApiError::invalid_parameter(
            "Settings and Assets must be omitted when UseCognitoProvidedValues is true.",
        ));
    }
    if settings.is_some_and(|s| !s.is_object()) {
        // [B] text: Settings is a JSON object of style settings.
        return Err(ApiError::invalid_parameter(
            "Settings must be a JSON object.",
        ));
    }
    Ok(())
}

pub async fn create_managed_login_branding(
    ctx: Ctx,
    req: CreateManagedLoginBrandingRequest,
) -> ApiResult<CreateManagedLoginBrandingResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let client_id = req.client_id.unwrap_or_default();
    load_client(&ctx, &pool_id, &client_id).await?;
    check_branding_values(
        req.use_cognito_provided_values,
        req.settings.as_ref(),
        req.assets.as_ref(),
    )?;
    let now = ctx.app.clock.epoch();
    let branding = ManagedLoginBrandingType {
        managed_login_branding_id: Some(uuid::Uuid::new_v4().to_string()),
        user_pool_id: Some(pool_id),
        use_cognito_provided_values: Some(req.use_cognito_provided_values.unwrap_or(false)),
        settings: req.settings,
        assets: req.assets,
        creation_date: Some(now),
        last_modified_date: Some(now),
    };
    match ctx.app.store.insert_branding(&client_id, &branding).await {
        Ok(()) => Ok(CreateManagedLoginBrandingResponse {
            managed_login_branding: Some(branding),
        }),
        Err(e) if crate::store::is_unique_violation(&e) => Err(ApiError::new(
            "ManagedLoginBrandingExistsException",
            // [B] text: one style per app client.
            format!("Managed login branding already exists for client {client_id}."),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn describe_managed_login_branding(
    ctx: Ctx,
    req: DescribeManagedLoginBrandingRequest,
) -> ApiResult<DescribeManagedLoginBrandingResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    // ReturnMergedResources would add Cognito's defaults, which the emulator does not have: the
    // branding is returned as stored either way.
    let branding = ctx
        .app
        .store
        .get_branding(
            &pool_id,
            req.managed_login_branding_id.as_deref().unwrap_or_default(),
        )
        .await?
        .ok_or_else(branding_not_found)?;
    Ok(DescribeManagedLoginBrandingResponse {
        managed_login_branding: Some(branding),
    })
}

pub async fn describe_managed_login_branding_by_client(
    ctx: Ctx,
    req: DescribeManagedLoginBrandingByClientRequest,
) -> ApiResult<DescribeManagedLoginBrandingByClientResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let client_id = req.client_id.unwrap_or_default();
    load_client(&ctx, &pool_id, &client_id).await?;
    let branding = ctx
        .app
        .store
        .get_branding_by_client(&pool_id, &client_id)
        .await?
        .ok_or_else(branding_not_found)?;
    Ok(DescribeManagedLoginBrandingByClientResponse {
        managed_login_branding: Some(branding),
    })
}

/// Members sent replace the stored ones. UseCognitoProvidedValues true returns the style to
/// Cognito's, dropping the stored Settings and Assets.
pub async fn update_managed_login_branding(
    ctx: Ctx,
    req: UpdateManagedLoginBrandingRequest,
) -> ApiResult<UpdateManagedLoginBrandingResponse> {
    // Both are optional in the model; the service cannot find a branding without them.
    let Some(pool_id) = req.user_pool_id else {
        return Err(ApiError::missing_parameter("UserPoolId")); // [B]
    };
    let Some(branding_id) = req.managed_login_branding_id else {
        return Err(ApiError::missing_parameter("ManagedLoginBrandingId")); // [B]
    };
    load_pool(&ctx, &pool_id).await?;
    let mut branding = ctx
        .app
        .store
        .get_branding(&pool_id, &branding_id)
        .await?
        .ok_or_else(branding_not_found)?;
    check_branding_values(
        req.use_cognito_provided_values,
        req.settings.as_ref(),
        req.assets.as_ref(),
    )?;
    if req.use_cognito_provided_values == Some(true) {
        branding.settings = None;
        branding.assets = None;
        branding.use_cognito_provided_values = Some(true);
    } else {
        if req.use_cognito_provided_values.is_some() {
            branding.use_cognito_provided_values = req.use_cognito_provided_values;
        }
        if req.settings.is_some() {
            branding.settings = req.settings;
            branding.use_cognito_provided_values = Some(false);
        }
        if req.assets.is_some() {
            branding.assets = req.assets;
            branding.use_cognito_provided_values = Some(false);
        }
    }
    branding.last_modified_date = Some(ctx.app.clock.epoch());
    if !ctx.app.store.update_branding(&branding).await? {
        return Err(branding_not_found());
    }
    Ok(UpdateManagedLoginBrandingResponse {
        managed_login_branding: Some(branding),
    })
}

pub async fn delete_managed_login_branding(
    ctx: Ctx,
    req: DeleteManagedLoginBrandingRequest,
) -> ApiResult<DeleteManagedLoginBrandingResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    if !ctx
        .app
        .store
        .delete_branding(
            &pool_id,
            req.managed_login_branding_id.as_deref().unwrap_or_default(),
        )
        .await?
    {
        return Err(branding_not_found());
    }
    Ok(DeleteManagedLoginBrandingResponse {})
}

// -- terms ------------------------------------------------------------------------------------

fn terms_not_found() -> ApiError {
    // [B] text.
    ApiError::resource_not_found("Terms do not exist.")
}

fn terms_exist(name: &str) -> ApiError {
    // [B] text: one document of each name per app client.
    ApiError::new(
        "TermsExistsException",
        format!("Terms with name {name} already exist for this app client."),
    )
}

/// A LINK document needs links (TermsType requires them).
fn check_links(links: Option<&std::collections::BTreeMap<String, String>>) -> ApiResult<()> {
    if links.is_none_or(|l| l.is_empty()) {
        // [B] text.
        return Err(ApiError::invalid_parameter(
            "Links are required when TermsSource is LINK.",
        ));
    }
    Ok(())
}

pub async fn create_terms(ctx: Ctx, req: CreateTermsRequest) -> ApiResult<CreateTermsResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let client_id = req.client_id.unwrap_or_default();
    load_client(&ctx, &pool_id, &client_id).await?;
    check_links(req.links.as_ref())?;
    let name = req.terms_name.unwrap_or_default();
    let now = ctx.app.clock.epoch();
    let terms = TermsType {
        terms_id: Some(uuid::Uuid::new_v4().to_string()),
        user_pool_id: Some(pool_id),
        client_id: Some(client_id),
        terms_name: Some(name.clone()),
        terms_source: req.terms_source,
        enforcement: req.enforcement,
        links: req.links,
        creation_date: Some(now),
        last_modified_date: Some(now),
    };
    match ctx.app.store.insert_terms(&terms).await {
        Ok(()) => Ok(CreateTermsResponse { terms: Some(terms) }),
        Err(e) if crate::store::is_unique_violation(&e) => Err(terms_exist(&name)),
        Err(e) => Err(e.into()),
    }
}

async fn load_terms(ctx: &Ctx, pool_id: &str, terms_id: &str) -> ApiResult<TermsType> {
    ctx.app
        .store
        .get_terms(pool_id, terms_id)
        .await?
        .ok_or_else(terms_not_found)
}

pub async fn describe_terms(
    ctx: Ctx,
    req: DescribeTermsRequest,
) -> ApiResult<DescribeTermsResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let terms = load_terms(&ctx, &pool_id, req.terms_id.as_deref().unwrap_or_default()).await?;
    Ok(DescribeTermsResponse { terms: Some(terms) })
}

/// Members sent replace the stored ones; members left out keep their values.
pub async fn update_terms(ctx: Ctx, req: UpdateTermsRequest) -> ApiResult<UpdateTermsResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let mut terms = load_terms(&ctx, &pool_id, req.terms_id.as_deref().unwrap_or_default()).await?;
    if req.links.is_some() {
        check_links(req.links.as_ref())?;
        terms.links = req.links;
    }
    if req.terms_name.is_some() {
        terms.terms_name = req.terms_name;
    }
    if req.terms_source.is_some() {
        terms.terms_source = req.terms_source;
    }
    if req.enforcement.is_some() {
        terms.enforcement = req.enforcement;
    }
    terms.last_modified_date = Some(ctx.app.clock.epoch());
    match ctx.app.store.update_terms(&terms).await {
        Ok(true) => Ok(UpdateTermsResponse { terms: Some(terms) }),
        Ok(false) => Err(terms_not_found()),
        Err(e) if crate::store::is_unique_violation(&e) => {
            Err(terms_exist(terms.terms_name.as_deref().unwrap_or_default()))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_terms(ctx: Ctx, req: DeleteTermsRequest) -> ApiResult<DeleteTermsResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    if !ctx
        .app
        .store
        .delete_terms(&pool_id, req.terms_id.as_deref().unwrap_or_default())
        .await?
    {
        return Err(terms_not_found());
    }
    Ok(DeleteTermsResponse {})
}

pub async fn list_terms(ctx: Ctx, req: ListTermsRequest) -> ApiResult<ListTermsResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let limit = paging::page_limit(req.max_results);
    let invalid_token = crate::ops::common::invalid_pagination_token;
    // `NextToken` may be empty here (the model allows it): that is a token no page handed out.
    let after = match req.next_token.as_deref() {
        None => None,
        Some(t) => {
            let id = paging::parse_key_token(t).ok_or_else(invalid_token)?;
            // A page token names terms that still exist; deleted ones cannot anchor a page.
            if ctx.app.store.get_terms(&pool_id, &id).await?.is_none() {
                return Err(invalid_token());
            }
            Some(id)
        }
    };
    let rows = ctx
        .app
        .store
        .list_terms(&pool_id, after.as_deref(), limit + 1)
        .await?;
    let (rows, next_token) = paging::page(rows, limit, |t| {
        t.terms_id.as_deref().map(paging::key_token)
    });
    Ok(ListTermsResponse {
        terms: Some(
            rows.into_iter()
                .map(|t| TermsDescriptionType {
                    terms_id: t.terms_id,
                    terms_name: t.terms_name,
                    enforcement: t.enforcement,
                    creation_date: t.creation_date,
                    last_modified_date: t.last_modified_date,
                })
                .collect(),
        ),
        next_token,
    })
}

//! User pool domains: Create/Describe/Update/DeleteUserPoolDomain, and the pool's Domain and
//! CustomDomain in DescribeUserPool.
//!
//! A prefix domain (`<prefix>.auth.<region>.amazoncognito.com` on AWS) is a bare label; a custom
//! domain is a host name sent with a CustomDomainConfig (an ACM certificate ARN, which is kept but
//! not checked). A pool has one domain, and a domain belongs to one pool. Domains are ACTIVE at
//! once: there is no CloudFront distribution to wait for.

use crate::error::{ApiError, ApiResult};
use crate::ids::ACCOUNT_ID;
use crate::model::shapes::*;
use crate::ops::common::load_pool;
use crate::state::Ctx;
use crate::util::{random_string, LOWER_ALNUM};

/// The service's text for a prefix that is not one DNS label (mineiros-io/
/// terraform-aws-cognito-user-pool#69 quotes it).
const PREFIX_PATTERN_MESSAGE: &str = "The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$";

/// Words a prefix may not contain (developer guide, "Using the Amazon Cognito domain"); the text
/// is the service's for `aws` (amplify-cli#1513).
const RESERVED_WORDS: &[&str] = &["aws", "amazon", "cognito"];

/// [B] What DescribeUserPoolDomain reports for prefix domains in us-east-1 (the shared hosted-UI
/// bucket and distribution AWS answers with; Terraform's documentation shows the same values).
const PREFIX_S3_BUCKET: &str = "aws-cognito-prod-iad-assets";
const PREFIX_CLOUDFRONT: &str = "d3oia8etllorh5.cloudfront.net";

/// ManagedLoginVersion: 1 is the classic hosted UI, 2 managed login.
const MANAGED_LOGIN_VERSIONS: &[i64] = &[1, 2];

fn is_prefix(domain: &str) -> bool {
    let b = domain.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= 63
        && b.first().is_some_and(ok)
        && b.last().is_some_and(ok)
        && b.iter().all(|c| ok(c) || *c == b'-')
}

/// [B] A custom domain is a host name of at least two labels, each 1-63 of letters, digits and
/// hyphens, not starting or ending with a hyphen. The service's text for other values is unknown.
fn is_host_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            let b = l.as_bytes();
            !b.is_empty()
                && b.len() <= 63
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                && b.first() != Some(&b'-')
                && b.last() != Some(&b'-')
        })
}

/// [B] The model's DomainType pattern admits prefixes only and the service does not enforce it
/// (custom domains travel in the same member), but a value that cannot be a host name at all is
/// refused with the model's validation text rather than looked up.
fn check_host_characters(domain: &str) -> ApiResult<()> {
    if domain
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
    {
        return Ok(());
    }
    Err(ApiError::invalid_parameter(format!(
        "1 validation error detected: Value '{domain}' at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{{0,61}}[a-z0-9])?$"
    )))
}

fn check_domain(domain: &str, custom: bool) -> ApiResult<()> {
    check_host_characters(domain)?;
    if custom {
        if !is_host_name(domain) {
            return Err(ApiError::invalid_parameter(format!(
                "{domain} is not a valid custom domain name." // [B]
            )));
        }
        return Ok(());
    }
    if !is_prefix(domain) {
        return Err(ApiError::invalid_parameter(PREFIX_PATTERN_MESSAGE));
    }
    if let Some(word) = RESERVED_WORDS.iter().find(|w| domain.contains(*w)) {
        return Err(ApiError::invalid_parameter(format!(
            "Domain cannot contain reserved word: {word}"
        )));
    }
    Ok(())
}

fn check_version(version: Option<i64>) -> ApiResult<()> {
    match version {
        Some(v) if !MANAGED_LOGIN_VERSIONS.contains(&v) => Err(ApiError::invalid_parameter(
            format!("Invalid ManagedLoginVersion: {v}"), // [B]
        )),
        _ => Ok(()),
    }
}

/// `dxxxxxxxxxxxxx.cloudfront.net`, the shape of a CloudFront distribution's domain.
fn new_distribution() -> String {
    format!("d{}.cloudfront.net", random_string(LOWER_ALNUM, 13))
}

/// [B] The Version AWS reports is a timestamp-like string; the creation time serves.
fn version_string(epoch: f64) -> String {
    chrono::DateTime::from_timestamp(epoch as i64, 0)
        .map(|t| t.format("%Y%m%d%H%M%S").to_string())
        .unwrap_or_default()
}

/// "No such domain or user pool exists." [B: the text recalled from Terraform reports].
fn no_such_domain() -> ApiError {
    ApiError::invalid_parameter("No such domain or user pool exists.")
}

fn cloud_front_domain(d: &DomainDescriptionType) -> Option<String> {
    // A prefix domain has no distribution of its own [B].
    d.custom_domain_config
        .as_ref()
        .and(d.cloud_front_distribution.clone())
}

pub async fn create_user_pool_domain(
    ctx: Ctx,
    req: CreateUserPoolDomainRequest,
) -> ApiResult<CreateUserPoolDomainResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let domain = req.domain.unwrap_or_default();
    let custom = req.custom_domain_config.is_some();
    check_domain(&domain, custom)?;
    check_version(req.managed_login_version)?;
    // The order of the two checks below is the service's: a pool with a domain is refused
    // whatever it asks for (aws-cdk#10062).
    if ctx.app.store.get_pool_domain(&pool_id).await?.is_some() {
        return Err(already_has_domain());
    }
    if ctx.app.store.get_domain(&domain).await?.is_some() {
        return Err(taken());
    }
    let now = ctx.app.clock.epoch();
    let description = DomainDescriptionType {
        user_pool_id: Some(pool_id),
        aws_account_id: Some(ACCOUNT_ID.into()),
        domain: Some(domain),
        s3_bucket: Some(PREFIX_S3_BUCKET.into()),
        cloud_front_distribution: Some(if custom {
            new_distribution()
        } else {
            PREFIX_CLOUDFRONT.into()
        }),
        version: Some(version_string(now)),
        status: Some("ACTIVE".into()),
        custom_domain_config: req.custom_domain_config,
        managed_login_version: Some(req.managed_login_version.unwrap_or(1)),
    };
    match ctx.app.store.insert_domain(&description, now).await {
        Ok(()) => Ok(CreateUserPoolDomainResponse {
            managed_login_version: description.managed_login_version,
            cloud_front_domain: cloud_front_domain(&description),
        }),
        // A concurrent request took the domain or gave the pool one.
        Err(e) if crate::store::is_unique_violation(&e) => Err(taken()),
        Err(e) => Err(e.into()),
    }
}

/// aws-cdk#10062 quotes the text.
fn already_has_domain() -> ApiError {
    ApiError::invalid_parameter("User pool already has a domain configured.")
}

/// Quoted in many CDK and Terraform reports (aws-samples/aws-cdk-examples#402, ...).
fn taken() -> ApiError {
    ApiError::invalid_parameter("Domain already associated with another user pool.")
}

/// An unknown domain is an empty DomainDescription, not an error, as on AWS (CDK reads the
/// CloudFront distribution this way and the CLI prints `{"DomainDescription": {}}`).
pub async fn describe_user_pool_domain(
    ctx: Ctx,
    req: DescribeUserPoolDomainRequest,
) -> ApiResult<DescribeUserPoolDomainResponse> {
    let domain = req.domain.unwrap_or_default();
    check_host_characters(&domain)?;
    let description = ctx.app.store.get_domain(&domain).await?.unwrap_or_default();
    Ok(DescribeUserPoolDomainResponse {
        domain_description: Some(description),
    })
}

/// The domain's certificate and managed login version; members left out keep their values.
pub async fn update_user_pool_domain(
    ctx: Ctx,
    req: UpdateUserPoolDomainRequest,
) -> ApiResult<UpdateUserPoolDomainResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let domain = req.domain.unwrap_or_default();
    check_version(req.managed_login_version)?;
    let mut description = match ctx.app.store.get_domain(&domain).await? {
        Some(d) if d.user_pool_id.as_deref() == Some(pool_id.as_str()) => d,
        _ => return Err(no_such_domain()),
    };
    if let Some(config) = req.custom_domain_config {
        if description.custom_domain_config.is_none() {
            // [B] A prefix domain has no certificate to replace.
            return Err(ApiError::invalid_parameter(
                "CustomDomainConfig can only be updated for a custom domain.",
            ));
        }
        description.custom_domain_config = Some(config);
    }
    if req.managed_login_version.is_some() {
        description.managed_login_version = req.managed_login_version;
    }
    if !ctx.app.store.update_domain(&description).await? {
        return Err(no_such_domain());
    }
    Ok(UpdateUserPoolDomainResponse {
        managed_login_version: description.managed_login_version,
        cloud_front_domain: cloud_front_domain(&description),
    })
}

pub async fn delete_user_pool_domain(
    ctx: Ctx,
    req: DeleteUserPoolDomainRequest,
) -> ApiResult<DeleteUserPoolDomainResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    load_pool(&ctx, &pool_id).await?;
    let domain = req.domain.unwrap_or_default();
    if !ctx.app.store.delete_domain(&pool_id, &domain).await? {
        return Err(no_such_domain());
    }
    Ok(DeleteUserPoolDomainResponse {})
}

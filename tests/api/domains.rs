//! User pool domains, hosted-UI customization, log delivery, managed login branding and terms,
//! through the AWS SDK for Rust.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::primitives::Blob;
use aws_sdk_cognitoidentityprovider::types::{
    AssetCategoryType, AssetExtensionType, AssetType, CloudWatchLogsConfigurationType,
    ColorSchemeModeType, CustomDomainConfigType, DomainStatusType, EventSourceName,
    LogConfigurationType, LogLevel, TermsEnforcementType, TermsSourceType,
};
use aws_smithy_types::Document;
use serde_json::json;

const CERT: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555";

async fn prefix_domain(app: &TestApp, pool: &str, domain: &str) {
    app.client
        .create_user_pool_domain()
        .user_pool_id(pool)
        .domain(domain)
        .send()
        .await
        .expect("CreateUserPoolDomain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefix_domain_is_created_described_and_deleted() {
    let app = spawn_app().await;
    let pool = app.create_pool("domains").await;
    let created = app
        .client
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("my-app-login")
        .send()
        .await
        .expect("CreateUserPoolDomain");
    assert_eq!(created.managed_login_version(), Some(1));
    assert_eq!(created.cloud_front_domain(), None);

    let described = app
        .client
        .describe_user_pool_domain()
        .domain("my-app-login")
        .send()
        .await
        .expect("DescribeUserPoolDomain");
    let d = described.domain_description().expect("DomainDescription");
    assert_eq!(d.user_pool_id(), Some(pool.as_str()));
    assert_eq!(d.domain(), Some("my-app-login"));
    assert_eq!(d.aws_account_id(), Some("123456789012"));
    assert_eq!(d.status(), Some(&DomainStatusType::Active));
    assert_eq!(d.managed_login_version(), Some(1));
    assert_eq!(d.custom_domain_config(), None);

    let pool_doc = app
        .call("DescribeUserPool", json!({ "UserPoolId": pool }))
        .await;
    assert_eq!(pool_doc["UserPool"]["Domain"], "my-app-login");
    assert_eq!(pool_doc["UserPool"].get("CustomDomain"), None);

    assert_sdk_err(
        app.client
            .delete_user_pool_domain()
            .user_pool_id(&pool)
            .domain("other-domain")
            .send()
            .await,
        "InvalidParameterException",
        "No such domain or user pool exists.",
    );
    app.client
        .delete_user_pool_domain()
        .user_pool_id(&pool)
        .domain("my-app-login")
        .send()
        .await
        .expect("DeleteUserPoolDomain");
    // An unknown domain is an empty description, not an error.
    let empty = app
        .call(
            "DescribeUserPoolDomain",
            json!({ "Domain": "my-app-login" }),
        )
        .await;
    assert_eq!(empty, json!({ "DomainDescription": {} }));
    let pool_doc = app
        .call("DescribeUserPool", json!({ "UserPoolId": pool }))
        .await;
    assert_eq!(pool_doc["UserPool"].get("Domain"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_has_one_domain_and_a_domain_one_pool() {
    let app = spawn_app().await;
    let pool = app.create_pool("one").await;
    let other = app.create_pool("two").await;
    prefix_domain(&app, &pool, "first-login").await;
    assert_sdk_err(
        app.client
            .create_user_pool_domain()
            .user_pool_id(&pool)
            .domain("second-login")
            .send()
            .await,
        "InvalidParameterException",
        "User pool already has a domain configured.",
    );
    assert_sdk_err(
        app.client
            .create_user_pool_domain()
            .user_pool_id(&other)
            .domain("first-login")
            .send()
            .await,
        "InvalidParameterException",
        "Domain already associated with another user pool.",
    );
    assert_sdk_err(
        app.client
            .delete_user_pool()
            .user_pool_id(&pool)
            .send()
            .await,
        "InvalidParameterException",
        "User pool cannot be deleted. It has a domain configured that should be deleted first.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefixes_are_checked_with_the_services_texts() {
    let app = spawn_app().await;
    let pool = app.create_pool("prefixes").await;
    let pattern = "The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$";
    for bad in ["MyApp", "my-app-", "auth.example.com"] {
        assert_sdk_err(
            app.client
                .create_user_pool_domain()
                .user_pool_id(&pool)
                .domain(bad)
                .send()
                .await,
            "InvalidParameterException",
            pattern,
        );
    }
    for (bad, word) in [
        ("my-aws-app", "aws"),
        ("amazonlogin", "amazon"),
        ("cognito1", "cognito"),
    ] {
        assert_sdk_err(
            app.client
                .create_user_pool_domain()
                .user_pool_id(&pool)
                .domain(bad)
                .send()
                .await,
            "InvalidParameterException",
            &format!("Domain cannot contain reserved word: {word}"),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_domain_keeps_its_certificate_and_shows_as_custom_domain() {
    let app = spawn_app().await;
    let pool = app.create_pool("custom").await;
    let config = CustomDomainConfigType::builder()
        .certificate_arn(CERT)
        .build()
        .expect("config");
    let created = app
        .client
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("auth.example.com")
        .custom_domain_config(config)
        .managed_login_version(2)
        .send()
        .await
        .expect("CreateUserPoolDomain custom");
    let cloudfront = created.cloud_front_domain().expect("CloudFrontDomain");
    assert!(cloudfront.starts_with('d') && cloudfront.ends_with(".cloudfront.net"));
    assert_eq!(created.managed_login_version(), Some(2));

    let pool_doc = app
        .call("DescribeUserPool", json!({ "UserPoolId": pool }))
        .await;
    assert_eq!(pool_doc["UserPool"]["CustomDomain"], "auth.example.com");
    assert_eq!(pool_doc["UserPool"].get("Domain"), None);

    let updated = app
        .client
        .update_user_pool_domain()
        .user_pool_id(&pool)
        .domain("auth.example.com")
        .managed_login_version(1)
        .send()
        .await
        .expect("UpdateUserPoolDomain");
    assert_eq!(updated.managed_login_version(), Some(1));
    assert_eq!(updated.cloud_front_domain(), Some(cloudfront));
    let d = app
        .client
        .describe_user_pool_domain()
        .domain("auth.example.com")
        .send()
        .await
        .expect("DescribeUserPoolDomain");
    let d = d.domain_description().expect("DomainDescription");
    assert_eq!(
        d.custom_domain_config().map(|c| c.certificate_arn()),
        Some(CERT)
    );
    assert_eq!(d.cloud_front_distribution(), Some(cloudfront));
    assert_eq!(d.managed_login_version(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ui_customization_needs_a_domain_and_falls_back_to_the_pools() {
    let app = spawn_app().await;
    let pool = app.create_pool("ui").await;
    let client = app.create_client(&pool).await;
    assert_sdk_err(
        app.client
            .set_ui_customization()
            .user_pool_id(&pool)
            .css(".banner-customizable { background-color: black; }")
            .send()
            .await,
        "InvalidParameterException",
        "A domain must be associated with this user pool.",
    );
    let nothing = app
        .call("GetUICustomization", json!({ "UserPoolId": pool }))
        .await;
    assert_eq!(nothing, json!({ "UICustomization": {} }));

    prefix_domain(&app, &pool, "ui-login").await;
    let set = app
        .client
        .set_ui_customization()
        .user_pool_id(&pool)
        .css(".banner-customizable { background-color: black; }")
        .image_file(Blob::new(b"not really a png".to_vec()))
        .send()
        .await
        .expect("SetUICustomization");
    let c = set.ui_customization().expect("UICustomization");
    assert_eq!(c.client_id(), Some("ALL"));
    assert_eq!(
        c.css(),
        Some(".banner-customizable { background-color: black; }")
    );
    assert!(c.css_version().is_some());
    // Not a PNG or JPEG: nothing the hosted pages could show.
    assert_eq!(c.image_url(), None);
    // A PNG is kept as a data: URI, the logo of the hosted pages.
    let png = b"\x89PNG\r\n\x1a\nrest of the image".to_vec();
    let set = app
        .client
        .set_ui_customization()
        .user_pool_id(&pool)
        .css(".banner-customizable { background-color: black; }")
        .image_file(Blob::new(png.clone()))
        .send()
        .await
        .expect("SetUICustomization with a PNG");
    use base64::Engine;
    let expected = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&png)
    );
    assert_eq!(
        set.ui_customization().and_then(|c| c.image_url()),
        Some(expected.as_str())
    );

    // A client without its own customization gets the pool's.
    let got = app
        .client
        .get_ui_customization()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .expect("GetUICustomization");
    assert_eq!(
        got.ui_customization().and_then(|c| c.client_id()),
        Some("ALL")
    );

    app.client
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(&client)
        .css(".label-customizable { font-weight: 400; }")
        .send()
        .await
        .expect("SetUICustomization for a client");
    let got = app
        .client
        .get_ui_customization()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .expect("GetUICustomization");
    let c = got.ui_customization().expect("UICustomization");
    assert_eq!(c.client_id(), Some(client.as_str()));
    assert_eq!(c.css(), Some(".label-customizable { font-weight: 400; }"));
    assert_sdk_err(
        app.client
            .get_ui_customization()
            .user_pool_id(&pool)
            .client_id("nosuchclient")
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool client nosuchclient does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_delivery_is_stored_and_returned() {
    let app = spawn_app().await;
    let pool = app.create_pool("logs").await;
    let empty = app
        .client
        .get_log_delivery_configuration()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("GetLogDeliveryConfiguration");
    let c = empty.log_delivery_configuration().expect("configuration");
    assert_eq!(c.user_pool_id(), pool);
    assert!(c.log_configurations().is_empty());

    let log = LogConfigurationType::builder()
        .log_level(LogLevel::Error)
        .event_source(EventSourceName::UserNotification)
        .cloud_watch_logs_configuration(
            CloudWatchLogsConfigurationType::builder()
                .log_group_arn("arn:aws:logs:us-east-1:123456789012:log-group:cognito")
                .build(),
        )
        .build()
        .expect("log configuration");
    let set = app
        .client
        .set_log_delivery_configuration()
        .user_pool_id(&pool)
        .log_configurations(log.clone())
        .send()
        .await
        .expect("SetLogDeliveryConfiguration");
    assert_eq!(
        set.log_delivery_configuration()
            .map(|c| c.log_configurations()),
        Some(std::slice::from_ref(&log))
    );
    let got = app
        .client
        .get_log_delivery_configuration()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("GetLogDeliveryConfiguration");
    assert_eq!(
        got.log_delivery_configuration(),
        set.log_delivery_configuration()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_has_one_managed_login_branding() {
    let app = spawn_app().await;
    let pool = app.create_pool("branding").await;
    let client = app.create_client(&pool).await;
    let settings = Document::Object(
        [(
            "components".to_string(),
            Document::Object(
                [(
                    "pageBackground".to_string(),
                    Document::String("dark".into()),
                )]
                .into_iter()
                .collect(),
            ),
        )]
        .into_iter()
        .collect(),
    );
    let asset = AssetType::builder()
        .category(AssetCategoryType::PageHeaderLogo)
        .color_mode(ColorSchemeModeType::Light)
        .extension(AssetExtensionType::Png)
        .bytes(Blob::new(b"png".to_vec()))
        .build()
        .expect("asset");
    let created = app
        .client
        .create_managed_login_branding()
        .user_pool_id(&pool)
        .client_id(&client)
        .settings(settings.clone())
        .assets(asset.clone())
        .send()
        .await
        .expect("CreateManagedLoginBranding");
    let b = created.managed_login_branding().expect("branding");
    let id = b.managed_login_branding_id().expect("id").to_string();
    assert_eq!(b.user_pool_id(), Some(pool.as_str()));
    assert!(!b.use_cognito_provided_values());
    assert_eq!(b.settings(), Some(&settings));
    assert_eq!(b.assets(), std::slice::from_ref(&asset));

    assert_sdk_err(
        app.client
            .create_managed_login_branding()
            .user_pool_id(&pool)
            .client_id(&client)
            .use_cognito_provided_values(true)
            .send()
            .await,
        "ManagedLoginBrandingExistsException",
        &format!("Managed login branding already exists for client {client}."),
    );
    let by_client = app
        .client
        .describe_managed_login_branding_by_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .expect("DescribeManagedLoginBrandingByClient");
    assert_eq!(
        by_client.managed_login_branding(),
        created.managed_login_branding()
    );

    let updated = app
        .client
        .update_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .use_cognito_provided_values(true)
        .send()
        .await
        .expect("UpdateManagedLoginBranding");
    let b = updated.managed_login_branding().expect("branding");
    assert!(b.use_cognito_provided_values());
    assert_eq!(b.settings(), None);
    let by_id = app
        .client
        .describe_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .send()
        .await
        .expect("DescribeManagedLoginBranding");
    assert_eq!(
        by_id.managed_login_branding(),
        updated.managed_login_branding()
    );

    app.client
        .delete_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .send()
        .await
        .expect("DeleteManagedLoginBranding");
    assert_sdk_err(
        app.client
            .describe_managed_login_branding()
            .user_pool_id(&pool)
            .managed_login_branding_id(&id)
            .send()
            .await,
        "ResourceNotFoundException",
        "Managed login branding does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terms_are_one_per_name_and_client_and_listed_in_pages() {
    let app = spawn_app().await;
    let pool = app.create_pool("terms").await;
    let client = app.create_client(&pool).await;
    let create = |name: &'static str| {
        app.client
            .create_terms()
            .user_pool_id(&pool)
            .client_id(&client)
            .terms_name(name)
            .terms_source(TermsSourceType::Link)
            .enforcement(TermsEnforcementType::None)
            .links("cognito:default", format!("https://example.com/{name}"))
            .send()
    };
    let tou = create("terms-of-use").await.expect("CreateTerms");
    let t = tou.terms().expect("Terms");
    assert_eq!(t.terms_name(), "terms-of-use");
    assert_eq!(t.client_id(), client);
    assert_eq!(t.terms_source(), &TermsSourceType::Link);
    assert_eq!(
        t.links().get("cognito:default").map(String::as_str),
        Some("https://example.com/terms-of-use")
    );
    let tou_id = t.terms_id().to_string();
    assert_sdk_err(
        create("terms-of-use").await,
        "TermsExistsException",
        "Terms with name terms-of-use already exist for this app client.",
    );
    create("privacy-policy").await.expect("CreateTerms privacy");

    let first = app
        .client
        .list_terms()
        .user_pool_id(&pool)
        .max_results(1)
        .send()
        .await
        .expect("ListTerms");
    assert_eq!(first.terms().len(), 1);
    assert_eq!(first.terms()[0].terms_id(), tou_id);
    let second = app
        .client
        .list_terms()
        .user_pool_id(&pool)
        .max_results(1)
        .next_token(first.next_token().expect("NextToken"))
        .send()
        .await
        .expect("ListTerms page 2");
    assert_eq!(second.terms()[0].terms_name(), "privacy-policy");
    assert_eq!(second.next_token(), None);

    let updated = app
        .client
        .update_terms()
        .user_pool_id(&pool)
        .terms_id(&tou_id)
        .links("cognito:english", "https://example.com/en/terms")
        .send()
        .await
        .expect("UpdateTerms");
    assert_eq!(updated.terms().map(|t| t.links().len()), Some(1));
    assert_sdk_err(
        app.client
            .update_terms()
            .user_pool_id(&pool)
            .terms_id(&tou_id)
            .terms_name("privacy-policy")
            .send()
            .await,
        "TermsExistsException",
        "Terms with name privacy-policy already exist for this app client.",
    );
    app.client
        .delete_terms()
        .user_pool_id(&pool)
        .terms_id(&tou_id)
        .send()
        .await
        .expect("DeleteTerms");
    assert_sdk_err(
        app.client
            .describe_terms()
            .user_pool_id(&pool)
            .terms_id(&tou_id)
            .send()
            .await,
        "ResourceNotFoundException",
        "Terms do not exist.",
    );
}

//! Identity providers, IdpIdentifiers, app clients naming providers, and linked identities,
//! through the AWS SDK for Rust.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::{
    IdentityProviderTypeType, MessageActionType, ProviderUserIdentifierType,
};
use serde_json::{json, Value};

/// A Google provider with the OAuth client the service requires.
async fn google(app: &TestApp, pool: &str) {
    app.client
        .create_identity_provider()
        .user_pool_id(pool)
        .provider_name("Google")
        .provider_type(IdentityProviderTypeType::Google)
        .provider_details("client_id", "google-client")
        .provider_details("client_secret", "google-secret")
        .provider_details("authorize_scopes", "openid email")
        .send()
        .await
        .expect("CreateIdentityProvider Google");
}

async fn oidc(app: &TestApp, pool: &str, name: &str, identifiers: &[&str]) {
    let mut req = app
        .client
        .create_identity_provider()
        .user_pool_id(pool)
        .provider_name(name)
        .provider_type(IdentityProviderTypeType::Oidc)
        .provider_details("client_id", "oidc-client")
        .provider_details("attributes_request_method", "GET")
        .provider_details("oidc_issuer", "https://idp.example.com")
        .provider_details("authorize_scopes", "openid");
    for id in identifiers {
        req = req.idp_identifiers(*id);
    }
    req.send().await.expect("CreateIdentityProvider OIDC");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_is_created_described_updated_listed_and_deleted() {
    let app = spawn_app().await;
    let pool = app.create_pool("idp").await;
    let created = app
        .client
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(IdentityProviderTypeType::Google)
        .provider_details("client_id", "google-client")
        .provider_details("client_secret", "google-secret")
        .provider_details("authorize_scopes", "openid email")
        .attribute_mapping("email", "email")
        .send()
        .await
        .expect("CreateIdentityProvider");
    let p = created.identity_provider().expect("IdentityProvider");
    assert_eq!(p.user_pool_id(), Some(pool.as_str()));
    assert_eq!(p.provider_name(), Some("Google"));
    assert_eq!(p.provider_type(), Some(&IdentityProviderTypeType::Google));
    let details = p.provider_details().expect("ProviderDetails");
    assert_eq!(
        details.get("client_id").map(String::as_str),
        Some("google-client")
    );
    assert_eq!(
        p.attribute_mapping()
            .and_then(|m| m.get("email"))
            .map(String::as_str),
        Some("email")
    );
    assert!(p.creation_date().is_some() && p.last_modified_date().is_some());

    assert_sdk_err(
        app.client
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Google")
            .provider_type(IdentityProviderTypeType::Google)
            .provider_details("client_id", "other")
            .provider_details("client_secret", "other")
            .provider_details("authorize_scopes", "openid")
            .send()
            .await,
        "DuplicateProviderException",
        &format!("Google already exists in user pool {pool}"),
    );

    let updated = app
        .client
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .attribute_mapping("email", "email")
        .attribute_mapping("name", "name")
        .send()
        .await
        .expect("UpdateIdentityProvider");
    let p = updated.identity_provider().expect("IdentityProvider");
    assert_eq!(p.attribute_mapping().map(|m| m.len()), Some(2));
    // Details left out keep their values.
    assert_eq!(
        p.provider_details()
            .and_then(|d| d.get("client_secret"))
            .map(String::as_str),
        Some("google-secret")
    );

    let described = app
        .client
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .send()
        .await
        .expect("DescribeIdentityProvider");
    assert_eq!(described.identity_provider(), updated.identity_provider());

    let listed = app
        .client
        .list_identity_providers()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("ListIdentityProviders");
    assert_eq!(listed.providers().len(), 1);
    assert_eq!(listed.providers()[0].provider_name(), Some("Google"));
    assert_eq!(
        listed.providers()[0].provider_type(),
        Some(&IdentityProviderTypeType::Google)
    );
    assert_eq!(listed.next_token(), None);

    app.client
        .delete_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .send()
        .await
        .expect("DeleteIdentityProvider");
    assert_sdk_err(
        app.client
            .describe_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Google")
            .send()
            .await,
        "ResourceNotFoundException",
        "Identity provider Google does not exist.",
    );
    assert_sdk_err(
        app.client
            .delete_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Google")
            .send()
            .await,
        "ResourceNotFoundException",
        "Identity provider Google does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn social_providers_carry_their_type_name_and_an_oauth_client() {
    let app = spawn_app().await;
    let pool = app.create_pool("social").await;
    assert_sdk_err(
        app.client
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name("MyGoogle")
            .provider_type(IdentityProviderTypeType::Google)
            .provider_details("client_id", "c")
            .provider_details("client_secret", "s")
            .provider_details("authorize_scopes", "openid")
            .send()
            .await,
        "InvalidParameterException",
        "Provider MyGoogle cannot be of type Google.",
    );
    assert_sdk_err(
        app.client
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Facebook")
            .provider_type(IdentityProviderTypeType::Facebook)
            .provider_details("client_id", "c")
            .provider_details("authorize_scopes", "public_profile")
            .send()
            .await,
        "InvalidParameterException",
        "client_id, client_secret and authorize_scopes are all required idp details",
    );
    assert_sdk_err(
        app.client
            .create_identity_provider()
            .user_pool_id("us-east-1_nothere")
            .provider_name("Google")
            .provider_type(IdentityProviderTypeType::Google)
            .provider_details("client_id", "c")
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool us-east-1_nothere does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idp_identifier_finds_its_one_provider() {
    let app = spawn_app().await;
    let pool = app.create_pool("identifiers").await;
    oidc(&app, &pool, "Corp", &["corp.example.com", "corp"]).await;
    let found = app
        .client
        .get_identity_provider_by_identifier()
        .user_pool_id(&pool)
        .idp_identifier("corp")
        .send()
        .await
        .expect("GetIdentityProviderByIdentifier");
    let p = found.identity_provider().expect("IdentityProvider");
    assert_eq!(p.provider_name(), Some("Corp"));
    assert_eq!(p.idp_identifiers(), ["corp.example.com", "corp"]);

    assert_sdk_err(
        app.client
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Other")
            .provider_type(IdentityProviderTypeType::Oidc)
            .provider_details("client_id", "x")
            .idp_identifiers("corp")
            .send()
            .await,
        "DuplicateProviderException",
        &format!("Identifier corp already exists in user pool {pool}"),
    );
    assert_sdk_err(
        app.client
            .get_identity_provider_by_identifier()
            .user_pool_id(&pool)
            .idp_identifier("nobody")
            .send()
            .await,
        "ResourceNotFoundException",
        "Identity provider with identifier nobody does not exist.",
    );

    // New identifiers replace the old ones.
    app.client
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .idp_identifiers("corp-new")
        .send()
        .await
        .expect("UpdateIdentityProvider");
    assert_sdk_err(
        app.client
            .get_identity_provider_by_identifier()
            .user_pool_id(&pool)
            .idp_identifier("corp")
            .send()
            .await,
        "ResourceNotFoundException",
        "Identity provider with identifier corp does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn providers_are_listed_in_pages() {
    let app = spawn_app().await;
    let pool = app.create_pool("pages").await;
    for name in ["Alpha", "Bravo", "Charlie"] {
        oidc(&app, &pool, name, &[]).await;
    }
    let first = app
        .client
        .list_identity_providers()
        .user_pool_id(&pool)
        .max_results(2)
        .send()
        .await
        .expect("first page");
    let names: Vec<_> = first
        .providers()
        .iter()
        .filter_map(|p| p.provider_name())
        .collect();
    assert_eq!(names, ["Alpha", "Bravo"]);
    let token = first.next_token().expect("NextToken").to_string();
    let second = app
        .client
        .list_identity_providers()
        .user_pool_id(&pool)
        .max_results(2)
        .next_token(token)
        .send()
        .await
        .expect("second page");
    let names: Vec<_> = second
        .providers()
        .iter()
        .filter_map(|p| p.provider_name())
        .collect();
    assert_eq!(names, ["Charlie"]);
    assert_eq!(second.next_token(), None);
    assert_sdk_err(
        app.client
            .list_identity_providers()
            .user_pool_id(&pool)
            .next_token("not*a*token")
            .send()
            .await,
        "InvalidParameterException",
        "Invalid pagination token.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_clients_name_only_cognito_and_the_pools_providers() {
    let app = spawn_app().await;
    let pool = app.create_pool("clients").await;
    let (status, code, message) = app
        .call_err(
            "CreateUserPoolClient",
            json!({
                "UserPoolId": pool,
                "ClientName": "web",
                "SupportedIdentityProviders": ["COGNITO", "Okta"]
            }),
        )
        .await;
    assert_eq!(status.as_u16(), 400);
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "InvalidParameterException",
            format!("The provider Okta does not exist for User Pool {pool}").as_str()
        )
    );
    oidc(&app, &pool, "Okta", &[]).await;
    let client = app
        .create_client_with(json!({
            "UserPoolId": pool,
            "ClientName": "web",
            "SupportedIdentityProviders": ["COGNITO", "Okta"]
        }))
        .await;
    assert_eq!(
        client["SupportedIdentityProviders"],
        json!(["COGNITO", "Okta"])
    );
    let client_id = client["ClientId"].as_str().unwrap_or_default();
    assert_sdk_err(
        app.client
            .update_user_pool_client()
            .user_pool_id(&pool)
            .client_id(client_id)
            .supported_identity_providers("Google")
            .send()
            .await,
        "InvalidParameterException",
        &format!("The provider Google does not exist for User Pool {pool}"),
    );
}

fn identity(provider: &str, attribute: Option<&str>, value: &str) -> ProviderUserIdentifierType {
    ProviderUserIdentifierType::builder()
        .provider_name(provider)
        .set_provider_attribute_name(attribute.map(str::to_string))
        .provider_attribute_value(value)
        .build()
}

async fn identities_of(app: &TestApp, pool: &str, user: &str) -> Option<Value> {
    let got = app
        .client
        .admin_get_user()
        .user_pool_id(pool)
        .username(user)
        .send()
        .await
        .expect("AdminGetUser");
    got.user_attributes()
        .iter()
        .find(|a| a.name() == "identities")
        .and_then(|a| a.value())
        .map(|v| serde_json::from_str(v).expect("identities is JSON text"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linked_identity_shows_in_admin_get_user_until_it_is_disabled() {
    let app = spawn_app().await;
    let pool = app.create_pool("links").await;
    google(&app, &pool).await;
    app.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");

    assert_sdk_err(
        app.client
            .admin_link_provider_for_user()
            .user_pool_id(&pool)
            .destination_user(identity("Cognito", None, "alice"))
            .source_user(identity("Cognito", Some("Cognito_Subject"), "bob"))
            .send()
            .await,
        "InvalidParameterException",
        "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser",
    );
    assert_sdk_err(
        app.client
            .admin_link_provider_for_user()
            .user_pool_id(&pool)
            .destination_user(identity("Cognito", None, "nobody"))
            .source_user(identity("Google", Some("Cognito_Subject"), "1234"))
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );

    app.client
        .admin_link_provider_for_user()
        .user_pool_id(&pool)
        .destination_user(identity("Cognito", None, "alice"))
        .source_user(identity("Google", Some("Cognito_Subject"), "1234"))
        .send()
        .await
        .expect("AdminLinkProviderForUser");
    let ids = identities_of(&app, &pool, "alice")
        .await
        .expect("an identities attribute");
    assert_eq!(ids.as_array().map(Vec::len), Some(1));
    assert_eq!(ids[0]["userId"], "1234");
    assert_eq!(ids[0]["providerName"], "Google");
    assert_eq!(ids[0]["providerType"], "Google");
    assert_eq!(ids[0]["issuer"], Value::Null);
    assert_eq!(ids[0]["primary"], false);
    assert!(ids[0]["dateCreated"]
        .as_i64()
        .is_some_and(|ms| ms > 1_000_000_000_000));

    app.client
        .admin_disable_provider_for_user()
        .user_pool_id(&pool)
        .user(identity("Google", Some("Cognito_Subject"), "1234"))
        .send()
        .await
        .expect("AdminDisableProviderForUser");
    assert_eq!(identities_of(&app, &pool, "alice").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_has_one_stable_signing_certificate() {
    use base64::Engine;
    let app = spawn_app().await;
    let pool = app.create_pool("saml").await;
    let first = app
        .client
        .get_signing_certificate()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("GetSigningCertificate");
    let cert = first.certificate().expect("Certificate");
    let der = base64::engine::general_purpose::STANDARD
        .decode(cert)
        .expect("base64 DER, no PEM armour");
    assert_eq!(&der[..2], &[0x30, 0x82], "an X.509 DER SEQUENCE");
    let again = app
        .client
        .get_signing_certificate()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("GetSigningCertificate again");
    assert_eq!(again.certificate(), Some(cert));
    assert_sdk_err(
        app.client
            .get_signing_certificate()
            .user_pool_id("us-east-1_nothere")
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool us-east-1_nothere does not exist.",
    );
}

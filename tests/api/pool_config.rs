//! Pool configuration through the AWS SDK for Rust: AddCustomAttributes, tags on user pool ARNs,
//! resource servers and the custom scopes of app clients, client secret rotation, and threat
//! protection's risk configuration and user feedback.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, AuthFlowType, CompromisedCredentialsActionsType,
    CompromisedCredentialsEventActionType, CompromisedCredentialsRiskConfigurationType,
    EventFilterType, FeedbackValueType, ResourceServerScopeType, RiskExceptionConfigurationType,
    SchemaAttributeType,
};
use cognito_emulator::domain::secret_hash;
use serde_json::json;

const PASSWORD: &str = "Passw0rd!";

fn custom(name: &str) -> SchemaAttributeType {
    SchemaAttributeType::builder()
        .name(name)
        .attribute_data_type(AttributeDataType::String)
        .build()
}

fn scope(name: &str) -> ResourceServerScopeType {
    ResourceServerScopeType::builder()
        .scope_name(name)
        .scope_description(format!("{name} access"))
        .build()
        .expect("a scope with name and description")
}

fn pool_arn(pool: &str) -> String {
    format!("arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool}")
}

// Custom attributes

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn added_custom_attributes_join_the_schema_and_can_be_written() {
    let app = spawn_app().await;
    let pool = app.create_pool("custom").await;
    app.client
        .add_custom_attributes()
        .user_pool_id(&pool)
        .custom_attributes(custom("tier"))
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("level")
                .attribute_data_type(AttributeDataType::Number)
                .mutable(false)
                .build(),
        )
        .send()
        .await
        .expect("AddCustomAttributes");
    let described = app
        .call("DescribeUserPool", json!({ "UserPoolId": pool }))
        .await;
    let schema = described["UserPool"]["SchemaAttributes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let tier = schema
        .iter()
        .find(|a| a["Name"] == "custom:tier")
        .expect("custom:tier in the schema");
    assert_eq!(
        tier,
        &json!({
            "Name": "custom:tier", "AttributeDataType": "String", "DeveloperOnlyAttribute": false,
            "Mutable": true, "Required": false, "StringAttributeConstraints": {}
        })
    );
    let level = schema
        .iter()
        .find(|a| a["Name"] == "custom:level")
        .expect("custom:level in the schema");
    assert_eq!(level["Mutable"], false);
    assert_eq!(level["NumberAttributeConstraints"], json!({}));

    app.call(
        "AdminCreateUser",
        json!({
            "UserPoolId": pool, "Username": "kim", "MessageAction": "SUPPRESS",
            "UserAttributes": [{"Name": "custom:tier", "Value": "gold"}, {"Name": "custom:level", "Value": "3"}]
        }),
    )
    .await;
    app.call(
        "AdminUpdateUserAttributes",
        json!({ "UserPoolId": pool, "Username": "kim",
                "UserAttributes": [{"Name": "custom:tier", "Value": "silver"}] }),
    )
    .await;
    let user = app
        .call(
            "AdminGetUser",
            json!({ "UserPoolId": pool, "Username": "kim" }),
        )
        .await;
    let attrs = user["UserAttributes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(attrs.contains(&json!({"Name": "custom:tier", "Value": "silver"})));
    assert_sdk_err(
        app.client
            .admin_update_user_attributes()
            .user_pool_id(&pool)
            .username("kim")
            .user_attributes(
                aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                    .name("custom:level")
                    .value("4")
                    .build()
                    .expect("attribute"),
            )
            .send()
            .await,
        "InvalidParameterException",
        "user.custom:level: Attribute cannot be updated. (changing an immutable attribute)\n",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_custom_attributes_refuses_duplicates_required_ones_unknown_pools_and_the_51st() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({
            "PoolName": "dupes",
            "Schema": [{"Name": "tier", "AttributeDataType": "String"}]
        }))
        .await;
    let add = |attrs: Vec<SchemaAttributeType>, pool: String| {
        app.client
            .add_custom_attributes()
            .user_pool_id(pool)
            .set_custom_attributes(Some(attrs))
            .send()
    };
    assert_sdk_err(
        add(vec![custom("tier")], pool.clone()).await,
        "InvalidParameterException",
        "custom:tier: Existing attribute already has name custom:tier.",
    );
    // Nothing of a refused request is kept.
    assert_sdk_err(
        add(vec![custom("fresh"), custom("fresh")], pool.clone()).await,
        "InvalidParameterException",
        "custom:fresh: Existing attribute already has name custom:fresh.",
    );
    add(vec![custom("fresh")], pool.clone())
        .await
        .expect("fresh was not added by the refused request");
    assert_sdk_err(
        add(
            vec![SchemaAttributeType::builder()
                .name("must")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .build()],
            pool.clone(),
        )
        .await,
        "InvalidParameterException",
        "Required custom attributes are not supported currently.",
    );
    assert_sdk_err(
        add(vec![custom("x")], "us-east-1_nothere0".into()).await,
        "ResourceNotFoundException",
        "User pool us-east-1_nothere0 does not exist.",
    );
    // 2 so far; 48 more reach the limit of 50, one more is refused.
    for batch in 0..2 {
        let attrs = (0..24).map(|i| custom(&format!("a{batch}_{i}"))).collect();
        add(attrs, pool.clone()).await.expect("within the limit");
    }
    let (code, _) = expect_err(add(vec![custom("one_too_many")], pool.clone()).await);
    assert_eq!(code, "InvalidParameterException");
}

// Tags

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_of_a_pool_are_its_user_pool_tags() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({"PoolName": "tagged", "UserPoolTags": {"env": "test"}}))
        .await;
    let tags = |pool: String| {
        app.client
            .list_tags_for_resource()
            .resource_arn(pool_arn(&pool))
            .send()
    };
    let listed = tags(pool.clone()).await.expect("ListTagsForResource");
    assert_eq!(listed.tags().map(|t| t.len()), Some(1));
    assert_eq!(
        listed.tags().and_then(|t| t.get("env")).map(String::as_str),
        Some("test")
    );
    app.client
        .tag_resource()
        .resource_arn(pool_arn(&pool))
        .tags("team", "identity")
        .tags("env", "prod")
        .send()
        .await
        .expect("TagResource");
    let described = app
        .call("DescribeUserPool", json!({ "UserPoolId": pool }))
        .await;
    assert_eq!(
        described["UserPool"]["UserPoolTags"],
        json!({"env": "prod", "team": "identity"})
    );
    app.client
        .untag_resource()
        .resource_arn(pool_arn(&pool))
        .tag_keys("env")
        .tag_keys("absent")
        .send()
        .await
        .expect("UntagResource");
    let raw = app
        .call(
            "ListTagsForResource",
            json!({ "ResourceArn": pool_arn(&pool) }),
        )
        .await;
    assert_eq!(raw, json!({"Tags": {"team": "identity"}}));
    app.client
        .untag_resource()
        .resource_arn(pool_arn(&pool))
        .tag_keys("team")
        .send()
        .await
        .expect("UntagResource");
    let raw = app
        .call(
            "ListTagsForResource",
            json!({ "ResourceArn": pool_arn(&pool) }),
        )
        .await;
    assert_eq!(raw, json!({"Tags": {}}));
    let described = app
        .call("DescribeUserPool", json!({ "UserPoolId": pool }))
        .await;
    assert!(described["UserPool"].get("UserPoolTags").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_need_the_arn_of_an_existing_pool() {
    let app = spawn_app().await;
    assert_sdk_err(
        app.client
            .list_tags_for_resource()
            .resource_arn(pool_arn("us-east-1_nothere0"))
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool us-east-1_nothere0 does not exist.",
    );
    let pool = app.create_pool("tags").await;
    let foreign = format!("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{pool}");
    assert_sdk_err(
        app.client
            .tag_resource()
            .resource_arn(foreign)
            .tags("a", "b")
            .send()
            .await,
        "ResourceNotFoundException",
        &format!("User pool {pool} does not exist."),
    );
    let (code, _) = expect_err(
        app.client
            .untag_resource()
            .resource_arn("arn:aws:s3:us-east-1:123456789012:bucket/b")
            .tag_keys("a")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
}

// Resource servers

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_servers_are_created_described_updated_listed_and_deleted() {
    let app = spawn_app().await;
    let pool = app.create_pool("rs").await;
    let created = app
        .call(
            "CreateResourceServer",
            json!({
                "UserPoolId": pool, "Identifier": "https://api.example.com", "Name": "api",
                "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"}]
            }),
        )
        .await;
    assert_eq!(
        created,
        json!({"ResourceServer": {
            "UserPoolId": pool, "Identifier": "https://api.example.com", "Name": "api",
            "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"}]
        }})
    );
    assert_sdk_err(
        app.client
            .create_resource_server()
            .user_pool_id(&pool)
            .identifier("https://api.example.com")
            .name("again")
            .send()
            .await,
        "InvalidParameterException",
        &format!("https://api.example.com already exists in user pool {pool}."),
    );
    let updated = app
        .client
        .update_resource_server()
        .user_pool_id(&pool)
        .identifier("https://api.example.com")
        .name("api v2")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .expect("UpdateResourceServer");
    let rs = updated.resource_server().expect("ResourceServer");
    assert_eq!(rs.name(), Some("api v2"));
    assert_eq!(rs.scopes().len(), 2);
    let described = app
        .client
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier("https://api.example.com")
        .send()
        .await
        .expect("DescribeResourceServer");
    assert_eq!(described.resource_server(), Some(rs));

    for id in ["orders", "billing"] {
        app.client
            .create_resource_server()
            .user_pool_id(&pool)
            .identifier(id)
            .name(id)
            .send()
            .await
            .expect("CreateResourceServer");
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = app
            .client
            .list_resource_servers()
            .user_pool_id(&pool)
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .expect("ListResourceServers");
        assert!(page.resource_servers().len() <= 2);
        seen.extend(
            page.resource_servers()
                .iter()
                .map(|s| s.identifier().unwrap_or_default().to_string()),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, vec!["https://api.example.com", "orders", "billing"]);
    assert_sdk_err(
        app.client
            .list_resource_servers()
            .user_pool_id(&pool)
            .max_results(2)
            .next_token("bm90LWEtc2VydmVy")
            .send()
            .await,
        "InvalidParameterException",
        "Invalid pagination token.",
    );

    app.client
        .delete_resource_server()
        .user_pool_id(&pool)
        .identifier("orders")
        .send()
        .await
        .expect("DeleteResourceServer");
    assert_sdk_err(
        app.client
            .describe_resource_server()
            .user_pool_id(&pool)
            .identifier("orders")
            .send()
            .await,
        "ResourceNotFoundException",
        "Resource server orders does not exist.",
    );
    assert_sdk_err(
        app.client
            .delete_resource_server()
            .user_pool_id(&pool)
            .identifier("orders")
            .send()
            .await,
        "ResourceNotFoundException",
        "Resource server orders does not exist.",
    );
    assert_sdk_err(
        app.client
            .list_resource_servers()
            .user_pool_id("us-east-1_nothere0")
            .max_results(5)
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool us-east-1_nothere0 does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_clients_may_only_be_given_scopes_that_exist() {
    let app = spawn_app().await;
    let pool = app.create_pool("scopes").await;
    let create = |scopes: Vec<&str>| {
        app.client
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("m2m")
            .set_allowed_o_auth_scopes(Some(scopes.into_iter().map(String::from).collect()))
            .send()
    };
    assert_sdk_err(
        create(vec!["openid", "orders/read"]).await,
        "ScopeDoesNotExistException",
        "Invalid scope requested: orders/read",
    );
    // The console's old name for the admin scope is not a scope (awsdocs CloudFormation #564).
    assert_sdk_err(
        create(vec!["Cognito"]).await,
        "ScopeDoesNotExistException",
        "Invalid scope requested: Cognito",
    );
    app.client
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("orders")
        .name("orders")
        .scopes(scope("read"))
        .send()
        .await
        .expect("CreateResourceServer");
    let client = create(vec![
        "openid",
        "email",
        "phone",
        "profile",
        "aws.cognito.signin.user.admin",
        "orders/read",
    ])
    .await
    .expect("standard and defined scopes");
    let client_id = client
        .user_pool_client()
        .and_then(|c| c.client_id())
        .unwrap_or_default()
        .to_string();
    assert_sdk_err(
        app.client
            .update_user_pool_client()
            .user_pool_id(&pool)
            .client_id(&client_id)
            .allowed_o_auth_scopes("orders/write")
            .send()
            .await,
        "ScopeDoesNotExistException",
        "Invalid scope requested: orders/write",
    );
}

// Client secrets

/// `jane`'s USER_PASSWORD_AUTH sign-in with the SECRET_HASH computed from `secret`: Ok, or the
/// error's code and message.
async fn jane_signs_in_with_secret(
    app: &TestApp,
    client: &str,
    secret: &str,
) -> Result<(), (String, String)> {
    app.client
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "jane")
        .auth_parameters("PASSWORD", PASSWORD)
        .auth_parameters("SECRET_HASH", secret_hash::compute(secret, "jane", client))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| err_code(&e))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_client_accepts_either_secret_until_the_old_one_is_deleted() {
    let app = spawn_app().await;
    let pool = app.create_pool("rotation").await;
    let (client, old_secret) = app.create_client_with_secret(&pool).await;
    app.confirmed_user(&pool, "jane", PASSWORD, &[]).await;

    let listed = app
        .call(
            "ListUserPoolClientSecrets",
            json!({ "UserPoolId": pool, "ClientId": client }),
        )
        .await;
    let secrets = listed["ClientSecrets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(secrets.len(), 1);
    let old_id = secrets[0]["ClientSecretId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(old_id.starts_with(&format!("{client}--")), "{old_id}");
    assert!(secrets[0].get("ClientSecretValue").is_none());

    app.advance_clock(5).await;
    let added = app
        .client
        .add_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .expect("AddUserPoolClientSecret");
    let descriptor = added.client_secret_descriptor().expect("descriptor");
    let new_secret = descriptor
        .client_secret_value()
        .expect("a generated secret is shown once")
        .to_string();
    let new_id = descriptor
        .client_secret_id()
        .unwrap_or_default()
        .to_string();
    assert_ne!(new_id, old_id);
    assert!(descriptor.client_secret_create_date().is_some());

    jane_signs_in_with_secret(&app, &client, &old_secret)
        .await
        .expect("the old secret still works");
    jane_signs_in_with_secret(&app, &client, &new_secret)
        .await
        .expect("the new secret works");
    let described = app
        .call(
            "DescribeUserPoolClient",
            json!({ "UserPoolId": pool, "ClientId": client }),
        )
        .await;
    assert_eq!(described["UserPoolClient"]["ClientSecret"], old_secret);

    let listed = app
        .client
        .list_user_pool_client_secrets()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .expect("ListUserPoolClientSecrets");
    let ids: Vec<_> = listed
        .client_secrets()
        .iter()
        .map(|s| s.client_secret_id().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids, vec![old_id.clone(), new_id.clone()]);
    assert!(listed
        .client_secrets()
        .iter()
        .all(|s| s.client_secret_value().is_none()));

    let (code, _) = expect_err(
        app.client
            .add_user_pool_client_secret()
            .user_pool_id(&pool)
            .client_id(&client)
            .client_secret("a_third_secret_of_24_chars_or_more")
            .send()
            .await,
    );
    assert_eq!(code, "LimitExceededException");

    app.client
        .delete_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(&client)
        .client_secret_id(&old_id)
        .send()
        .await
        .expect("DeleteUserPoolClientSecret");
    assert_eq!(
        jane_signs_in_with_secret(&app, &client, &old_secret).await,
        Err((
            "NotAuthorizedException".into(),
            format!("Unable to verify secret hash for client {client}")
        ))
    );
    jane_signs_in_with_secret(&app, &client, &new_secret)
        .await
        .expect("the new secret works");
    let described = app
        .call(
            "DescribeUserPoolClient",
            json!({ "UserPoolId": pool, "ClientId": client }),
        )
        .await;
    assert_eq!(described["UserPoolClient"]["ClientSecret"], new_secret);
    let (code, _) = expect_err(
        app.client
            .delete_user_pool_client_secret()
            .user_pool_id(&pool)
            .client_id(&client)
            .client_secret_id(&new_id)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    let (code, _) = expect_err(
        app.client
            .delete_user_pool_client_secret()
            .user_pool_id(&pool)
            .client_id(&client)
            .client_secret_id(&old_id)
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");

    // A secret chosen by the caller is not echoed.
    let added = app
        .client
        .add_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(&client)
        .client_secret("my_own_secret_of_24_chars_plus")
        .send()
        .await
        .expect("AddUserPoolClientSecret");
    let descriptor = added.client_secret_descriptor().expect("descriptor");
    assert!(descriptor.client_secret_value().is_none());
    jane_signs_in_with_secret(&app, &client, "my_own_secret_of_24_chars_plus")
        .await
        .expect("the chosen secret works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_clients_and_unknown_clients_have_no_secrets_to_rotate() {
    let app = spawn_app().await;
    let pool = app.create_pool("public").await;
    let client = app.create_client(&pool).await;
    let (code, _) = expect_err(
        app.client
            .add_user_pool_client_secret()
            .user_pool_id(&pool)
            .client_id(&client)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    let listed = app
        .call(
            "ListUserPoolClientSecrets",
            json!({ "UserPoolId": pool, "ClientId": client }),
        )
        .await;
    assert_eq!(listed, json!({"ClientSecrets": []}));
    assert_sdk_err(
        app.client
            .list_user_pool_client_secrets()
            .user_pool_id(&pool)
            .client_id("nosuchclient")
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool client nosuchclient does not exist.",
    );
}

// Threat protection

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn risk_configurations_need_threat_protection_and_clients_inherit_the_pools() {
    let app = spawn_app().await;
    let plain = app.create_pool("plain").await;
    let (code, _) = expect_err(
        app.client
            .describe_risk_configuration()
            .user_pool_id(&plain)
            .send()
            .await,
    );
    assert_eq!(code, "UserPoolAddOnNotEnabledException");
    let (code, _) = expect_err(
        app.client
            .set_risk_configuration()
            .user_pool_id(&plain)
            .send()
            .await,
    );
    assert_eq!(code, "UserPoolAddOnNotEnabledException");

    let pool = app
        .create_pool_with(json!({
            "PoolName": "protected",
            "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"}
        }))
        .await;
    let client = app.create_client(&pool).await;
    let described = app
        .call("DescribeRiskConfiguration", json!({ "UserPoolId": pool }))
        .await;
    assert_eq!(
        described,
        json!({"RiskConfiguration": {"UserPoolId": pool}})
    );

    let set = app
        .client
        .set_risk_configuration()
        .user_pool_id(&pool)
        .compromised_credentials_risk_configuration(
            CompromisedCredentialsRiskConfigurationType::builder()
                .event_filter(EventFilterType::SignIn)
                .actions(
                    CompromisedCredentialsActionsType::builder()
                        .event_action(CompromisedCredentialsEventActionType::Block)
                        .build()
                        .expect("actions"),
                )
                .build(),
        )
        .risk_exception_configuration(
            RiskExceptionConfigurationType::builder()
                .blocked_ip_range_list("192.0.2.0/24")
                .build(),
        )
        .send()
        .await
        .expect("SetRiskConfiguration");
    let rc = set.risk_configuration().expect("RiskConfiguration");
    assert_eq!(rc.user_pool_id(), Some(pool.as_str()));
    assert_eq!(rc.client_id(), None);
    let described = app
        .call("DescribeRiskConfiguration", json!({ "UserPoolId": pool }))
        .await;
    let rc = &described["RiskConfiguration"];
    assert_eq!(
        rc["CompromisedCredentialsRiskConfiguration"],
        json!({"EventFilter": ["SIGN_IN"], "Actions": {"EventAction": "BLOCK"}})
    );
    assert_eq!(
        rc["RiskExceptionConfiguration"],
        json!({"BlockedIPRangeList": ["192.0.2.0/24"]})
    );
    assert!(rc["LastModifiedDate"].is_number());

    // The client inherits the pool's configuration until it has its own.
    let inherited = app
        .call(
            "DescribeRiskConfiguration",
            json!({ "UserPoolId": pool, "ClientId": client }),
        )
        .await;
    assert_eq!(inherited["RiskConfiguration"]["ClientId"], client.as_str());
    assert_eq!(
        inherited["RiskConfiguration"]["RiskExceptionConfiguration"],
        json!({"BlockedIPRangeList": ["192.0.2.0/24"]})
    );
    app.call(
        "SetRiskConfiguration",
        json!({ "UserPoolId": pool, "ClientId": client,
                "RiskExceptionConfiguration": {"SkippedIPRangeList": ["198.51.100.0/24"]} }),
    )
    .await;
    let own = app
        .call(
            "DescribeRiskConfiguration",
            json!({ "UserPoolId": pool, "ClientId": client }),
        )
        .await;
    assert_eq!(
        own["RiskConfiguration"]["RiskExceptionConfiguration"],
        json!({"SkippedIPRangeList": ["198.51.100.0/24"]})
    );
    assert!(own["RiskConfiguration"]
        .get("CompromisedCredentialsRiskConfiguration")
        .is_none());
    // Ids only: the client inherits again, the pool returns to the defaults.
    app.call(
        "SetRiskConfiguration",
        json!({ "UserPoolId": pool, "ClientId": client }),
    )
    .await;
    let inherited = app
        .call(
            "DescribeRiskConfiguration",
            json!({ "UserPoolId": pool, "ClientId": client }),
        )
        .await;
    assert_eq!(
        inherited["RiskConfiguration"]["RiskExceptionConfiguration"],
        json!({"BlockedIPRangeList": ["192.0.2.0/24"]})
    );
    app.call("SetRiskConfiguration", json!({ "UserPoolId": pool }))
        .await;
    let reset = app
        .call("DescribeRiskConfiguration", json!({ "UserPoolId": pool }))
        .await;
    assert!(reset["RiskConfiguration"]
        .get("RiskExceptionConfiguration")
        .is_none());
    assert_sdk_err(
        app.client
            .describe_risk_configuration()
            .user_pool_id(&pool)
            .client_id("nosuchclient")
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool client nosuchclient does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_give_feedback_on_their_events_with_the_feedback_token() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({
            "PoolName": "feedback",
            "UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"}
        }))
        .await;
    let client = app.create_client(&pool).await;
    app.confirmed_user(&pool, "jane", PASSWORD, &[]).await;
    app.client
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "jane")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("sign-in");
    let events = app
        .client
        .admin_list_user_auth_events()
        .user_pool_id(&pool)
        .username("jane")
        .send()
        .await
        .expect("AdminListUserAuthEvents");
    let event_id = events.auth_events()[0]
        .event_id()
        .unwrap_or_default()
        .to_string();
    let user = app
        .call(
            "AdminGetUser",
            json!({ "UserPoolId": pool, "Username": "jane" }),
        )
        .await;
    let sub = user["UserAttributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["Name"] == "sub"))
        .and_then(|x| x["Value"].as_str())
        .unwrap_or_default()
        .to_string();
    let token =
        cognito_emulator::ops::pool_config::feedback_token(&app.state, &pool, &sub, &event_id)
            .await
            .expect("a feedback token");
    let feedback = |event: &str, token: &str| {
        app.client
            .update_auth_event_feedback()
            .user_pool_id(&pool)
            .username("jane")
            .event_id(event)
            .feedback_token(token)
            .feedback_value(FeedbackValueType::Invalid)
            .send()
    };
    assert_sdk_err(
        feedback(&event_id, "not.a.token").await,
        "NotAuthorizedException",
        "Invalid feedback token.",
    );
    assert_sdk_err(
        feedback("another-event", &token).await,
        "NotAuthorizedException",
        "Invalid feedback token.",
    );
    feedback(&event_id, &token)
        .await
        .expect("UpdateAuthEventFeedback");
    let events = app
        .client
        .admin_list_user_auth_events()
        .user_pool_id(&pool)
        .username("jane")
        .send()
        .await
        .expect("AdminListUserAuthEvents");
    let recorded = events.auth_events()[0]
        .event_feedback()
        .expect("feedback recorded");
    assert_eq!(recorded.feedback_value().as_str(), "Invalid");
    assert_eq!(recorded.provider(), "User");
    assert_sdk_err(
        app.client
            .update_auth_event_feedback()
            .user_pool_id(&pool)
            .username("nobody")
            .event_id(&event_id)
            .feedback_token(&token)
            .feedback_value(FeedbackValueType::Valid)
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );
}

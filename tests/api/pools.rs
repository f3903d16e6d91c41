//! User pools and app clients through the AWS SDK for Rust (so every answer also proves that a
//! real SDK can parse it), plus the per-pool JWKS and discovery documents.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, AttributeDataType, DeletionProtectionType, ExplicitAuthFlowsType,
    PasswordPolicyType, SchemaAttributeType, SoftwareTokenMfaConfigType, TimeUnitsType,
    TokenValidityUnitsType, UserPoolMfaType, UserPoolPolicyType, UsernameAttributeType,
    VerifiedAttributeType,
};
use cognito_emulator::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashSet;

fn is_pool_id(id: &str) -> bool {
    match id.split_once('_') {
        Some((region, rest)) => {
            region == "us-east-1"
                && rest.len() == 9
                && rest.chars().all(|c| c.is_ascii_alphanumeric())
        }
        None => false,
    }
}

fn is_lower_alnum(s: &str, len: usize) -> bool {
    s.len() == len
        && s.chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
}

async fn sdk_pool(app: &TestApp, name: &str) -> String {
    app.client
        .create_user_pool()
        .pool_name(name)
        .send()
        .await
        .expect("CreateUserPool succeeds")
        .user_pool()
        .and_then(|p| p.id())
        .expect("a pool id")
        .to_string()
}

fn all_flows() -> Vec<ExplicitAuthFlowsType> {
    vec![
        ExplicitAuthFlowsType::AllowUserSrpAuth,
        ExplicitAuthFlowsType::AllowUserPasswordAuth,
        ExplicitAuthFlowsType::AllowRefreshTokenAuth,
    ]
}

// ---------------------------------------------------------------------------------------------
// User pools

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_pool_can_be_described_with_the_sdk() {
    let app = spawn_app().await;
    let id = sdk_pool(&app, "my-pool").await;
    let described = app
        .client
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .expect("DescribeUserPool succeeds");
    let pool = described.user_pool().expect("a pool");
    assert_eq!(pool.name(), Some("my-pool"));
    assert_eq!(pool.id(), Some(id.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_ids_are_the_region_one_underscore_and_nine_alphanumerics() {
    let app = spawn_app().await;
    let mut seen = HashSet::new();
    for i in 0..20 {
        let id = sdk_pool(&app, &format!("p{i}")).await;
        assert!(is_pool_id(&id), "{id}");
        assert_eq!(id.matches('_').count(), 1, "{id}");
        assert!(seen.insert(id), "pool ids repeat");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_pool_reports_cognitos_defaults() {
    let app = spawn_app().await;
    let id = app.create_pool("defaults").await;
    let body = app
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await;
    let pool = &body["UserPool"];
    assert_eq!(pool["Id"], id.as_str());
    assert_eq!(pool["Name"], "defaults");
    assert_eq!(
        pool["Arn"],
        format!("arn:aws:cognito-idp:us-east-1:123456789012:userpool/{id}")
    );
    assert_eq!(
        pool["Policies"]["PasswordPolicy"],
        json!({
            "MinimumLength": 8,
            "RequireUppercase": true,
            "RequireLowercase": true,
            "RequireNumbers": true,
            "RequireSymbols": true,
            "TemporaryPasswordValidityDays": 7
        })
    );
    assert_eq!(pool["DeletionProtection"], "INACTIVE");
    assert_eq!(pool["MfaConfiguration"], "OFF");
    assert_eq!(pool["EstimatedNumberOfUsers"], 0);
    assert_eq!(
        pool["VerificationMessageTemplate"]["DefaultEmailOption"],
        "CONFIRM_WITH_CODE"
    );
    assert_eq!(
        pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"],
        false
    );
    assert_eq!(
        pool["AdminCreateUserConfig"]["UnusedAccountValidityDays"],
        7
    );
    assert_eq!(
        pool["EmailConfiguration"]["EmailSendingAccount"],
        "COGNITO_DEFAULT"
    );
    assert!(pool["CreationDate"].is_number(), "{pool}");
    assert!(pool["LastModifiedDate"].is_number(), "{pool}");
    let names: Vec<&str> = pool["SchemaAttributes"]
        .as_array()
        .expect("a schema")
        .iter()
        .filter_map(|a| a["Name"].as_str())
        .collect();
    for std in [
        "sub",
        "email",
        "email_verified",
        "phone_number",
        "name",
        "updated_at",
    ] {
        assert!(names.contains(&std), "{std} missing from {names:?}");
    }
    // Nothing is sent as null: absent members are omitted.
    assert!(!body.to_string().contains("null"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_with_every_setting_round_trips_through_the_sdk() {
    let app = spawn_app().await;
    let created = app
        .client
        .create_user_pool()
        .pool_name("full")
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(12)
                        .require_numbers(true)
                        .temporary_password_validity_days(3)
                        .build(),
                )
                .build(),
        )
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .username_attributes(UsernameAttributeType::Email)
        .deletion_protection(DeletionProtectionType::Active)
        .schema(
            SchemaAttributeType::builder()
                .name("tenant")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("age")
                .attribute_data_type(AttributeDataType::Number)
                .build(),
        )
        .user_pool_tags("team", "auth")
        .send()
        .await
        .expect("CreateUserPool succeeds");
    let id = created.user_pool().and_then(|p| p.id()).unwrap_or_default();
    let pool = app
        .client
        .describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .expect("DescribeUserPool succeeds")
        .user_pool
        .expect("a pool");
    let pp = pool
        .policies()
        .and_then(|p| p.password_policy())
        .expect("a password policy");
    assert_eq!(pp.minimum_length(), Some(12));
    assert!(pp.require_numbers());
    assert!(!pp.require_uppercase());
    assert_eq!(pp.temporary_password_validity_days(), 3);
    assert_eq!(
        pool.auto_verified_attributes(),
        &[VerifiedAttributeType::Email]
    );
    assert_eq!(pool.username_attributes(), &[UsernameAttributeType::Email]);
    assert_eq!(
        pool.deletion_protection(),
        Some(&DeletionProtectionType::Active)
    );
    assert_eq!(
        pool.user_pool_tags()
            .and_then(|t| t.get("team"))
            .map(String::as_str),
        Some("auth")
    );
    let schema = pool.schema_attributes();
    let tenant = schema
        .iter()
        .find(|a| a.name() == Some("custom:tenant"))
        .expect("custom attributes get the custom: prefix");
    assert_eq!(
        tenant.attribute_data_type(),
        Some(&AttributeDataType::String)
    );
    assert_eq!(tenant.mutable(), Some(true));
    assert!(schema.iter().any(|a| a.name() == Some("custom:age")
        && a.attribute_data_type() == Some(&AttributeDataType::Number)));
    assert!(!schema.iter().any(|a| a.name() == Some("tenant")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn username_attributes_and_alias_attributes_cannot_both_be_set() {
    let app = spawn_app().await;
    assert_sdk_err(app.client
            .create_user_pool()
            .pool_name("both")
            .username_attributes(UsernameAttributeType::Email)
            .alias_attributes(AliasAttributeType::PreferredUsername)
            .send()
            .await, "InvalidParameterException", "Only one of the aliasAttributes or usernameAttributes parameter can be set in a User Pool.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_custom_attribute_is_refused() {
    let app = spawn_app().await;
    assert_sdk_err(
        app.client
            .create_user_pool()
            .pool_name("req")
            .schema(
                SchemaAttributeType::builder()
                    .name("tenant")
                    .attribute_data_type(AttributeDataType::String)
                    .required(true)
                    .build(),
            )
            .send()
            .await,
        "InvalidParameterException",
        "Required custom attributes are not supported currently.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_minimum_below_six_is_a_validation_error() {
    let app = spawn_app().await;
    let (_, code, message) = app
        .call_err(
            "CreateUserPool",
            json!({"PoolName": "weak", "Policies": {"PasswordPolicy": {"MinimumLength": 4}}}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    assert!(
        message.starts_with(
            "1 validation error detected: Value '4' at 'policies.passwordPolicy.minimumLength'"
        ),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_user_pools_pages_through_every_pool_once_in_creation_order() {
    let app = spawn_app().await;
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(sdk_pool(&app, &format!("pool-{i}")).await);
    }
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = app
            .client
            .list_user_pools()
            .max_results(3)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("ListUserPools succeeds");
        pages += 1;
        assert!(page.user_pools().len() <= 3);
        for p in page.user_pools() {
            listed.push(p.id().unwrap_or_default().to_string());
            assert!(p.name().is_some_and(|n| n.starts_with("pool-")));
            assert!(p.creation_date().is_some());
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(listed, created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_paginator_walks_user_pools() {
    let app = spawn_app().await;
    for i in 0..5 {
        sdk_pool(&app, &format!("pg-{i}")).await;
    }
    let pages: Vec<_> = app
        .client
        .list_user_pools()
        .max_results(2)
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    let total: usize = pages
        .iter()
        .map(|p| p.as_ref().map(|p| p.user_pools().len()).unwrap_or(0))
        .sum();
    assert_eq!(total, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_pagination_token_is_refused() {
    let app = spawn_app().await;
    let (code, message) = expect_err(
        app.client
            .list_user_pools()
            .max_results(5)
            .next_token("not-a-token")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert!(!message.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_user_pool_changes_the_pool_and_its_modification_date() {
    let app = spawn_app().await;
    let id = app.create_pool("before").await;
    let before = app
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await;
    app.advance_clock(3600).await;
    app.client
        .update_user_pool()
        .user_pool_id(&id)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(PasswordPolicyType::builder().minimum_length(10).build())
                .build(),
        )
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .user_pool_tags("env", "test")
        .send()
        .await
        .expect("UpdateUserPool succeeds");
    let after = app
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await;
    let (b, a) = (&before["UserPool"], &after["UserPool"]);
    assert_eq!(a["Policies"]["PasswordPolicy"]["MinimumLength"], 10);
    assert_eq!(a["AutoVerifiedAttributes"], json!(["email"]));
    assert_eq!(a["UserPoolTags"], json!({"env": "test"}));
    assert_eq!(a["Name"], "before");
    assert_eq!(a["CreationDate"], b["CreationDate"]);
    let delta = a["LastModifiedDate"].as_f64().unwrap_or_default()
        - b["LastModifiedDate"].as_f64().unwrap_or_default();
    assert!((3590.0..3700.0).contains(&delta), "{delta}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_user_pool_resets_members_left_out() {
    let app = spawn_app().await;
    let id = app
        .create_pool_with(json!({"PoolName": "p", "AutoVerifiedAttributes": ["email"], "UserPoolTags": {"a": "b"}}))
        .await;
    app.call("UpdateUserPool", json!({"UserPoolId": id})).await;
    let pool = app
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await;
    assert!(
        pool["UserPool"].get("AutoVerifiedAttributes").is_none(),
        "{pool}"
    );
    assert_eq!(
        pool["UserPool"]["Policies"]["PasswordPolicy"]["MinimumLength"],
        8
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_pool_is_gone() {
    let app = spawn_app().await;
    let id = sdk_pool(&app, "gone").await;
    app.client
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .expect("DeleteUserPool succeeds");
    let (code, message) = expect_err(
        app.client
            .describe_user_pool()
            .user_pool_id(&id)
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, format!("User pool {id} does not exist."));
    assert_sdk_code(
        app.client.delete_user_pool().user_pool_id(&id).send().await,
        "ResourceNotFoundException",
    );
    let (status, _, _) = app.get(&format!("/{id}/.well-known/jwks.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletion_protection_keeps_a_pool_until_it_is_turned_off() {
    let app = spawn_app().await;
    let id = app
        .create_pool_with(json!({"PoolName": "keep", "DeletionProtection": "ACTIVE"}))
        .await;
    assert_sdk_err(app.client.delete_user_pool().user_pool_id(&id).send().await, "InvalidParameterException", "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.");
    app.client
        .update_user_pool()
        .user_pool_id(&id)
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .expect("UpdateUserPool succeeds");
    app.client
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .expect("DeleteUserPool succeeds once protection is off");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_pool_deletes_its_clients() {
    let app = spawn_app().await;
    let id = app.create_pool("with-client").await;
    let client = app.create_client(&id).await;
    app.call("DeleteUserPool", json!({"UserPoolId": id})).await;
    let other = app.create_pool("other").await;
    let (_, code, _) = app
        .call_err(
            "DescribeUserPoolClient",
            json!({"UserPoolId": other, "ClientId": client}),
        )
        .await;
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_pool_operation_names_a_missing_pool_the_same_way() {
    let app = spawn_app().await;
    let missing = "us-east-1_MISSING00";
    let expected = format!("User pool {missing} does not exist.");
    for (op, body) in [
        ("DescribeUserPool", json!({"UserPoolId": missing})),
        ("UpdateUserPool", json!({"UserPoolId": missing})),
        ("DeleteUserPool", json!({"UserPoolId": missing})),
        ("GetUserPoolMfaConfig", json!({"UserPoolId": missing})),
        (
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": missing, "MfaConfiguration": "OFF"}),
        ),
        (
            "CreateUserPoolClient",
            json!({"UserPoolId": missing, "ClientName": "c"}),
        ),
        (
            "ListUserPoolClients",
            json!({"UserPoolId": missing, "MaxResults": 10}),
        ),
    ] {
        let (status, code, message) = app.call_err(op, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{op}");
        assert_eq!(code, "ResourceNotFoundException", "{op}");
        assert_eq!(message, expected, "{op}");
    }
}

// ---------------------------------------------------------------------------------------------
// MFA configuration

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_pool_has_mfa_off() {
    let app = spawn_app().await;
    let id = sdk_pool(&app, "mfa").await;
    let mfa = app
        .client
        .get_user_pool_mfa_config()
        .user_pool_id(&id)
        .send()
        .await
        .expect("GetUserPoolMfaConfig succeeds");
    assert_eq!(mfa.mfa_configuration(), Some(&UserPoolMfaType::Off));
    assert!(mfa.software_token_mfa_configuration().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_mfa_configuration_round_trips() {
    let app = spawn_app().await;
    let id = sdk_pool(&app, "mfa").await;
    let set = app
        .client
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .expect("SetUserPoolMfaConfig succeeds");
    assert_eq!(set.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    let got = app
        .client
        .get_user_pool_mfa_config()
        .user_pool_id(&id)
        .send()
        .await
        .expect("GetUserPoolMfaConfig succeeds");
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert_eq!(
        got.software_token_mfa_configuration().map(|s| s.enabled()),
        Some(true)
    );
    let pool = app
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await;
    assert_eq!(pool["UserPool"]["MfaConfiguration"], "OPTIONAL");

    // And back off.
    app.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": id, "MfaConfiguration": "OFF"}),
    )
    .await;
    let pool = app
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await;
    assert_eq!(pool["UserPool"]["MfaConfiguration"], "OFF");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mfa_cannot_be_required_without_a_factor() {
    let app = spawn_app().await;
    let id = app.create_pool("mfa").await;
    let (_, code, message) = app
        .call_err(
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": id, "MfaConfiguration": "ON"}),
        )
        .await;
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled."
    );
    let pool = app
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await;
    assert_eq!(pool["UserPool"]["MfaConfiguration"], "OFF");
}

// ---------------------------------------------------------------------------------------------
// App clients

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_id_is_26_lowercase_alphanumerics_and_has_no_secret_by_default() {
    let app = spawn_app().await;
    let pool = sdk_pool(&app, "clients").await;
    let created = app
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .send()
        .await
        .expect("CreateUserPoolClient succeeds");
    let c = created.user_pool_client().expect("a client");
    let id = c.client_id().unwrap_or_default();
    assert!(is_lower_alnum(id, 26), "{id}");
    assert!(c.client_secret().is_none());
    assert_eq!(c.user_pool_id(), Some(pool.as_str()));
    assert_eq!(c.client_name(), Some("web"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_secret_is_long_random_and_described_again() {
    let app = spawn_app().await;
    let pool = app.create_pool("secret").await;
    let (id, secret) = app.create_client_with_secret(&pool).await;
    assert!(is_lower_alnum(&secret, 51), "{secret}");
    let (_, other) = app.create_client_with_secret(&pool).await;
    assert_ne!(secret, other);
    let described = app
        .client
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .send()
        .await
        .expect("DescribeUserPoolClient succeeds");
    assert_eq!(
        described.user_pool_client().and_then(|c| c.client_secret()),
        Some(secret.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_client_reports_cognitos_defaults() {
    let app = spawn_app().await;
    let pool = app.create_pool("defaults").await;
    let c = app
        .create_client_with(json!({"UserPoolId": pool, "ClientName": "d"}))
        .await;
    assert_eq!(c["RefreshTokenValidity"], 30);
    assert_eq!(c["TokenValidityUnits"]["RefreshToken"], "days");
    assert_eq!(c["AllowedOAuthFlowsUserPoolClient"], false);
    assert_eq!(c["EnableTokenRevocation"], true);
    assert_eq!(c["EnablePropagateAdditionalUserContextData"], false);
    assert_eq!(c["AuthSessionValidity"], 3);
    assert!(c["CreationDate"].is_number());
    assert!(c["LastModifiedDate"].is_number());
    assert!(!c.to_string().contains("null"), "{c}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicit_auth_flows_without_refresh_are_refused() {
    let app = spawn_app().await;
    let pool = sdk_pool(&app, "flows").await;
    assert_sdk_err(
        app.client
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("no-refresh")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .send()
            .await,
        "InvalidParameterException",
        "REFRESH_TOKEN_AUTH should always be allowed.",
    );

    let ok = app
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("ok")
        .set_explicit_auth_flows(Some(all_flows()))
        .send()
        .await
        .expect("CreateUserPoolClient succeeds");
    assert_eq!(
        ok.user_pool_client()
            .map(|c| c.explicit_auth_flows().to_vec()),
        Some(all_flows())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_validities_within_limits_are_kept() {
    let app = spawn_app().await;
    let pool = app.create_pool("validity").await;
    let c = app
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("v")
        .access_token_validity(5)
        .id_token_validity(1)
        .refresh_token_validity(60)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Minutes)
                .id_token(TimeUnitsType::Hours)
                .refresh_token(TimeUnitsType::Minutes)
                .build(),
        )
        .send()
        .await
        .expect("the limits themselves are allowed")
        .user_pool_client
        .expect("a client");
    assert_eq!(c.access_token_validity(), Some(5));
    assert_eq!(c.id_token_validity(), Some(1));
    assert_eq!(c.refresh_token_validity(), 60);
    let units = c.token_validity_units().expect("units");
    assert_eq!(units.access_token(), Some(&TimeUnitsType::Minutes));
    assert_eq!(units.refresh_token(), Some(&TimeUnitsType::Minutes));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_validities_outside_cognitos_limits_are_refused() {
    let app = spawn_app().await;
    let pool = app.create_pool("validity").await;
    for (label, extra) in [
        (
            "access 4 minutes",
            json!({"AccessTokenValidity": 4, "TokenValidityUnits": {"AccessToken": "minutes"}}),
        ),
        ("access 25 hours", json!({"AccessTokenValidity": 25})),
        (
            "id 2 days",
            json!({"IdTokenValidity": 2, "TokenValidityUnits": {"IdToken": "days"}}),
        ),
        (
            "refresh 59 minutes",
            json!({"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}}),
        ),
        ("refresh 3651 days", json!({"RefreshTokenValidity": 3651})),
    ] {
        let mut body = json!({"UserPoolId": pool, "ClientName": "bad"});
        for (k, v) in extra.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        let (status, code, message) = app.call_err("CreateUserPoolClient", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}");
        assert_eq!(code, "InvalidParameterException", "{label}");
        assert_eq!(message, "Invalid range for token validity.", "{label}");
    }
    let listed = app
        .call(
            "ListUserPoolClients",
            json!({"UserPoolId": pool, "MaxResults": 60}),
        )
        .await;
    assert_eq!(listed["UserPoolClients"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_user_pool_clients_pages_through_every_client() {
    let app = spawn_app().await;
    let pool = app.create_pool("many").await;
    let mut created = HashSet::new();
    for _ in 0..5 {
        created.insert(app.create_client(&pool).await);
    }
    // A client of another pool must not show up.
    let other = app.create_pool("other").await;
    app.create_client(&other).await;

    let mut listed = HashSet::new();
    let mut token: Option<String> = None;
    loop {
        let page = app
            .client
            .list_user_pool_clients()
            .user_pool_id(&pool)
            .max_results(2)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("ListUserPoolClients succeeds");
        for c in page.user_pool_clients() {
            assert_eq!(c.user_pool_id(), Some(pool.as_str()));
            assert!(listed.insert(c.client_id().unwrap_or_default().to_string()));
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(listed, created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_user_pool_client_replaces_the_settings() {
    let app = spawn_app().await;
    let pool = app.create_pool("upd").await;
    let id = app.create_client(&pool).await;
    app.advance_clock(60).await;
    let updated = app
        .client
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .client_name("renamed")
        .access_token_validity(2)
        .set_explicit_auth_flows(Some(all_flows()))
        .send()
        .await
        .expect("UpdateUserPoolClient succeeds")
        .user_pool_client
        .expect("a client");
    assert_eq!(updated.client_name(), Some("renamed"));
    assert_eq!(updated.access_token_validity(), Some(2));
    assert_eq!(updated.explicit_auth_flows(), all_flows().as_slice());
    assert!(updated.last_modified_date() > updated.creation_date());
    let described = app
        .call(
            "DescribeUserPoolClient",
            json!({"UserPoolId": pool, "ClientId": id}),
        )
        .await;
    assert_eq!(described["UserPoolClient"]["ClientName"], "renamed");
    assert_eq!(described["UserPoolClient"]["AccessTokenValidity"], 2);

    assert_sdk_err(
        app.client
            .update_user_pool_client()
            .user_pool_id(&pool)
            .client_id(&id)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .send()
            .await,
        "InvalidParameterException",
        "REFRESH_TOKEN_AUTH should always be allowed.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_client_is_gone() {
    let app = spawn_app().await;
    let pool = app.create_pool("del").await;
    let id = app.create_client(&pool).await;
    app.client
        .delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .send()
        .await
        .expect("DeleteUserPoolClient succeeds");
    let (code, message) = expect_err(
        app.client
            .describe_user_pool_client()
            .user_pool_id(&pool)
            .client_id(&id)
            .send()
            .await,
    );
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, format!("User pool client {id} does not exist."));
    assert_sdk_err(
        app.client
            .delete_user_pool_client()
            .user_pool_id(&pool)
            .client_id(&id)
            .send()
            .await,
        "ResourceNotFoundException",
        &format!("User pool client {id} does not exist."),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_is_not_found_through_another_pool() {
    let app = spawn_app().await;
    let a = app.create_pool("a").await;
    let b = app.create_pool("b").await;
    let id = app.create_client(&a).await;
    for (op, body) in [
        (
            "DescribeUserPoolClient",
            json!({"UserPoolId": b, "ClientId": id}),
        ),
        (
            "UpdateUserPoolClient",
            json!({"UserPoolId": b, "ClientId": id}),
        ),
        (
            "DeleteUserPoolClient",
            json!({"UserPoolId": b, "ClientId": id}),
        ),
    ] {
        let (_, code, message) = app.call_err(op, body).await;
        assert_eq!(code, "ResourceNotFoundException", "{op}");
        assert_eq!(
            message,
            format!("User pool client {id} does not exist."),
            "{op}"
        );
    }
    // Still there in its own pool.
    app.call(
        "DescribeUserPoolClient",
        json!({"UserPoolId": a, "ClientId": id}),
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// JWKS and discovery

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jwks_has_two_distinct_rs256_signing_keys() {
    let app = spawn_app().await;
    let pool = app.create_pool("keys").await;
    let (status, headers, body) = app.get(&format!("/{pool}/.well-known/jwks.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json")));
    let keys = body["keys"].as_array().expect("a keys array");
    assert_eq!(keys.len(), 2, "{body}");
    for k in keys {
        assert_eq!(k["alg"], "RS256");
        assert_eq!(k["kty"], "RSA");
        assert_eq!(k["use"], "sig");
        assert_eq!(k["e"], "AQAB");
        let kid = k["kid"].as_str().unwrap_or_default();
        assert!(!kid.is_empty());
        let n = k["n"].as_str().unwrap_or_default();
        // RSA-2048: 256 bytes of modulus, 342 characters of unpadded base64url.
        assert_eq!(n.len(), 342, "{n}");
        assert!(n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
    assert_ne!(keys[0]["kid"], keys[1]["kid"]);
    assert_ne!(keys[0]["n"], keys[1]["n"]);

    // Stable across fetches, and different per pool.
    let (_, _, again) = app.get(&format!("/{pool}/.well-known/jwks.json")).await;
    assert_eq!(again, body);
    let other = app.create_pool("other").await;
    let (_, _, theirs) = app.get(&format!("/{other}/.well-known/jwks.json")).await;
    let mine: HashSet<_> = keys.iter().map(|k| k["kid"].clone()).collect();
    assert!(theirs["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|k| !mine.contains(&k["kid"])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jwks_of_an_unknown_pool_is_a_404() {
    let app = spawn_app().await;
    let (status, _, _) = app.get("/us-east-1_NOPE00000/.well-known/jwks.json").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app
        .get("/us-east-1_NOPE00000/.well-known/openid-configuration")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openid_configuration_names_the_emulator_as_issuer() {
    let app = spawn_app().await;
    let pool = app.create_pool("oidc").await;
    let (status, _, body) = app
        .get(&format!("/{pool}/.well-known/openid-configuration"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let issuer = format!("{}/{pool}", app.base_url);
    assert_eq!(body["issuer"], issuer.as_str());
    assert_eq!(body["jwks_uri"], format!("{issuer}/.well-known/jwks.json"));
    assert_eq!(
        body["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(body["subject_types_supported"], json!(["public"]));
    assert!(body["token_endpoint"].is_string());
    assert!(body["authorization_endpoint"].is_string());
    // The advertised JWKS is fetchable.
    let jwks_path = body["jwks_uri"]
        .as_str()
        .and_then(|u| u.strip_prefix(&app.base_url))
        .unwrap_or_default()
        .to_string();
    let (status, _, jwks) = app.get(&jwks_path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_url_becomes_the_issuer() {
    let config = Config {
        external_url: Some("http://cognito:9229/".into()),
        ..Config::for_tests()
    };
    let app = spawn_app_with(config).await;
    let pool = app.create_pool("ext").await;
    let (_, _, body) = app
        .get(&format!("/{pool}/.well-known/openid-configuration"))
        .await;
    assert_eq!(body["issuer"], format!("http://cognito:9229/{pool}"));
}

// ---------------------------------------------------------------------------------------------
// Persistence

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pools_clients_and_keys_survive_a_restart_on_the_same_database() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = dir.path().join("emulator.db");
    let config = || Config {
        db: db.to_string_lossy().into_owned(),
        ..Config::for_tests()
    };

    let (first, server) = spawn_server(config()).await;
    let pool = first
        .create_pool_with(json!({
            "PoolName": "durable",
            "UsernameAttributes": ["email"],
            "Schema": [{"Name": "tenant", "AttributeDataType": "String"}]
        }))
        .await;
    let (client, secret) = first.create_client_with_secret(&pool).await;
    first
        .call(
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": pool, "SoftwareTokenMfaConfiguration": {"Enabled": true}, "MfaConfiguration": "OPTIONAL"}),
        )
        .await;
    let described = first
        .call("DescribeUserPool", json!({"UserPoolId": pool}))
        .await;
    let described_client = first
        .call(
            "DescribeUserPoolClient",
            json!({"UserPoolId": pool, "ClientId": client}),
        )
        .await;
    let (_, _, jwks) = first.get(&format!("/{pool}/.well-known/jwks.json")).await;
    server.abort();
    let _ = server.await;
    drop(first);

    let second = spawn_app_with(config()).await;
    assert_eq!(
        second
            .call("DescribeUserPool", json!({"UserPoolId": pool}))
            .await,
        described
    );
    let again = second
        .call(
            "DescribeUserPoolClient",
            json!({"UserPoolId": pool, "ClientId": client}),
        )
        .await;
    assert_eq!(again, described_client);
    assert_eq!(again["UserPoolClient"]["ClientSecret"], secret.as_str());
    let mfa = second
        .call("GetUserPoolMfaConfig", json!({"UserPoolId": pool}))
        .await;
    assert_eq!(mfa["MfaConfiguration"], "OPTIONAL");
    let (_, _, jwks_again) = second.get(&format!("/{pool}/.well-known/jwks.json")).await;
    let kids = |v: &Value| -> Vec<Value> {
        v["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|k| k["kid"].clone())
            .collect()
    };
    assert_eq!(kids(&jwks_again), kids(&jwks));
    assert_eq!(jwks_again, jwks);
}

//! Account lifecycle through the AWS SDK for Rust: forgotten and changed passwords, administrator
//! resets, attribute verification and pending address changes, attribute deletion, the hourly
//! limits, signing in with aliases and username attributes, and the auth-event operations.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::{DeliveryMediumType, FeedbackValueType};
use serde_json::{json, Value};
use std::collections::HashMap;

const PASSWORD: &str = "Passw0rd!";
const NEW_PASSWORD: &str = "N3w-Passw0rd!";

/// A pool from `extra` CreateUserPool members and a public client allowing password sign-in.
async fn pool_with(app: &TestApp, extra: Value) -> (String, String) {
    let mut body = json!({ "PoolName": "account" });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let pool = app.create_pool_with(body).await;
    let client = app.create_client(&pool).await;
    (pool, client)
}

/// USER_PASSWORD_AUTH through the SDK: the access token, or the error's (code, message).
async fn sign_in(
    app: &TestApp,
    client: &str,
    username: &str,
    password: &str,
) -> Result<String, (String, String)> {
    let out = app
        .password_auth(client, username, password)
        .await
        .map_err(|e| err_code(&e))?;
    Ok(out
        .authentication_result()
        .and_then(|r| r.access_token())
        .unwrap_or_default()
        .to_string())
}

fn other_code(code: &str) -> &'static str {
    if code == "000000" {
        "111111"
    } else {
        "000000"
    }
}

// ---------------------------------------------------------------------------------------------
// ForgotPassword / ConfirmForgotPassword

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_mails_a_code_and_confirming_it_sets_the_new_password() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(&app, json!({})).await;
    app.confirmed_email_user(&pool, "jane", PASSWORD).await;

    let out = app
        .client
        .forgot_password()
        .client_id(&client)
        .username("jane")
        .send()
        .await
        .expect("ForgotPassword");
    let d = out.code_delivery_details().expect("CodeDeliveryDetails");
    assert_eq!(d.destination(), Some("j***@e***"));
    assert_eq!(d.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(d.attribute_name(), Some("email"));
    let messages = app.messages("username=jane&purpose=FORGOT_PASSWORD").await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["destination"], "jane@example.com");
    let code = messages[0]["code"].as_str().expect("a code").to_string();
    assert_eq!(code.len(), 6);
    // Asking for a code changes nothing yet: the old password still signs in.
    assert!(sign_in(&app, &client, "jane", PASSWORD).await.is_ok());

    let confirm = |code: String, password: &'static str| {
        app.client
            .confirm_forgot_password()
            .client_id(&client)
            .username("jane")
            .confirmation_code(code)
            .password(password)
            .send()
    };
    assert_sdk_err(
        confirm(code.clone(), "short").await,
        "InvalidPasswordException",
        "Password does not conform to policy: Password not long enough",
    );
    assert_sdk_err(
        confirm(other_code(&code).into(), NEW_PASSWORD).await,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );
    confirm(code.clone(), NEW_PASSWORD)
        .await
        .expect("ConfirmForgotPassword");
    assert_eq!(
        sign_in(&app, &client, "jane", PASSWORD).await.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    assert!(sign_in(&app, &client, "jane", NEW_PASSWORD).await.is_ok());
    // Single use.
    assert_sdk_err(
        confirm(code, "An0ther-Passw0rd!").await,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_codes_expire_after_an_hour_and_none_pending_is_an_expired_code() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(&app, json!({})).await;
    app.confirmed_email_user(&pool, "jane", PASSWORD).await;
    let confirm = |code: &str| {
        app.client
            .confirm_forgot_password()
            .client_id(&client)
            .username("jane")
            .confirmation_code(code)
            .password(NEW_PASSWORD)
            .send()
    };
    let expired = (
        "ExpiredCodeException".to_string(),
        "Invalid code provided, please request a code again.".to_string(),
    );
    assert_eq!(expect_err(confirm("123456").await), expired);
    app.client
        .forgot_password()
        .client_id(&client)
        .username("jane")
        .send()
        .await
        .expect("ForgotPassword");
    let code = app
        .last_code("jane", Some("FORGOT_PASSWORD"))
        .await
        .expect("code");
    app.advance_clock(3601).await;
    assert_eq!(expect_err(confirm(&code).await), expired);
    assert!(sign_in(&app, &client, "jane", PASSWORD).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_code_dies_after_five_mismatches_and_a_new_one_works() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(&app, json!({})).await;
    app.confirmed_email_user(&pool, "jane", PASSWORD).await;
    let forgot = || {
        app.client
            .forgot_password()
            .client_id(&client)
            .username("jane")
            .send()
    };
    let confirm = |code: String| {
        app.client
            .confirm_forgot_password()
            .client_id(&client)
            .username("jane")
            .confirmation_code(code)
            .password(NEW_PASSWORD)
            .send()
    };
    forgot().await.expect("ForgotPassword");
    let code = app
        .last_code("jane", Some("FORGOT_PASSWORD"))
        .await
        .expect("code");
    for _ in 0..5 {
        assert_sdk_code(
            confirm(other_code(&code).into()).await,
            "CodeMismatchException",
        );
    }
    // Even the right code is refused now (amplify-ui-android#180 saw the same sequence).
    assert_sdk_err(
        confirm(code).await,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    );
    forgot().await.expect("a new code");
    let code = app
        .last_code("jane", Some("FORGOT_PASSWORD"))
        .await
        .expect("code");
    confirm(code).await.expect("the new code works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_refuses_users_it_cannot_reach_or_reset() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(&app, json!({})).await;
    let forgot = |username: &'static str| {
        app.client
            .forgot_password()
            .client_id(&client)
            .username(username)
            .send()
    };
    assert_sdk_err(
        forgot("nobody").await,
        "UserNotFoundException",
        "Username/client id combination not found.",
    );
    app.confirmed_user(&pool, "unverified", PASSWORD, &[("email", "u@example.com")])
        .await;
    assert_sdk_err(forgot("unverified").await, "InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number");
    app.call(
        "AdminCreateUser",
        json!({
            "UserPoolId": pool, "Username": "invited", "MessageAction": "SUPPRESS",
            "UserAttributes": [{"Name": "email", "Value": "i@example.com"}, {"Name": "email_verified", "Value": "true"}]
        }),
    )
    .await;
    assert_sdk_err(
        forgot("invited").await,
        "NotAuthorizedException",
        "User password cannot be reset in the current state.",
    );
    app.confirmed_user(
        &pool,
        "off",
        PASSWORD,
        &[("email", "o@example.com"), ("email_verified", "true")],
    )
    .await;
    app.call(
        "AdminDisableUser",
        json!({"UserPoolId": pool, "Username": "off"}),
    )
    .await;
    assert_sdk_err(
        forgot("off").await,
        "NotAuthorizedException",
        "User is disabled.",
    );
    assert!(app.messages("purpose=FORGOT_PASSWORD").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_hiding_user_existence_answers_unknown_users_plausibly() {
    let app = spawn_app().await;
    let (pool, _) = pool_with(&app, json!({})).await;
    let client = app
        .create_client_with(json!({
            "UserPoolId": pool, "ClientName": "hiding", "PreventUserExistenceErrors": "ENABLED"
        }))
        .await["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let out = app
        .client
        .forgot_password()
        .client_id(&client)
        .username("ghost")
        .send()
        .await
        .expect("a simulated answer");
    let d = out.code_delivery_details().expect("details");
    assert_eq!(d.delivery_medium(), Some(&DeliveryMediumType::Sms));
    assert_eq!(d.destination(), Some("+*******0000"));
    assert_sdk_err(
        app.client
            .confirm_forgot_password()
            .client_id(&client)
            .username("ghost")
            .confirmation_code("123456")
            .password(NEW_PASSWORD)
            .send()
            .await,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );
    assert!(app.messages("").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_codes_follow_the_account_recovery_setting() {
    let app = spawn_app().await;
    let both = [
        ("email", "jane@example.com"),
        ("email_verified", "true"),
        ("phone_number", "+12065551234"),
        ("phone_number_verified", "true"),
    ];
    // Without a setting, Cognito's legacy order: a verified phone number first.
    let (pool, client) = pool_with(&app, json!({})).await;
    app.confirmed_user(&pool, "jane", PASSWORD, &both).await;
    let d = app
        .client
        .forgot_password()
        .client_id(&client)
        .username("jane")
        .send()
        .await
        .expect("ForgotPassword");
    let d = d.code_delivery_details().expect("details");
    assert_eq!(d.destination(), Some("+*******1234"));
    assert_eq!(d.attribute_name(), Some("phone_number"));

    let (pool, client) = pool_with(
        &app,
        json!({"AccountRecoverySetting": {"RecoveryMechanisms": [
            {"Name": "verified_phone_number", "Priority": 2},
            {"Name": "verified_email", "Priority": 1}
        ]}}),
    )
    .await;
    app.confirmed_user(&pool, "jane", PASSWORD, &both).await;
    let d = app
        .client
        .forgot_password()
        .client_id(&client)
        .username("jane")
        .send()
        .await
        .expect("ForgotPassword");
    let d = d.code_delivery_details().expect("details");
    assert_eq!(d.destination(), Some("j***@e***"));
    assert_eq!(d.delivery_medium(), Some(&DeliveryMediumType::Email));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_is_limited_per_user_and_hour() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(&app, json!({})).await;
    app.confirmed_email_user(&pool, "jane", PASSWORD).await;
    let forgot = || {
        app.client
            .forgot_password()
            .client_id(&client)
            .username("jane")
            .send()
    };
    for _ in 0..5 {
        forgot().await.expect("within the limit");
    }
    assert_sdk_err(
        forgot().await,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    );
    // The refused request sent nothing; the last code still works.
    assert_eq!(app.messages("purpose=FORGOT_PASSWORD").await.len(), 5);
    app.advance_clock(3601).await;
    forgot().await.expect("an hour later");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_rate_limits_lifts_the_hourly_limits() {
    let app = spawn_app_with(cognito_emulator::Config {
        no_rate_limits: true,
        ..cognito_emulator::Config::for_tests()
    })
    .await;
    let (pool, client) = pool_with(&app, json!({})).await;
    app.confirmed_email_user(&pool, "jane", PASSWORD).await;
    for _ in 0..8 {
        app.client
            .forgot_password()
            .client_id(&client)
            .username("jane")
            .send()
            .await
            .expect("no limit");
    }
}

// ---------------------------------------------------------------------------------------------
// ChangePassword

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_password_checks_the_previous_password_and_the_policy() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(&app, json!({})).await;
    app.confirmed_user(&pool, "jane", PASSWORD, &[]).await;
    let token = sign_in(&app, &client, "jane", PASSWORD)
        .await
        .expect("sign-in");
    let change = |previous: &'static str, proposed: &'static str| {
        app.client
            .change_password()
            .access_token(&token)
            .previous_password(previous)
            .proposed_password(proposed)
            .send()
    };
    assert_sdk_err(
        change("Wr0ng-passw0rd!", NEW_PASSWORD).await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    assert_sdk_err(
        change(PASSWORD, "alllowercase1!").await,
        "InvalidPasswordException",
        "Password does not conform to policy: Password must have uppercase characters",
    );
    change(PASSWORD, NEW_PASSWORD)
        .await
        .expect("ChangePassword");
    assert!(sign_in(&app, &client, "jane", PASSWORD).await.is_err());
    assert!(sign_in(&app, &client, "jane", NEW_PASSWORD).await.is_ok());
    // Five requests an hour, right or wrong.
    change(NEW_PASSWORD, "Th1rd-Passw0rd!")
        .await
        .expect("fourth");
    let _ = change(PASSWORD, NEW_PASSWORD).await;
    assert_sdk_err(
        change("Th1rd-Passw0rd!", NEW_PASSWORD).await,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    );
    assert_sdk_err(
        app.client
            .change_password()
            .access_token("not-a-token")
            .previous_password(PASSWORD)
            .proposed_password(NEW_PASSWORD)
            .send()
            .await,
        "NotAuthorizedException",
        "Invalid Access Token",
    );
}

// ---------------------------------------------------------------------------------------------
// AdminResetUserPassword

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_reset_user_password_requires_a_reset_at_the_next_sign_in() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(&app, json!({})).await;
    app.confirmed_email_user(&pool, "jane", PASSWORD).await;
    app.client
        .admin_reset_user_password()
        .user_pool_id(&pool)
        .username("jane")
        .send()
        .await
        .expect("AdminResetUserPassword");
    assert_eq!(app.user_status(&pool, "jane").await, "RESET_REQUIRED");
    assert_eq!(
        sign_in(&app, &client, "jane", PASSWORD).await.unwrap_err(),
        (
            "PasswordResetRequiredException".into(),
            "Password reset required for the user".into()
        )
    );
    let code = app
        .last_code("jane", Some("FORGOT_PASSWORD"))
        .await
        .expect("a reset code was sent");
    app.client
        .confirm_forgot_password()
        .client_id(&client)
        .username("jane")
        .confirmation_code(code)
        .password(NEW_PASSWORD)
        .send()
        .await
        .expect("ConfirmForgotPassword");
    assert_eq!(app.user_status(&pool, "jane").await, "CONFIRMED");
    assert!(sign_in(&app, &client, "jane", NEW_PASSWORD).await.is_ok());

    assert_sdk_err(
        app.client
            .admin_reset_user_password()
            .user_pool_id(&pool)
            .username("nobody")
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );
    app.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "invited", "MessageAction": "SUPPRESS"}),
    )
    .await;
    assert_sdk_err(
        app.client
            .admin_reset_user_password()
            .user_pool_id(&pool)
            .username("invited")
            .send()
            .await,
        "NotAuthorizedException",
        "User password cannot be reset in the current state.",
    );
}

// ---------------------------------------------------------------------------------------------
// Attribute verification

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attribute_is_verified_with_a_code_sent_on_request() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(&app, json!({"AliasAttributes": ["email"]})).await;
    app.confirmed_user(&pool, "jane", PASSWORD, &[("email", "jane@example.com")])
        .await;
    let token = sign_in(&app, &client, "jane", PASSWORD)
        .await
        .expect("sign-in");
    // Unverified: not an alias yet.
    assert_eq!(
        sign_in(&app, &client, "jane@example.com", PASSWORD)
            .await
            .unwrap_err()
            .0,
        "UserNotFoundException"
    );
    let out = app
        .client
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .send()
        .await
        .expect("GetUserAttributeVerificationCode");
    let d = out.code_delivery_details().expect("details");
    assert_eq!(d.destination(), Some("j***@e***"));
    assert_eq!(d.attribute_name(), Some("email"));
    let code = app
        .last_code("jane", Some("VERIFY_ATTRIBUTE"))
        .await
        .expect("code");
    let verify = |code: String| {
        app.client
            .verify_user_attribute()
            .access_token(&token)
            .attribute_name("email")
            .code(code)
            .send()
    };
    assert_sdk_err(
        verify(other_code(&code).into()).await,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );
    verify(code.clone()).await.expect("VerifyUserAttribute");
    assert_eq!(
        app.user_attributes(&pool, "jane").await["email_verified"],
        "true"
    );
    assert!(sign_in(&app, &client, "JANE@example.com", PASSWORD)
        .await
        .is_ok());
    assert_sdk_code(verify(code).await, "ExpiredCodeException");

    assert_sdk_err(
        app.client
            .get_user_attribute_verification_code()
            .access_token(&token)
            .attribute_name("name")
            .send()
            .await,
        "InvalidParameterException",
        "invalid attribute name. Only phone_number and email can be verified",
    );
    assert_sdk_code(
        app.client
            .get_user_attribute_verification_code()
            .access_token(&token)
            .attribute_name("phone_number")
            .send()
            .await,
        "InvalidParameterException",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_email_stays_until_its_replacement_is_verified_when_the_pool_requires_it() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(
        &app,
        json!({
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]}
        }),
    )
    .await;
    app.confirmed_user(
        &pool,
        "old@example.com",
        PASSWORD,
        &[("email_verified", "true")],
    )
    .await;
    let token = sign_in(&app, &client, "old@example.com", PASSWORD)
        .await
        .expect("sign-in");
    let out = app
        .client
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", "new@example.com"))
        .user_attributes(attr("name", "Jane"))
        .send()
        .await
        .expect("UpdateUserAttributes");
    let list = out.code_delivery_details_list();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].destination(), Some("n***@e***"));
    let code = app.messages("purpose=VERIFY_ATTRIBUTE").await;
    assert_eq!(code.len(), 1);
    assert_eq!(code[0]["destination"], "new@example.com");
    let code = code[0]["code"].as_str().unwrap_or_default().to_string();

    // The old address is still the user's, verified, and signs in; the new one does not yet.
    let user = app
        .client
        .get_user()
        .access_token(&token)
        .send()
        .await
        .expect("GetUser");
    let attrs: HashMap<_, _> = user
        .user_attributes()
        .iter()
        .map(|a| {
            (
                a.name().to_string(),
                a.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(attrs["email"], "old@example.com");
    assert_eq!(attrs["email_verified"], "true");
    assert_eq!(attrs["name"], "Jane", "other attributes change at once");
    assert!(sign_in(&app, &client, "old@example.com", PASSWORD)
        .await
        .is_ok());
    assert!(sign_in(&app, &client, "new@example.com", PASSWORD)
        .await
        .is_err());

    // Asking again sends a fresh code to the pending address.
    app.client
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .send()
        .await
        .expect("GetUserAttributeVerificationCode");
    let again = app.messages("purpose=VERIFY_ATTRIBUTE").await;
    assert_eq!(again.len(), 2);
    assert_eq!(again[1]["destination"], "new@example.com");
    let code = again[1]["code"]
        .as_str()
        .map(str::to_string)
        .unwrap_or(code);

    app.client
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(code)
        .send()
        .await
        .expect("VerifyUserAttribute");
    let sub = attrs["sub"].clone();
    let now = app.user_attributes(&pool, &sub).await;
    assert_eq!(now["email"], "new@example.com");
    assert_eq!(now["email_verified"], "true");
    assert!(sign_in(&app, &client, "new@example.com", PASSWORD)
        .await
        .is_ok());
    assert!(sign_in(&app, &client, "old@example.com", PASSWORD)
        .await
        .is_err());

    // An administrator who verifies the address in the same request changes it at once.
    app.client
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username(&sub)
        .user_attributes(attr("email", "admin@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .expect("AdminUpdateUserAttributes");
    assert_eq!(
        app.user_attributes(&pool, &sub).await["email"],
        "admin@example.com"
    );
    assert_eq!(app.messages("purpose=VERIFY_ATTRIBUTE").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_setting_a_changed_email_applies_at_once_unverified() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(
        &app,
        json!({"AliasAttributes": ["email"], "AutoVerifiedAttributes": ["email"]}),
    )
    .await;
    app.confirmed_user(
        &pool,
        "jane",
        PASSWORD,
        &[("email", "old@example.com"), ("email_verified", "true")],
    )
    .await;
    let token = sign_in(&app, &client, "jane", PASSWORD)
        .await
        .expect("sign-in");
    let out = app
        .client
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", "new@example.com"))
        .send()
        .await
        .expect("UpdateUserAttributes");
    assert_eq!(out.code_delivery_details_list().len(), 1);
    let attrs = app.user_attributes(&pool, "jane").await;
    assert_eq!(attrs["email"], "new@example.com");
    assert_eq!(attrs["email_verified"], "false");
    // Neither address is an alias now: the old one is gone, the new one unverified.
    for alias in ["old@example.com", "new@example.com"] {
        assert_eq!(
            sign_in(&app, &client, alias, PASSWORD).await.unwrap_err().0,
            "UserNotFoundException"
        );
    }
    let code = app
        .last_code("jane", Some("VERIFY_ATTRIBUTE"))
        .await
        .expect("code");
    app.client
        .verify_user_attribute()
        .access_token(&token)
        .attribute_name("email")
        .code(code)
        .send()
        .await
        .expect("VerifyUserAttribute");
    assert!(sign_in(&app, &client, "new@example.com", PASSWORD)
        .await
        .is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verifying_an_address_another_user_verified_is_an_alias_clash() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(&app, json!({"AliasAttributes": ["email"]})).await;
    app.confirmed_user(
        &pool,
        "first",
        PASSWORD,
        &[("email", "same@example.com"), ("email_verified", "true")],
    )
    .await;
    app.confirmed_user(&pool, "second", PASSWORD, &[("email", "same@example.com")])
        .await;
    let token = sign_in(&app, &client, "second", PASSWORD)
        .await
        .expect("sign-in");
    app.client
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .send()
        .await
        .expect("code");
    let code = app
        .last_code("second", Some("VERIFY_ATTRIBUTE"))
        .await
        .expect("code");
    assert_sdk_err(
        app.client
            .verify_user_attribute()
            .access_token(&token)
            .attribute_name("email")
            .code(code)
            .send()
            .await,
        "AliasExistsException",
        "An account with the email already exists.",
    );
    assert_eq!(
        app.user_attributes(&pool, "second")
            .await
            .get("email_verified"),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attribute_verification_is_limited_per_hour() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(&app, json!({})).await;
    app.confirmed_user(&pool, "jane", PASSWORD, &[("email", "jane@example.com")])
        .await;
    let token = sign_in(&app, &client, "jane", PASSWORD)
        .await
        .expect("sign-in");
    for _ in 0..5 {
        app.client
            .get_user_attribute_verification_code()
            .access_token(&token)
            .attribute_name("email")
            .send()
            .await
            .expect("within the limit");
    }
    assert_sdk_err(
        app.client
            .get_user_attribute_verification_code()
            .access_token(&token)
            .attribute_name("email")
            .send()
            .await,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    );
}

// ---------------------------------------------------------------------------------------------
// DeleteUserAttributes / AdminDeleteUserAttributes

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_attributes_respects_the_schema_and_the_client() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(
        &app,
        json!({
            "AliasAttributes": ["email"],
            "Schema": [
                {"Name": "name", "AttributeDataType": "String", "Required": true, "Mutable": true},
                {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": true, "Mutable": true},
                {"Name": "badge", "AttributeDataType": "String", "Mutable": false}
            ]
        }),
    )
    .await;
    app.confirmed_user(
        &pool,
        "jane",
        PASSWORD,
        &[
            ("name", "Jane"),
            ("email", "jane@example.com"),
            ("email_verified", "true"),
            ("locale", "en"),
            ("dev:custom:secret", "s"),
            ("custom:badge", "b"),
        ],
    )
    .await;
    let token = sign_in(&app, &client, "jane", PASSWORD)
        .await
        .expect("sign-in");
    let delete = |names: &[&str]| {
        let mut req = app.client.delete_user_attributes().access_token(&token);
        for n in names {
            req = req.user_attribute_names(*n);
        }
        req.send()
    };
    delete(&["locale", "email"])
        .await
        .expect("DeleteUserAttributes");
    let attrs = app.user_attributes(&pool, "jane").await;
    assert!(!attrs.contains_key("locale"));
    assert!(!attrs.contains_key("email"));
    assert!(
        !attrs.contains_key("email_verified"),
        "the flag goes with the address"
    );
    assert_eq!(
        sign_in(&app, &client, "jane@example.com", PASSWORD)
            .await
            .unwrap_err()
            .0,
        "UserNotFoundException"
    );
    assert_sdk_err(
        delete(&["name"]).await,
        "InvalidParameterException",
        "user.name: The attribute is required\n",
    );
    assert_sdk_err(
        delete(&["custom:badge"]).await,
        "InvalidParameterException",
        "user.custom:badge: Attribute cannot be updated. (changing an immutable attribute)\n",
    );
    assert_sdk_err(
        delete(&["dev:custom:secret"]).await,
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    );
    assert_sdk_err(
        delete(&["custom:nope"]).await,
        "InvalidParameterException",
        "user.custom:nope: Attribute does not exist in the schema.\n",
    );
    // Administrators may remove developer-only attributes.
    app.client
        .admin_delete_user_attributes()
        .user_pool_id(&pool)
        .username("jane")
        .user_attribute_names("dev:custom:secret")
        .send()
        .await
        .expect("AdminDeleteUserAttributes");
    assert!(!app
        .user_attributes(&pool, "jane")
        .await
        .contains_key("dev:custom:secret"));
    assert_sdk_err(
        app.client
            .admin_delete_user_attributes()
            .user_pool_id(&pool)
            .username("nobody")
            .user_attribute_names("locale")
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );
}

// ---------------------------------------------------------------------------------------------
// Signing in with aliases and username attributes (Cognito Developer Guide, "User pool attributes")

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verified_aliases_sign_in_and_unverified_ones_do_not() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(
        &app,
        json!({"AliasAttributes": ["email", "phone_number", "preferred_username"]}),
    )
    .await;
    app.confirmed_user(
        &pool,
        "jane",
        PASSWORD,
        &[
            ("email", "Jane@Example.com"),
            ("email_verified", "true"),
            ("phone_number", "+12065551234"),
            ("phone_number_verified", "true"),
            ("preferred_username", "jj"),
        ],
    )
    .await;
    app.confirmed_user(
        &pool,
        "bob",
        PASSWORD,
        &[
            ("email", "bob@example.com"),
            ("phone_number", "+12065550000"),
        ],
    )
    .await;
    for name in [
        "jane",
        "jane@example.com",
        "JANE@EXAMPLE.COM",
        "+12065551234",
        "jj",
    ] {
        let token = sign_in(&app, &client, name, PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let user = app
            .client
            .get_user()
            .access_token(token)
            .send()
            .await
            .expect("GetUser");
        assert_eq!(user.username(), "jane", "{name}");
    }
    for name in ["bob@example.com", "+12065550000"] {
        assert_eq!(
            sign_in(&app, &client, name, PASSWORD).await.unwrap_err(),
            (
                "UserNotFoundException".into(),
                "User does not exist.".into()
            ),
            "{name}"
        );
    }
    // Aliases serve the other public operations too.
    app.client
        .forgot_password()
        .client_id(&client)
        .username("jj")
        .send()
        .await
        .expect("ForgotPassword by preferred_username");
    assert!(app
        .last_code("jane", Some("FORGOT_PASSWORD"))
        .await
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_username_attribute_pools_email_and_phone_sign_in_as_soon_as_set() {
    let app = spawn_app().await;
    let (pool, client) = pool_with(
        &app,
        json!({"UsernameAttributes": ["email", "phone_number"]}),
    )
    .await;
    app.confirmed_user(
        &pool,
        "jane@example.com",
        PASSWORD,
        &[("phone_number", "+12065551234")],
    )
    .await;
    let sub = app.user_attributes(&pool, "jane@example.com").await["sub"].clone();
    for name in [
        "jane@example.com",
        "JANE@example.com",
        "+12065551234",
        sub.as_str(),
    ] {
        let token = sign_in(&app, &client, name, PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let user = app
            .client
            .get_user()
            .access_token(token)
            .send()
            .await
            .expect("GetUser");
        assert_eq!(user.username(), sub, "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// Auth events

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_events_need_the_threat_protection_add_on() {
    let app = spawn_app().await;
    let (pool, _) = pool_with(&app, json!({})).await;
    app.confirmed_user(&pool, "jane", PASSWORD, &[]).await;
    let (c, m) = expect_err(
        app.client
            .admin_list_user_auth_events()
            .user_pool_id(&pool)
            .username("jane")
            .send()
            .await,
    );
    assert_eq!(c, "UserPoolAddOnNotEnabledException");
    assert!(!m.is_empty());
    let (c, _) = expect_err(
        app.client
            .admin_update_auth_event_feedback()
            .user_pool_id(&pool)
            .username("jane")
            .event_id("e1")
            .feedback_value(FeedbackValueType::Valid)
            .send()
            .await,
    );
    assert_eq!(c, "UserPoolAddOnNotEnabledException");

    let (pool, client) = pool_with(
        &app,
        json!({"UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"}}),
    )
    .await;
    app.confirmed_email_user(&pool, "jane", PASSWORD).await;
    let list = |max: i32, token: Option<String>| {
        app.client
            .admin_list_user_auth_events()
            .user_pool_id(&pool)
            .username("jane")
            .max_results(max)
            .set_next_token(token)
            .send()
    };
    assert!(list(0, None).await.expect("empty").auth_events().is_empty());

    assert!(sign_in(&app, &client, "jane", "Wr0ng-passw0rd!")
        .await
        .is_err());
    app.advance_clock(1).await;
    sign_in(&app, &client, "jane", PASSWORD)
        .await
        .expect("sign-in");
    app.advance_clock(1).await;
    app.client
        .forgot_password()
        .client_id(&client)
        .username("jane")
        .send()
        .await
        .expect("ForgotPassword");
    let all = list(0, None).await.expect("AdminListUserAuthEvents");
    let events = all.auth_events();
    let types: Vec<_> = events
        .iter()
        .map(|e| e.event_type().map(|t| t.as_str().to_string()))
        .collect();
    assert_eq!(
        types,
        vec![
            Some("ForgotPassword".into()),
            Some("SignIn".into()),
            Some("SignIn".into())
        ],
        "newest first"
    );
    let failed = &events[2];
    assert_eq!(failed.event_response().map(|r| r.as_str()), Some("Fail"));
    assert_eq!(
        failed.challenge_responses()[0]
            .challenge_response()
            .map(|c| c.as_str()),
        Some("Failure")
    );
    let sign_in_event = &events[1];
    assert_eq!(
        sign_in_event.event_response().map(|r| r.as_str()),
        Some("Pass")
    );
    assert_eq!(
        sign_in_event
            .event_risk()
            .and_then(|r| r.risk_decision())
            .map(|d| d.as_str()),
        Some("NoRisk")
    );
    let challenge = &sign_in_event.challenge_responses()[0];
    assert_eq!(
        challenge.challenge_name().map(|c| c.as_str()),
        Some("Password")
    );
    assert_eq!(
        challenge.challenge_response().map(|c| c.as_str()),
        Some("Success")
    );
    assert!(all.next_token().is_none());

    let first = list(1, None).await.expect("a page");
    assert_eq!(first.auth_events().len(), 1);
    let second = list(1, first.next_token().map(str::to_string))
        .await
        .expect("the next page");
    assert_eq!(second.auth_events()[0].event_id(), sign_in_event.event_id());

    let event_id = sign_in_event.event_id().unwrap_or_default().to_string();
    app.client
        .admin_update_auth_event_feedback()
        .user_pool_id(&pool)
        .username("jane")
        .event_id(&event_id)
        .feedback_value(FeedbackValueType::Invalid)
        .send()
        .await
        .expect("AdminUpdateAuthEventFeedback");
    let after = list(0, None).await.expect("list");
    let feedback = after.auth_events()[1].event_feedback().expect("feedback");
    assert_eq!(feedback.feedback_value().as_str(), "Invalid");
    assert_eq!(feedback.provider(), "Admin");

    let (c, _) = expect_err(
        app.client
            .admin_list_user_auth_events()
            .user_pool_id(&pool)
            .username("nobody")
            .send()
            .await,
    );
    assert_eq!(c, "UserNotFoundException");
    assert_sdk_code(
        app.client
            .admin_update_auth_event_feedback()
            .user_pool_id(&pool)
            .username("jane")
            .event_id("not-an-event")
            .feedback_value(FeedbackValueType::Valid)
            .send()
            .await,
        "ResourceNotFoundException",
    );
}

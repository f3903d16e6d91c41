//! Users through the AWS SDK for Rust: sign-up and confirmation, admin user management, attribute
//! updates, ListUsers filters, codes from the outbox and their expiry on the emulator clock.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::{DeliveryMediumType, MessageActionType};
use cognito_emulator::domain::secret_hash;
use serde_json::json;

/// A pool that auto-verifies email, and a public client.
async fn email_pool(app: &TestApp) -> (String, String) {
    let pool = app
        .create_pool_with(json!({"PoolName": "users", "AutoVerifiedAttributes": ["email"]}))
        .await;
    let client = app.create_client(&pool).await;
    (pool, client)
}

async fn sign_up(
    app: &TestApp,
    client: &str,
    username: &str,
    email: &str,
) -> aws_sdk_cognitoidentityprovider::operation::sign_up::SignUpOutput {
    app.client
        .sign_up()
        .client_id(client)
        .username(username)
        .password("Passw0rd!")
        .user_attributes(attr("email", email))
        .send()
        .await
        .expect("SignUp succeeds")
}

/// An access token minted with the pool's key, as the sign-in code mints them, so the
/// self-service operations can be tested on their own.
async fn access_token(app: &TestApp, pool: &str, client: &str, username: &str) -> String {
    let sub = app.user_attributes(pool, username).await["sub"].clone();
    let now = app.state.clock.unix();
    let claims = json!({
        "sub": sub,
        "iss": app.state.issuer(None, pool),
        "client_id": client,
        "origin_jti": uuid::Uuid::new_v4().to_string(),
        "event_id": uuid::Uuid::new_v4().to_string(),
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": uuid::Uuid::new_v4().to_string(),
        "username": username,
    });
    app.state
        .pool_keys(pool)
        .await
        .expect("pool keys")
        .access
        .sign(&claims)
        .expect("a signed token")
}

// ---------------------------------------------------------------------------------------------
// SignUp and ConfirmSignUp

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_sends_a_code_to_the_auto_verified_email_and_confirming_verifies_it() {
    let app = spawn_app().await;
    let (pool, client) = email_pool(&app).await;
    let out = sign_up(&app, &client, "jane", "jane@example.com").await;
    assert!(!out.user_confirmed());
    assert!(is_uuid(out.user_sub()), "{}", out.user_sub());
    assert!(out.session().is_some_and(|s| s.len() >= 20));
    let d = out.code_delivery_details().expect("CodeDeliveryDetails");
    assert_eq!(d.destination(), Some("j***@e***"));
    assert_eq!(d.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(d.attribute_name(), Some("email"));

    let messages = app.messages("username=jane").await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert_eq!(m["purpose"], "SIGN_UP");
    assert_eq!(m["channel"], "EMAIL");
    assert_eq!(m["destination"], "jane@example.com");
    assert_eq!(m["userPoolId"], pool.as_str());
    let code = m["code"].as_str().expect("a code").to_string();
    assert_eq!(code.len(), 6);
    assert!(code.chars().all(|c| c.is_ascii_digit()));
    assert!(m["body"].as_str().unwrap_or_default().contains(&code));

    assert_eq!(app.user_status(&pool, "jane").await, "UNCONFIRMED");
    let confirmed = app
        .client
        .confirm_sign_up()
        .client_id(&client)
        .username("jane")
        .confirmation_code(&code)
        .session(out.session().unwrap_or_default())
        .send()
        .await
        .expect("ConfirmSignUp succeeds");
    assert!(confirmed.session().is_some_and(|s| s.len() >= 20));
    assert_eq!(app.user_status(&pool, "jane").await, "CONFIRMED");
    let a = app.user_attributes(&pool, "jane").await;
    assert_eq!(a["email_verified"], "true");
    assert_eq!(a["sub"], out.user_sub());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_without_auto_verification_sends_nothing() {
    let app = spawn_app().await;
    let pool = app.create_pool("plain").await;
    let client = app.create_client(&pool).await;
    let out = sign_up(&app, &client, "joe", "joe@example.com").await;
    assert!(out.code_delivery_details().is_none());
    assert!(!out.user_confirmed());
    assert!(app.messages("username=joe").await.is_empty());
    assert_eq!(app.user_status(&pool, "joe").await, "UNCONFIRMED");
    // With nothing to verify, only an administrator confirms the user.
    assert_sdk_err(
        app.client
            .resend_confirmation_code()
            .client_id(&client)
            .username("joe")
            .send()
            .await,
        "InvalidParameterException",
        "Cannot resend codes. Auto verification not turned on.",
    );
    app.client
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("joe")
        .send()
        .await
        .expect("AdminConfirmSignUp succeeds");
    assert_eq!(app.user_status(&pool, "joe").await, "CONFIRMED");
    // Confirmation by an administrator does not verify the address.
    assert_eq!(
        app.user_attributes(&pool, "joe")
            .await
            .get("email_verified"),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_email_and_phone_auto_verified_the_code_is_texted() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(
            json!({"PoolName": "both", "AutoVerifiedAttributes": ["email", "phone_number"]}),
        )
        .await;
    let client = app.create_client(&pool).await;
    let out = app
        .client
        .sign_up()
        .client_id(&client)
        .username("sam")
        .password("Passw0rd!")
        .user_attributes(attr("email", "sam@example.com"))
        .user_attributes(attr("phone_number", "+12065551234"))
        .send()
        .await
        .expect("SignUp succeeds");
    let d = out.code_delivery_details().expect("details");
    assert_eq!(d.destination(), Some("+*******1234"));
    assert_eq!(d.delivery_medium(), Some(&DeliveryMediumType::Sms));
    assert_eq!(d.attribute_name(), Some("phone_number"));
    let code = app.last_code("sam", Some("SIGN_UP")).await.expect("a code");
    app.client
        .confirm_sign_up()
        .client_id(&client)
        .username("sam")
        .confirmation_code(code)
        .send()
        .await
        .expect("ConfirmSignUp succeeds");
    let a = app.user_attributes(&pool, "sam").await;
    assert_eq!(a["phone_number_verified"], "true");
    assert_eq!(a.get("email_verified"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_code_is_used_when_configured() {
    let mut config = cognito_emulator::Config::for_tests();
    config.fixed_code = Some("424242".into());
    let app = spawn_app_with(config).await;
    let (pool, client) = email_pool(&app).await;
    sign_up(&app, &client, "fix", "fix@example.com").await;
    assert_eq!(app.last_code("fix", None).await.as_deref(), Some("424242"));
    app.client
        .confirm_sign_up()
        .client_id(&client)
        .username("fix")
        .confirmation_code("424242")
        .send()
        .await
        .expect("ConfirmSignUp succeeds");
    assert_eq!(app.user_status(&pool, "fix").await, "CONFIRMED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_username_is_refused_and_case_only_matters_in_case_sensitive_pools() {
    let app = spawn_app().await;
    let (_, client) = email_pool(&app).await;
    sign_up(&app, &client, "Alice", "a@example.com").await;
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("Alice")
            .password("Passw0rd!")
            .send()
            .await,
        "UsernameExistsException",
        "User already exists",
    );
    // API-created pools are case-sensitive by default.
    sign_up(&app, &client, "alice", "b@example.com").await;

    let insensitive = app
        .create_pool_with(
            json!({"PoolName": "ci", "UsernameConfiguration": {"CaseSensitive": false}}),
        )
        .await;
    let c2 = app.create_client(&insensitive).await;
    sign_up(&app, &c2, "Bob", "bob@example.com").await;
    assert_sdk_code(
        app.client
            .sign_up()
            .client_id(&c2)
            .username("BOB")
            .password("Passw0rd!")
            .send()
            .await,
        "UsernameExistsException",
    );
    // The user keeps the spelling it signed up with and is found under any case.
    let u = app
        .client
        .admin_get_user()
        .user_pool_id(&insensitive)
        .username("bob")
        .send()
        .await
        .expect("found case-insensitively");
    assert_eq!(u.username(), "Bob");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_checks_the_password_policy_with_its_own_wording() {
    let app = spawn_app().await;
    let (_, client) = email_pool(&app).await;
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("weak")
            .password("password1!")
            .send()
            .await,
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have uppercase characters",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_checks_the_schema() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({
            "PoolName": "schema",
            "Schema": [{"Name": "email", "Required": true}, {"Name": "tier", "AttributeDataType": "String"}]
        }))
        .await;
    let client = app.create_client(&pool).await;
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("x")
            .password("Passw0rd!")
            .send()
            .await,
        "InvalidParameterException",
        "Attributes did not conform to the schema: email: The attribute is required\n",
    );
    let unknown = expect_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("x")
            .password("Passw0rd!")
            .user_attributes(attr("email", "x@example.com"))
            .user_attributes(attr("custom:nope", "1"))
            .send()
            .await,
    );
    assert_eq!(
        unknown.1,
        "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n"
    );
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("x")
            .password("Passw0rd!")
            .user_attributes(attr("email", "not-an-email"))
            .send()
            .await,
        "InvalidParameterException",
        "Invalid email address format.",
    );
    // Users cannot vouch for their own address.
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("x")
            .password("Passw0rd!")
            .user_attributes(attr("email", "x@example.com"))
            .user_attributes(attr("email_verified", "true"))
            .send()
            .await,
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    );
    // Custom attributes declared in the schema are accepted.
    app.client
        .sign_up()
        .client_id(&client)
        .username("x")
        .password("Passw0rd!")
        .user_attributes(attr("email", "x@example.com"))
        .user_attributes(attr("custom:tier", "gold"))
        .send()
        .await
        .expect("SignUp with a custom attribute");
    assert_eq!(app.user_attributes(&pool, "x").await["custom:tier"], "gold");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_is_refused_when_only_administrators_create_users() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({
            "PoolName": "closed",
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": true}
        }))
        .await;
    let client = app.create_client(&pool).await;
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("x")
            .password("Passw0rd!")
            .send()
            .await,
        "NotAuthorizedException",
        "SignUp is not permitted for this user pool",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_through_an_unknown_client_is_resource_not_found() {
    let app = spawn_app().await;
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id("nosuchclient")
            .username("x")
            .password("Passw0rd!")
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool client nosuchclient does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confidential_client_needs_the_secret_hash() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({"PoolName": "s", "AutoVerifiedAttributes": ["email"]}))
        .await;
    let (client, secret) = app.create_client_with_secret(&pool).await;
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("sec")
            .password("Passw0rd!")
            .send()
            .await,
        "NotAuthorizedException",
        &format!("Client {client} is configured for secret but secret was not received"),
    );
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client)
            .secret_hash(secret_hash::compute(&secret, "someone-else", &client))
            .username("sec")
            .password("Passw0rd!")
            .send()
            .await,
        "NotAuthorizedException",
        &format!("Unable to verify secret hash for client {client}"),
    );
    app.client
        .sign_up()
        .client_id(&client)
        .secret_hash(secret_hash::compute(&secret, "sec", &client))
        .username("sec")
        .password("Passw0rd!")
        .user_attributes(attr("email", "sec@example.com"))
        .send()
        .await
        .expect("SignUp with the right hash");
    let code = app.last_code("sec", None).await.expect("code");
    assert_sdk_code(
        app.client
            .confirm_sign_up()
            .client_id(&client)
            .username("sec")
            .confirmation_code(&code)
            .send()
            .await,
        "NotAuthorizedException",
    );
    app.client
        .confirm_sign_up()
        .client_id(&client)
        .secret_hash(secret_hash::compute(&secret, "sec", &client))
        .username("sec")
        .confirmation_code(&code)
        .send()
        .await
        .expect("ConfirmSignUp with the right hash");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_an_email_username_pool_the_email_signs_up_and_the_sub_is_the_username() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({
            "PoolName": "email-login",
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"]
        }))
        .await;
    let client = app.create_client(&pool).await;
    let out = app
        .client
        .sign_up()
        .client_id(&client)
        .username("Jane@Example.com")
        .password("Passw0rd!")
        .send()
        .await
        .expect("SignUp with an email as username");
    let sub = out.user_sub().to_string();
    assert_eq!(
        out.code_delivery_details().and_then(|d| d.destination()),
        Some("J***@E***")
    );
    let u = app
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("jane@example.com")
        .send()
        .await
        .expect("the email finds the user, whatever its case");
    assert_eq!(u.username(), sub);
    assert_eq!(
        attribute_map(u.user_attributes())["email"],
        "Jane@Example.com"
    );
    // The outbox names the user by its internal username.
    let code = app.last_code(&sub, Some("SIGN_UP")).await.expect("a code");
    app.client
        .confirm_sign_up()
        .client_id(&client)
        .username("Jane@Example.com")
        .confirmation_code(code)
        .send()
        .await
        .expect("ConfirmSignUp by email");

    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("jane@example.com")
            .password("Passw0rd!")
            .send()
            .await,
        "UsernameExistsException",
        "An account with the given email already exists.",
    );
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("jane")
            .password("Passw0rd!")
            .send()
            .await,
        "InvalidParameterException",
        "Username should be an email.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_an_alias_pool_usernames_may_not_look_like_aliases_and_verified_aliases_find_users() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({
            "PoolName": "aliases",
            "AliasAttributes": ["email", "preferred_username"],
            "AutoVerifiedAttributes": ["email"]
        }))
        .await;
    let client = app.create_client(&pool).await;
    let (code, message) = expect_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("a@example.com")
            .password("Passw0rd!")
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Username cannot be of email format, since user pool is configured for email alias."
    );

    app.client
        .sign_up()
        .client_id(&client)
        .username("amy")
        .password("Passw0rd!")
        .user_attributes(attr("email", "amy@example.com"))
        .user_attributes(attr("preferred_username", "amyp"))
        .send()
        .await
        .expect("SignUp");
    // An unverified email is not yet an alias; preferred_username always is.
    let (code, _) = expect_err(
        app.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("amy@example.com")
            .send()
            .await,
    );
    assert_eq!(code, "UserNotFoundException");
    let by_pref = app
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("amyp")
        .send()
        .await
        .expect("found by preferred_username");
    assert_eq!(by_pref.username(), "amy");
    let c = app.last_code("amy", None).await.expect("code");
    app.client
        .confirm_sign_up()
        .client_id(&client)
        .username("amy")
        .confirmation_code(c)
        .send()
        .await
        .expect("ConfirmSignUp");
    let by_email = app
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("AMY@example.com")
        .send()
        .await
        .expect("found by verified email");
    assert_eq!(by_email.username(), "amy");

    // A second user confirming the same email collides with the first one's alias.
    app.client
        .sign_up()
        .client_id(&client)
        .username("amy2")
        .password("Passw0rd!")
        .user_attributes(attr("email", "amy@example.com"))
        .send()
        .await
        .expect("SignUp with a shared, unverified email");
    let c2 = app.last_code("amy2", None).await.expect("code");
    assert_sdk_err(
        app.client
            .confirm_sign_up()
            .client_id(&client)
            .username("amy2")
            .confirmation_code(&c2)
            .send()
            .await,
        "AliasExistsException",
        "An account with the email already exists.",
    );
    // ForceAliasCreation moves the alias; the same code still works after the refusal.
    app.client
        .confirm_sign_up()
        .client_id(&client)
        .username("amy2")
        .confirmation_code(&c2)
        .force_alias_creation(true)
        .send()
        .await
        .expect("ConfirmSignUp with ForceAliasCreation");
    let now_owner = app
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("amy@example.com")
        .send()
        .await
        .expect("the alias resolves");
    assert_eq!(now_owner.username(), "amy2");
    assert_eq!(
        app.user_attributes(&pool, "amy").await["email_verified"],
        "false"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmation_codes_are_checked_counted_and_expire() {
    let app = spawn_app().await;
    let (pool, client) = email_pool(&app).await;
    sign_up(&app, &client, "kim", "kim@example.com").await;
    let code = app.last_code("kim", None).await.expect("code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirm = |c: String| {
        let app = &app;
        let client = client.clone();
        async move {
            app.client
                .confirm_sign_up()
                .client_id(client)
                .username("kim")
                .confirmation_code(c)
                .send()
                .await
        }
    };
    assert_sdk_err(
        confirm(wrong.to_string()).await,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    );
    // The code expires after 24 hours on the emulator clock.
    app.advance_clock(24 * 3600 + 1).await;
    assert_sdk_err(
        confirm(code.clone()).await,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
    // A resent code replaces the old one and is valid again; its purpose says it was resent.
    let resent = app
        .client
        .resend_confirmation_code()
        .client_id(&client)
        .username("kim")
        .send()
        .await
        .expect("ResendConfirmationCode");
    assert_eq!(
        resent.code_delivery_details().and_then(|d| d.destination()),
        Some("k***@e***")
    );
    let new_code = app
        .last_code("kim", Some("RESEND_CONFIRMATION"))
        .await
        .expect("resent code");
    // Five wrong guesses kill the code, even for the right value.
    let wrong = if new_code == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        assert_sdk_code(confirm(wrong.to_string()).await, "CodeMismatchException");
    }
    assert_sdk_code(
        confirm(new_code.clone()).await,
        "TooManyFailedAttemptsException",
    );
    // A fresh code starts a fresh count.
    app.client
        .resend_confirmation_code()
        .client_id(&client)
        .username("kim")
        .send()
        .await
        .expect("ResendConfirmationCode");
    let fresh = app
        .last_code("kim", Some("RESEND_CONFIRMATION"))
        .await
        .expect("code");
    confirm(fresh.clone())
        .await
        .expect("ConfirmSignUp with the fresh code");
    assert_eq!(app.user_status(&pool, "kim").await, "CONFIRMED");
    assert_sdk_err(
        confirm(fresh).await,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    );
    assert_sdk_err(
        app.client
            .resend_confirmation_code()
            .client_id(&client)
            .username("kim")
            .send()
            .await,
        "InvalidParameterException",
        "User is already confirmed.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirming_or_resending_for_an_unknown_user_names_the_client_combination() {
    let app = spawn_app().await;
    let (_, client) = email_pool(&app).await;
    assert_sdk_err(
        app.client
            .confirm_sign_up()
            .client_id(&client)
            .username("ghost")
            .confirmation_code("123456")
            .send()
            .await,
        "UserNotFoundException",
        "Username/client id combination not found.",
    );
    let resend = expect_err(
        app.client
            .resend_confirmation_code()
            .client_id(&client)
            .username("ghost")
            .send()
            .await,
    );
    assert_eq!(resend.1, "Username/client id combination not found.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_confirm_sign_up_refuses_confirmed_and_unknown_users() {
    let app = spawn_app().await;
    let (pool, client) = email_pool(&app).await;
    sign_up(&app, &client, "lee", "lee@example.com").await;
    app.client
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("lee")
        .send()
        .await
        .expect("AdminConfirmSignUp");
    assert_sdk_err(
        app.client
            .admin_confirm_sign_up()
            .user_pool_id(&pool)
            .username("lee")
            .send()
            .await,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    );
    assert_sdk_err(
        app.client
            .admin_confirm_sign_up()
            .user_pool_id(&pool)
            .username("ghost")
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );
    assert_sdk_err(
        app.client
            .admin_confirm_sign_up()
            .user_pool_id("us-east-1_Nope12345")
            .username("lee")
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool us-east-1_Nope12345 does not exist.",
    );
}

// ---------------------------------------------------------------------------------------------
// AdminCreateUser

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_create_user_invites_with_a_temporary_password() {
    let app = spawn_app().await;
    let pool = app.create_pool("admin").await;
    let out = app
        .client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("ann")
        .temporary_password("Temp0rary!")
        .user_attributes(attr("email", "ann@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .expect("AdminCreateUser");
    let user = out.user().expect("User");
    assert_eq!(user.username(), Some("ann"));
    assert_eq!(
        user.user_status().map(|s| s.as_str()),
        Some("FORCE_CHANGE_PASSWORD")
    );
    assert!(user.enabled());
    let a = user.attributes();
    assert_eq!(a[0].name(), "sub", "sub comes first");
    assert_eq!(attribute_map(a)["email_verified"], "true");

    let messages = app.messages("username=ann").await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["purpose"], "INVITATION");
    assert_eq!(messages[0]["channel"], "EMAIL");
    assert!(messages[0]["code"].is_null());
    let body = messages[0]["body"].as_str().unwrap_or_default();
    assert!(
        body.contains("ann") && body.contains("Temp0rary!"),
        "{body}"
    );

    assert_sdk_err(
        app.client
            .admin_create_user()
            .user_pool_id(&pool)
            .username("ann")
            .send()
            .await,
        "UsernameExistsException",
        "User account already exists",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_create_user_generates_a_policy_conforming_password_and_can_stay_silent() {
    let app = spawn_app().await;
    let pool = app.create_pool("gen").await;
    app.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("gen")
        .user_attributes(attr("phone_number", "+12065550100"))
        .send()
        .await
        .expect("AdminCreateUser");
    let messages = app.messages("username=gen").await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["channel"], "SMS", "SMS is the default medium");
    let body = messages[0]["body"].as_str().unwrap_or_default().to_string();
    let password = body
        .split("temporary password is ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_string();
    // The generated password satisfies the policy: it works as a permanent password too.
    app.client
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("gen")
        .password(&password)
        .permanent(true)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{password:?} should satisfy the policy: {e:?}"));

    app.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("quiet")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attr("email", "quiet@example.com"))
        .send()
        .await
        .expect("AdminCreateUser SUPPRESS");
    assert!(app.messages("username=quiet").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_create_user_resend_reinvites_only_users_that_never_signed_in() {
    let app = spawn_app().await;
    let pool = app.create_pool("resend").await;
    let create = |name: &str, action: Option<MessageActionType>| {
        app.client
            .admin_create_user()
            .user_pool_id(&pool)
            .username(name)
            .user_attributes(attr("email", "r@example.com"))
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .set_message_action(action)
            .send()
    };
    create("rita", None).await.expect("AdminCreateUser");
    create("rita", Some(MessageActionType::Resend))
        .await
        .expect("RESEND");
    assert_eq!(
        app.messages("username=rita&purpose=INVITATION").await.len(),
        2
    );

    assert_sdk_err(
        create("nobody", Some(MessageActionType::Resend)).await,
        "UserNotFoundException",
        "User does not exist.",
    );

    app.client
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("rita")
        .password("Passw0rd!")
        .permanent(true)
        .send()
        .await
        .expect("AdminSetUserPassword");
    assert_sdk_err(
        create("rita", Some(MessageActionType::Resend)).await,
        "UnsupportedUserStateException",
        "Resend not possible. rita status is not FORCE_CHANGE_PASSWORD",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_create_user_checks_the_temporary_password_with_its_own_wording() {
    let app = spawn_app().await;
    let pool = app.create_pool("tp").await;
    assert_sdk_err(
        app.client
            .admin_create_user()
            .user_pool_id(&pool)
            .username("t")
            .temporary_password("short")
            .send()
            .await,
        "InvalidPasswordException",
        "Password did not conform with password policy: Password not long enough",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_create_user_in_a_phone_username_pool() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({"PoolName": "phones", "UsernameAttributes": ["phone_number"]}))
        .await;
    let out = app
        .client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("+12065550199")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser with a phone number");
    let u = out.user().expect("User");
    assert!(is_uuid(u.username().unwrap_or_default()));
    assert_eq!(
        attribute_map(u.attributes())["phone_number"],
        "+12065550199"
    );
    assert_sdk_err(
        app.client
            .admin_create_user()
            .user_pool_id(&pool)
            .username("bob")
            .send()
            .await,
        "InvalidParameterException",
        "Username should be a phone number.",
    );
    assert_sdk_code(
        app.client
            .admin_create_user()
            .user_pool_id(&pool)
            .username("+12065550199")
            .send()
            .await,
        "UsernameExistsException",
    );
}

// ---------------------------------------------------------------------------------------------
// AdminGetUser, AdminDeleteUser, AdminSetUserPassword, enable / disable

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_get_user_answers_every_member_and_unknown_users_do_not_exist() {
    let app = spawn_app().await;
    let pool = app.create_pool("get").await;
    app.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("gus")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attr("given_name", "Gus"))
        .send()
        .await
        .expect("AdminCreateUser");
    let (_, _, body) = app
        .raw(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "gus"}),
        )
        .await;
    assert_eq!(body["Username"], "gus");
    assert_eq!(body["Enabled"], true);
    assert_eq!(body["UserStatus"], "FORCE_CHANGE_PASSWORD");
    assert!(body["UserCreateDate"].is_f64() || body["UserCreateDate"].is_i64());
    assert!(body["UserLastModifiedDate"].is_number());
    assert_eq!(body["UserAttributes"][0]["Name"], "sub");
    assert_eq!(
        body["UserAttributes"][1],
        json!({"Name": "given_name", "Value": "Gus"})
    );

    assert_sdk_err(
        app.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("nobody")
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );
    // A user can also be named by its sub.
    let sub = body["UserAttributes"][0]["Value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let by_sub = app
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username(&sub)
        .send()
        .await
        .expect("by sub");
    assert_eq!(by_sub.username(), "gus");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_delete_user_removes_the_user() {
    let app = spawn_app().await;
    let pool = app.create_pool("del").await;
    app.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("dan")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");
    app.client
        .admin_delete_user()
        .user_pool_id(&pool)
        .username("dan")
        .send()
        .await
        .expect("AdminDeleteUser");
    assert_sdk_code(
        app.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("dan")
            .send()
            .await,
        "UserNotFoundException",
    );
    assert_sdk_err(
        app.client
            .admin_delete_user()
            .user_pool_id(&pool)
            .username("dan")
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_set_user_password_sets_the_status_and_checks_the_policy() {
    let app = spawn_app().await;
    let (pool, client) = email_pool(&app).await;
    sign_up(&app, &client, "pat", "pat@example.com").await;
    let set = |pw: &str, permanent: bool| {
        app.client
            .admin_set_user_password()
            .user_pool_id(&pool)
            .username("pat")
            .password(pw)
            .permanent(permanent)
            .send()
    };
    set("Another1!", true).await.expect("permanent");
    assert_eq!(app.user_status(&pool, "pat").await, "CONFIRMED");
    set("Another2!", false).await.expect("temporary");
    assert_eq!(app.user_status(&pool, "pat").await, "FORCE_CHANGE_PASSWORD");
    assert_sdk_err(
        set("nouppercase1!", true).await,
        "InvalidPasswordException",
        "Password does not conform to policy: Password must have uppercase characters",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_history_refuses_a_recent_password() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({
            "PoolName": "history",
            "Policies": {"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 2}}
        }))
        .await;
    app.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("hal")
        .temporary_password("firstpass")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");
    let set = |pw: &'static str| {
        app.client
            .admin_set_user_password()
            .user_pool_id(&pool)
            .username("hal")
            .password(pw)
            .permanent(true)
            .send()
    };
    set("secondpass").await.expect("a new password");
    let e = expect_err(set("firstpass").await);
    assert_eq!(e.0, "PasswordHistoryPolicyViolationException");
    assert_sdk_code(
        set("secondpass").await,
        "PasswordHistoryPolicyViolationException",
    );
    set("thirdpass").await.expect("a new password");
    set("fourthpass").await.expect("a new password");
    set("firstpass").await.expect("old enough to be used again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_disable_and_enable_user_flip_enabled() {
    let app = spawn_app().await;
    let pool = app.create_pool("en").await;
    app.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("ed")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");
    app.client
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("ed")
        .send()
        .await
        .expect("disable");
    let u = app
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ed")
        .send()
        .await
        .expect("get");
    assert!(!u.enabled());
    app.client
        .admin_enable_user()
        .user_pool_id(&pool)
        .username("ed")
        .send()
        .await
        .expect("enable");
    let u = app
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ed")
        .send()
        .await
        .expect("get");
    assert!(u.enabled());
    assert_sdk_err(
        app.client
            .admin_disable_user()
            .user_pool_id(&pool)
            .username("nobody")
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );
}

// ---------------------------------------------------------------------------------------------
// Attribute updates

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_update_user_attributes_unverifies_a_changed_email_and_sends_a_code() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({"PoolName": "upd", "AutoVerifiedAttributes": ["email"]}))
        .await;
    app.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("uma")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attr("email", "uma@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .expect("AdminCreateUser");
    app.client
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("uma")
        .user_attributes(attr("email", "uma@new.example.com"))
        .user_attributes(attr("given_name", "Uma"))
        .send()
        .await
        .expect("AdminUpdateUserAttributes");
    let a = app.user_attributes(&pool, "uma").await;
    assert_eq!(a["email"], "uma@new.example.com");
    assert_eq!(a["email_verified"], "false");
    assert_eq!(a["given_name"], "Uma");
    let m = app.messages("username=uma&purpose=VERIFY_ATTRIBUTE").await;
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["destination"], "uma@new.example.com");

    // Setting the flag in the same call verifies the new address without a code.
    app.client
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("uma")
        .user_attributes(attr("email", "uma@third.example.com"))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .expect("AdminUpdateUserAttributes");
    assert_eq!(
        app.user_attributes(&pool, "uma").await["email_verified"],
        "true"
    );
    assert_eq!(
        app.messages("username=uma&purpose=VERIFY_ATTRIBUTE")
            .await
            .len(),
        1
    );

    assert_sdk_err(
        app.client
            .admin_update_user_attributes()
            .user_pool_id(&pool)
            .username("uma")
            .user_attributes(attr("custom:nope", "x"))
            .send()
            .await,
        "InvalidParameterException",
        "user.custom:nope: Attribute does not exist in the schema.\n",
    );
    let sub = expect_err(
        app.client
            .admin_update_user_attributes()
            .user_pool_id(&pool)
            .username("uma")
            .user_attributes(attr("sub", "x"))
            .send()
            .await,
    );
    assert_eq!(
        sub.1,
        "user.sub: Attribute cannot be updated. (changing an immutable attribute)\n"
    );
    assert_sdk_err(
        app.client
            .admin_update_user_attributes()
            .user_pool_id(&pool)
            .username("ghost")
            .user_attributes(attr("given_name", "x"))
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_user_update_user_attributes_and_delete_user_work_with_an_access_token() {
    let app = spawn_app().await;
    let (pool, client) = email_pool(&app).await;
    sign_up(&app, &client, "tom", "tom@example.com").await;
    app.client
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("tom")
        .send()
        .await
        .expect("confirm");
    let token = access_token(&app, &pool, &client, "tom").await;

    let me = app
        .client
        .get_user()
        .access_token(&token)
        .send()
        .await
        .expect("GetUser");
    assert_eq!(me.username(), "tom");
    assert_eq!(me.user_attributes()[0].name(), "sub");
    assert_eq!(
        attribute_map(me.user_attributes())["email"],
        "tom@example.com"
    );

    let out = app
        .client
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", "tom@new.example.com"))
        .send()
        .await
        .expect("UpdateUserAttributes");
    let d = &out.code_delivery_details_list()[0];
    assert_eq!(d.destination(), Some("t***@n***"));
    assert_eq!(d.attribute_name(), Some("email"));
    let m = app.messages("username=tom&purpose=VERIFY_ATTRIBUTE").await;
    assert_eq!(m.len(), 1);
    assert_eq!(
        app.user_attributes(&pool, "tom").await["email_verified"],
        "false"
    );

    assert_sdk_code(
        app.client
            .update_user_attributes()
            .access_token(&token)
            .user_attributes(attr("email_verified", "true"))
            .send()
            .await,
        "NotAuthorizedException",
    );
    let none = app
        .client
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("family_name", "Jones"))
        .send()
        .await
        .expect("UpdateUserAttributes");
    assert!(none.code_delivery_details_list().is_empty());

    app.client
        .delete_user()
        .access_token(&token)
        .send()
        .await
        .expect("DeleteUser");
    assert_sdk_code(
        app.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("tom")
            .send()
            .await,
        "UserNotFoundException",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_service_operations_refuse_a_bad_token() {
    let app = spawn_app().await;
    let e = expect_err(
        app.client
            .get_user()
            .access_token("not.a.token")
            .send()
            .await,
    );
    assert_eq!(
        e,
        (
            "NotAuthorizedException".into(),
            "Invalid Access Token".into()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// ListUsers

async fn list_pool(app: &TestApp) -> String {
    let pool = app.create_pool("list").await;
    for (name, given, phone) in [
        ("alice", "Alice", "+48555000001"),
        ("bob", "Bob", "+33666000002"),
        ("alfred", "Alfred", "+48555000003"),
    ] {
        app.client
            .admin_create_user()
            .user_pool_id(&pool)
            .username(name)
            .message_action(MessageActionType::Suppress)
            .user_attributes(attr("given_name", given))
            .user_attributes(attr("phone_number", phone))
            .send()
            .await
            .expect("AdminCreateUser");
    }
    pool
}

async fn names(app: &TestApp, pool: &str, filter: &str) -> Vec<String> {
    let out = app
        .client
        .list_users()
        .user_pool_id(pool)
        .filter(filter)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListUsers {filter}: {e:?}"));
    // Cognito promises no order; compare sets.
    let mut v: Vec<String> = out
        .users()
        .iter()
        .filter_map(|u| u.username().map(str::to_string))
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_users_filters_exactly_and_by_prefix() {
    let app = spawn_app().await;
    let pool = list_pool(&app).await;
    assert_eq!(names(&app, &pool, "").await, ["alfred", "alice", "bob"]);
    assert_eq!(names(&app, &pool, r#"username = "bob""#).await, ["bob"]);
    assert_eq!(
        names(&app, &pool, r#"given_name ^= "Al""#).await,
        ["alfred", "alice"]
    );
    assert_eq!(
        names(&app, &pool, r#"phone_number^="+48""#).await,
        ["alfred", "alice"]
    );
    assert_eq!(
        names(&app, &pool, r#"family_name = """#).await,
        Vec::<String>::new()
    );
    app.client
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .expect("disable");
    assert_eq!(names(&app, &pool, r#"status = "Disabled""#).await, ["bob"]);
    assert_eq!(
        names(&app, &pool, r#"status = "Enabled""#).await,
        ["alfred", "alice"]
    );
    app.client
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("alfred")
        .password("Passw0rd!")
        .permanent(true)
        .send()
        .await
        .expect("set password");
    assert_eq!(
        names(&app, &pool, r#"cognito:user_status = "CONFIRMED""#).await,
        ["alfred"]
    );
    let sub = app.user_attributes(&pool, "alice").await["sub"].clone();
    assert_eq!(
        names(&app, &pool, &format!(r#"sub = "{sub}""#)).await,
        ["alice"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filtered_list_users_pages_through_every_match_once() {
    let app = spawn_app().await;
    let pool = app.create_pool("pages").await;
    for i in 0..7 {
        app.client
            .admin_create_user()
            .user_pool_id(&pool)
            .username(format!("member{i}"))
            .message_action(MessageActionType::Suppress)
            .user_attributes(attr("email", &format!("m{i}@club.example")))
            .send()
            .await
            .expect("AdminCreateUser");
    }
    app.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("outsider")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attr("email", "o@elsewhere.example"))
        .send()
        .await
        .expect("AdminCreateUser");
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = app
            .client
            .list_users()
            .user_pool_id(&pool)
            .filter(r#"email ^= "m""#)
            .limit(3)
            .set_pagination_token(token.clone())
            .send()
            .await
            .expect("ListUsers");
        assert!(out.users().len() <= 3);
        seen.extend(
            out.users()
                .iter()
                .filter_map(|u| u.username().map(str::to_string)),
        );
        token = out.pagination_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    seen.sort();
    let want: Vec<String> = (0..7).map(|i| format!("member{i}")).collect();
    assert_eq!(seen, want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_users_refuses_bad_filters_with_cognitos_texts() {
    let app = spawn_app().await;
    let pool = app.create_pool("bad").await;
    for bad in ["username = foo", "username="] {
        let e = expect_err(
            app.client
                .list_users()
                .user_pool_id(&pool)
                .filter(bad)
                .send()
                .await,
        );
        assert_eq!(
            e,
            (
                "InvalidParameterException".into(),
                "Error while parsing filter".into()
            ),
            "{bad}"
        );
    }
    assert_sdk_err(
        app.client
            .list_users()
            .user_pool_id(&pool)
            .filter(r#"custom:foo = "bar""#)
            .send()
            .await,
        "InvalidParameterException",
        "Invalid search attribute: custom:foo",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_users_pages_and_returns_only_the_attributes_asked_for() {
    let app = spawn_app().await;
    let pool = list_pool(&app).await;
    let first = app
        .client
        .list_users()
        .user_pool_id(&pool)
        .limit(2)
        .send()
        .await
        .expect("page 1");
    assert_eq!(first.users().len(), 2);
    let token = first.pagination_token().expect("a token").to_string();
    let second = app
        .client
        .list_users()
        .user_pool_id(&pool)
        .limit(2)
        .pagination_token(token)
        .send()
        .await
        .expect("page 2");
    assert_eq!(second.users().len(), 1);
    assert!(second.pagination_token().is_none());
    let mut all: Vec<&str> = first
        .users()
        .iter()
        .chain(second.users())
        .filter_map(|u| u.username())
        .collect();
    all.sort();
    assert_eq!(all, ["alfred", "alice", "bob"]);

    let filtered = app
        .client
        .list_users()
        .user_pool_id(&pool)
        .filter(r#"given_name ^= "Al""#)
        .limit(1)
        .send()
        .await
        .expect("filtered page 1");
    assert_eq!(filtered.users().len(), 1);
    let next = app
        .client
        .list_users()
        .user_pool_id(&pool)
        .filter(r#"given_name ^= "Al""#)
        .limit(1)
        .pagination_token(filtered.pagination_token().expect("token"))
        .send()
        .await
        .expect("filtered page 2");
    assert_eq!(next.users().len(), 1);
    assert!(next.pagination_token().is_none());
    let mut both = vec![filtered.users()[0].username(), next.users()[0].username()];
    both.sort();
    assert_eq!(both, [Some("alfred"), Some("alice")]);

    let only = app
        .client
        .list_users()
        .user_pool_id(&pool)
        .attributes_to_get("given_name")
        .send()
        .await
        .expect("AttributesToGet");
    for u in only.users() {
        let names: Vec<&str> = u.attributes().iter().map(|a| a.name()).collect();
        assert_eq!(names, ["given_name"]);
    }

    assert_sdk_code(
        app.client
            .list_users()
            .user_pool_id(&pool)
            .pagination_token("garbage!")
            .send()
            .await,
        "InvalidParameterException",
    );
}

/// Users read by name are kept in memory between commits (the store's user cache): every write
/// must show in the very next read, whichever operation made it. Each user is read twice first,
/// so that the second read comes from memory if anything does.
#[tokio::test]
async fn every_write_shows_in_the_next_read_of_the_user() {
    let app = spawn_app().await;
    let pool = app.create_pool("reads after writes").await;
    let client = app.create_client(&pool).await;
    app.confirmed_user(
        &pool,
        "alice",
        "Passw0rd!",
        &[("email", "alice@example.com")],
    )
    .await;
    let get = || {
        app.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("alice")
            .send()
    };
    let name =
        |u: &aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput| {
            attribute_map(u.user_attributes()).get("name").cloned()
        };
    for _ in 0..2 {
        assert_eq!(name(&get().await.expect("read")), None);
    }

    app.client
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("alice")
        .user_attributes(attr("name", "Alice"))
        .send()
        .await
        .expect("update");
    assert_eq!(name(&get().await.expect("read")).as_deref(), Some("Alice"));
    assert_eq!(name(&get().await.expect("read")).as_deref(), Some("Alice"));

    app.client
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .expect("disable");
    assert!(!get().await.expect("read").enabled());
    assert_sdk_err(
        app.password_auth(&client, "alice", "Passw0rd!").await,
        "NotAuthorizedException",
        "User is disabled.",
    );
    app.client
        .admin_enable_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .expect("enable");
    assert!(get().await.expect("read").enabled());

    app.set_permanent_password(&pool, "alice", "N3w-Passw0rd!")
        .await;
    assert_sdk_err(
        app.password_auth(&client, "alice", "Passw0rd!").await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    app.password_sign_in(&client, "alice", "N3w-Passw0rd!")
        .await;

    app.client
        .admin_delete_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .expect("delete");
    assert_sdk_err(get().await, "UserNotFoundException", "User does not exist.");
}

//! Places where the emulator once differed from Cognito (schema rules, message templates, input
//! hygiene, regions), each driven through the AWS SDK for Rust with the exact wire result.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, DefaultEmailOptionType, NumberAttributeConstraintsType, PasswordPolicyType,
    SchemaAttributeType, StringAttributeConstraintsType, UserPoolMfaType, UserPoolPolicyType,
    VerificationMessageTemplateType,
};
use serde_json::json;

const PASSWORD: &str = "Passw0rd!";

fn schema(name: &str, ty: Option<AttributeDataType>) -> SchemaAttributeType {
    SchemaAttributeType::builder()
        .name(name)
        .set_attribute_data_type(ty)
        .build()
}

fn string_limits(name: &str, min: &str, max: Option<&str>) -> SchemaAttributeType {
    SchemaAttributeType::builder()
        .name(name)
        .attribute_data_type(AttributeDataType::String)
        .string_attribute_constraints(
            StringAttributeConstraintsType::builder()
                .min_length(min)
                .set_max_length(max.map(str::to_string))
                .build(),
        )
        .build()
}

// 1. Developer-only attributes are `dev:custom:<name>`.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn developer_only_attributes_are_named_dev_custom() {
    let app = spawn_app().await;
    let mut dev = schema("secret", Some(AttributeDataType::String));
    dev.developer_only_attribute = Some(true);
    let created = app
        .client
        .create_user_pool()
        .pool_name("dev")
        .schema(dev.clone())
        .send()
        .await
        .expect("CreateUserPool");
    let pool = created
        .user_pool()
        .and_then(|p| p.id())
        .unwrap()
        .to_string();
    let described = app
        .client
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("DescribeUserPool");
    let entry = described
        .user_pool()
        .unwrap()
        .schema_attributes()
        .iter()
        .find(|a| a.developer_only_attribute() == Some(true))
        .expect("the developer-only attribute");
    assert_eq!(entry.name(), Some("dev:custom:secret"));
    assert_sdk_err(
        app.client
            .add_custom_attributes()
            .user_pool_id(&pool)
            .custom_attributes(dev)
            .send()
            .await,
        "InvalidParameterException",
        "custom:secret: Existing attribute already has name dev:custom:secret.",
    );
    // Administrators write and read it under that name.
    app.create_user(&pool, "jane", PASSWORD, &[("dev:custom:secret", "s3")])
        .await;
    let attrs = app.user_attributes(&pool, "jane").await;
    assert_eq!(
        attrs.get("dev:custom:secret").map(String::as_str),
        Some("s3")
    );
    assert_sdk_err(
        app.client
            .admin_update_user_attributes()
            .user_pool_id(&pool)
            .username("jane")
            .user_attributes(attr("custom:secret", "x"))
            .send()
            .await,
        "InvalidParameterException",
        "user.custom:secret: Attribute does not exist in the schema.\n",
    );
}

// 2. Standard attributes keep their data type and are never developer-only.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_attributes_cannot_be_retyped_or_made_developer_only() {
    let app = spawn_app().await;
    let mut dev_email = schema("email", Some(AttributeDataType::String));
    dev_email.developer_only_attribute = Some(true);
    for attribute in [schema("email", Some(AttributeDataType::Number)), dev_email] {
        assert_sdk_err(
            app.client
                .create_user_pool()
                .pool_name("std")
                .schema(attribute)
                .send()
                .await,
            "InvalidParameterException",
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
        );
    }
    let listed = app
        .client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect("ListUserPools");
    assert!(listed.user_pools().is_empty(), "nothing was created");
    // The same type, or none, is accepted.
    app.client
        .create_user_pool()
        .pool_name("std")
        .schema(schema("email", None))
        .schema(schema("name", Some(AttributeDataType::String)))
        .send()
        .await
        .expect("CreateUserPool with the standard types");
}

// 5. Custom attributes need an AttributeDataType.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_attributes_without_a_data_type_are_refused() {
    let app = spawn_app().await;
    let text =
        "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.";
    assert_sdk_err(
        app.client
            .create_user_pool()
            .pool_name("untyped")
            .schema(schema("tier", None))
            .send()
            .await,
        "InvalidParameterException",
        text,
    );
    let pool = app.create_pool("typed").await;
    assert_sdk_err(
        app.client
            .add_custom_attributes()
            .user_pool_id(&pool)
            .custom_attributes(schema("tier", None))
            .send()
            .await,
        "InvalidParameterException",
        text,
    );
}

// 10. Schema constraints are checked, never stored as given.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_constraints_are_checked() {
    let app = spawn_app().await;
    let create = |attribute: SchemaAttributeType| {
        app.client
            .create_user_pool()
            .pool_name("limits")
            .schema(attribute)
            .send()
    };
    assert_sdk_err(
        create(string_limits("tier", "invalid", None)).await,
        "InvalidParameterException",
        "Invalid StringAttributeConstraints for schema attribute custom:tier",
    );
    assert_sdk_err(
        create(string_limits("tier", "0", Some("2049"))).await,
        "InvalidParameterException",
        "user.custom:tier: String attributes cannot have a length of more than 2048",
    );
    assert_sdk_err(
        create(string_limits("email", "2049", None)).await,
        "InvalidParameterException",
        "user.email: String attributes cannot have a length of more than 2048",
    );
    assert_sdk_err(
        create(string_limits("email", "5", Some("2"))).await,
        "InvalidParameterException",
        "user.email: Max length cannot be less than min length.",
    );
    let number = |min: &str, max: &str| {
        SchemaAttributeType::builder()
            .name("level")
            .attribute_data_type(AttributeDataType::Number)
            .number_attribute_constraints(
                NumberAttributeConstraintsType::builder()
                    .min_value(min)
                    .max_value(max)
                    .build(),
            )
            .build()
    };
    assert_sdk_err(
        create(number("10", "1")).await,
        "InvalidParameterException",
        "user.custom:level: Max value cannot be less than min value.",
    );
    assert_sdk_err(
        create(number("one", "10")).await,
        "InvalidParameterException",
        "Invalid NumberAttributeConstraints for schema attribute custom:level",
    );
    let pool = app.create_pool("limits").await;
    assert_sdk_err(
        app.client
            .add_custom_attributes()
            .user_pool_id(&pool)
            .custom_attributes(string_limits("tier", "3", Some("1")))
            .send()
            .await,
        "InvalidParameterException",
        "user.custom:tier: Max length cannot be less than min length.",
    );
    let ok = create(string_limits("tier", "1", Some("2048")))
        .await
        .expect("valid limits");
    let tier = ok
        .user_pool()
        .unwrap()
        .schema_attributes()
        .iter()
        .find(|a| a.name() == Some("custom:tier"))
        .and_then(|a| a.string_attribute_constraints().cloned())
        .expect("the limits");
    assert_eq!(
        (tier.min_length(), tier.max_length()),
        (Some("1"), Some("2048"))
    );
}

// 3. AdminResetUserPassword refuses a disabled user.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_reset_user_password_refuses_a_disabled_user() {
    let app = spawn_app().await;
    let pool = app.create_pool("disabled").await;
    app.confirmed_user(&pool, "jane", PASSWORD, &[("email", "jane@example.com")])
        .await;
    app.client
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("jane")
        .send()
        .await
        .expect("AdminDisableUser");
    assert_sdk_err(
        app.client
            .admin_reset_user_password()
            .user_pool_id(&pool)
            .username("jane")
            .send()
            .await,
        "NotAuthorizedException",
        "User is disabled.",
    );
    assert_eq!(app.user_status(&pool, "jane").await, "CONFIRMED");
}

// 4. The verification message template and the older members are one setting.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_messages_show_in_the_template_and_the_older_members() {
    let app = spawn_app().await;
    let created = app
        .client
        .create_user_pool()
        .pool_name("templates")
        .verification_message_template(
            VerificationMessageTemplateType::builder()
                .sms_message("SMS {####}")
                .email_message("Mail {####}")
                .email_subject("Subject")
                .build(),
        )
        .send()
        .await
        .expect("CreateUserPool");
    let pool = created.user_pool().unwrap();
    assert_eq!(pool.sms_verification_message(), Some("SMS {####}"));
    assert_eq!(pool.email_verification_message(), Some("Mail {####}"));
    assert_eq!(pool.email_verification_subject(), Some("Subject"));
    let id = pool.id().unwrap().to_string();
    let describe = || async {
        app.client
            .describe_user_pool()
            .user_pool_id(&id)
            .send()
            .await
            .expect("DescribeUserPool")
            .user_pool
            .expect("a pool")
    };
    assert_eq!(
        describe().await.email_verification_message(),
        Some("Mail {####}")
    );
    // The older members on update show in the template.
    app.client
        .update_user_pool()
        .user_pool_id(&id)
        .sms_verification_message("New SMS {####}")
        .email_verification_message("New mail {####}")
        .email_verification_subject("New subject")
        .send()
        .await
        .expect("UpdateUserPool");
    let pool = describe().await;
    let template = pool.verification_message_template().expect("a template");
    assert_eq!(template.sms_message(), Some("New SMS {####}"));
    assert_eq!(template.email_message(), Some("New mail {####}"));
    assert_eq!(template.email_subject(), Some("New subject"));
    assert_eq!(
        template.default_email_option(),
        Some(&DefaultEmailOptionType::ConfirmWithCode)
    );
    // ...and the template on update shows in the older members.
    app.client
        .update_user_pool()
        .user_pool_id(&id)
        .verification_message_template(
            VerificationMessageTemplateType::builder()
                .email_message("Third {####}")
                .build(),
        )
        .send()
        .await
        .expect("UpdateUserPool");
    let pool = describe().await;
    assert_eq!(pool.email_verification_message(), Some("Third {####}"));
    assert_eq!(pool.sms_verification_message(), None);
    // The older members on create show in the template, and the code goes out with them.
    let legacy = app
        .create_pool_with(json!({
            "PoolName": "legacy",
            "AutoVerifiedAttributes": ["email"],
            "EmailVerificationMessage": "Legacy {####}",
            "EmailVerificationSubject": "Legacy subject"
        }))
        .await;
    let described = app
        .call("DescribeUserPool", json!({ "UserPoolId": legacy }))
        .await;
    assert_eq!(
        described["UserPool"]["VerificationMessageTemplate"]["EmailMessage"],
        "Legacy {####}"
    );
    assert_eq!(
        described["UserPool"]["VerificationMessageTemplate"]["EmailSubject"],
        "Legacy subject"
    );
}

// 7. MFA ON without a factor: Cognito's current text.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mfa_on_without_a_factor_uses_the_current_text() {
    let app = spawn_app().await;
    let pool = app.create_pool("mfa").await;
    assert_sdk_err(
        app.client
            .set_user_pool_mfa_config()
            .user_pool_id(&pool)
            .mfa_configuration(UserPoolMfaType::On)
            .send()
            .await,
        "InvalidParameterException",
        "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled.",
    );
}

// 8. ListUsers AttributesToGet names only attributes of the pool.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_users_refuses_attributes_the_pool_lacks() {
    let app = spawn_app().await;
    let pool = app.create_pool("list").await;
    app.create_user(&pool, "jane", PASSWORD, &[("email", "jane@example.com")])
        .await;
    assert_sdk_err(
        app.client
            .list_users()
            .user_pool_id(&pool)
            .attributes_to_get("email")
            .attributes_to_get("custom:tier")
            .send()
            .await,
        "InvalidParameterException",
        "One or more requested attributes do not exist.",
    );
    let listed = app
        .client
        .list_users()
        .user_pool_id(&pool)
        .attributes_to_get("email")
        .send()
        .await
        .expect("ListUsers");
    let attrs = attribute_map(listed.users()[0].attributes());
    assert_eq!(attrs.len(), 1);
    assert_eq!(attrs["email"], "jane@example.com");
}

// 9. SignUp names every undeclared attribute; AdminCreateUser keeps its own text.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_names_every_undeclared_attribute() {
    let app = spawn_app().await;
    let pool = app.create_pool("undeclared").await;
    let client = app.create_client(&pool).await;
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("jane")
            .password(PASSWORD)
            .user_attributes(attr("custom:nope", "1"))
            .user_attributes(attr("email", "jane@example.com"))
            .user_attributes(attr("shoe_size", "9"))
            .send()
            .await,
        "InvalidParameterException",
        "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\nshoe_size: Attribute does not exist in the schema.\n",
    );
    assert_sdk_err(
        app.client
            .admin_create_user()
            .user_pool_id(&pool)
            .username("jane")
            .user_attributes(attr("custom:nope", "1"))
            .send()
            .await,
        "InvalidParameterException",
        "Attributes did not conform to the schema: Type for attribute {custom:nope} could not be determined",
    );
}

// 11. Input hygiene: control characters, PasswordHistorySize.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_are_refused_in_addresses_and_user_names() {
    let app = spawn_app().await;
    let pool = app.create_pool("hygiene").await;
    let client = app.create_client(&pool).await;
    assert_sdk_err(
        app.client
            .admin_create_user()
            .user_pool_id(&pool)
            .username("jane")
            .user_attributes(attr("email", "x\u{0}y@example.com"))
            .send()
            .await,
        "InvalidParameterException",
        "Invalid email address format.",
    );
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("jane")
            .password(PASSWORD)
            .user_attributes(attr("phone_number", "+1206555\u{0}1234"))
            .send()
            .await,
        "InvalidParameterException",
        "Invalid phone number format.",
    );
    let (code, message) = expect_err(
        app.client
            .sign_up()
            .client_id(&client)
            .username("ja\u{0}ne")
            .password(PASSWORD)
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
    );
    let listed = app
        .client
        .list_users()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("ListUsers");
    assert!(listed.users().is_empty(), "nothing was stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_history_size_shows_only_when_set() {
    let app = spawn_app().await;
    let plain = app.create_pool("plain").await;
    let described = app
        .call("DescribeUserPool", json!({ "UserPoolId": plain }))
        .await;
    let policy = &described["UserPool"]["Policies"]["PasswordPolicy"];
    assert_eq!(policy["MinimumLength"], 8);
    assert!(
        policy.get("PasswordHistorySize").is_none(),
        "not set, not shown: {policy}"
    );
    let created = app
        .client
        .create_user_pool()
        .pool_name("history")
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(8)
                        .password_history_size(3)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("CreateUserPool");
    let policy = created
        .user_pool()
        .and_then(|p| p.policies())
        .and_then(|p| p.password_policy())
        .expect("a password policy");
    assert_eq!(policy.password_history_size(), Some(3));
}

// 6. Regions: pools are made in the region the client signed for.

fn client_in(base_url: &str, region: &'static str) -> aws_sdk_cognitoidentityprovider::Client {
    use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Region};
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .endpoint_url(base_url)
        .credentials_provider(aws_credential_types::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .retry_config(aws_sdk_cognitoidentityprovider::config::retry::RetryConfig::disabled())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_cognitoidentityprovider::Client::from_conf(config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pools_take_the_region_the_client_signed_for() {
    let app = spawn_app().await;
    let eu = client_in(&app.base_url, "eu-west-1");
    let created = eu
        .create_user_pool()
        .pool_name("dublin")
        .send()
        .await
        .expect("CreateUserPool in eu-west-1");
    let pool = created.user_pool().unwrap();
    let id = pool.id().unwrap().to_string();
    assert!(id.starts_with("eu-west-1_"), "{id}");
    assert_eq!(
        pool.arn(),
        Some(format!("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{id}").as_str())
    );
    // A pool of us-east-1 beside it.
    let us_id = app.create_pool("virginia").await;
    assert!(us_id.starts_with("us-east-1_"), "{us_id}");
    let listed = eu
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect("ListUserPools");
    let mut ids: Vec<&str> = listed.user_pools().iter().filter_map(|p| p.id()).collect();
    ids.sort();
    let mut want = vec![id.as_str(), us_id.as_str()];
    want.sort();
    assert_eq!(ids, want);
    // The ARN names the pool for tagging, and the tokens name its issuer.
    eu.tag_resource()
        .resource_arn(format!(
            "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{id}"
        ))
        .tags("env", "test")
        .send()
        .await
        .expect("TagResource with the eu-west-1 ARN");
    let client = app.create_client(&id).await;
    app.confirmed_user(&id, "jane", PASSWORD, &[]).await;
    let signed_in = eu
        .initiate_auth()
        .client_id(&client)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "jane")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth");
    let tokens = signed_in.authentication_result().expect("tokens");
    let id_claims = claims(tokens.id_token().unwrap());
    assert_eq!(id_claims["iss"], format!("{}/{id}", app.base_url));
    let jwks = app.get(&format!("/{id}/.well-known/jwks.json")).await;
    assert_eq!(jwks.0, 200);
    // An unsigned request for an eu-west-1 pool stays there (GetUser by its access token).
    let user = eu
        .get_user()
        .access_token(tokens.access_token().unwrap())
        .send()
        .await
        .expect("GetUser");
    assert_eq!(user.username(), "jane");
}

// 12. Link-mode verification messages (DefaultEmailOption CONFIRM_WITH_LINK).

/// The href of the first link in an HTML body, `&amp;` decoded.
fn first_href(body: &str) -> String {
    let start = body.find("href=\"").expect("a link in the body") + 6;
    let end = body[start..].find('"').expect("a closed href") + start;
    body[start..end].replace("&amp;", "&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_mode_sign_up_emails_carry_a_link_that_confirms_the_user() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({
            "PoolName": "links",
            "AutoVerifiedAttributes": ["email"],
            "VerificationMessageTemplate": {
                "DefaultEmailOption": "CONFIRM_WITH_LINK",
                "EmailMessageByLink": "Welcome! {##Confirm my account##}",
                "EmailSubjectByLink": "Confirm your account"
            }
        }))
        .await;
    let client = app.create_client(&pool).await;
    let sign_up = |name: &'static str| {
        app.client
            .sign_up()
            .client_id(&client)
            .username(name)
            .password(PASSWORD)
            .user_attributes(attr("email", &format!("{name}@example.com")))
            .send()
    };
    sign_up("jane").await.expect("SignUp");
    let messages = app.messages("username=jane&purpose=SIGN_UP").await;
    let m = messages.last().expect("a sign-up message");
    let code = m["code"].as_str().expect("the code stays in the outbox");
    let link = format!(
        "{}/confirmUser?client_id={client}&user_name=jane&confirmation_code={code}",
        app.base_url
    );
    assert_eq!(
        m["body"].as_str(),
        Some(
            format!(
                "Welcome! <a href=\"{}\">Confirm my account</a>",
                link.replace('&', "&amp;")
            )
            .as_str()
        )
    );
    assert_eq!(m["subject"].as_str(), Some("Confirm your account"));

    // A wrong code shows ConfirmSignUp's error; the right link confirms and verifies the email.
    let wrong = link.replace(
        &format!("confirmation_code={code}"),
        "confirmation_code=000000x",
    );
    let resp = app.http.get(&wrong).send().await.expect("GET /confirmUser");
    assert_eq!(resp.status(), 400);
    let page = resp.text().await.unwrap_or_default();
    assert!(
        page.contains("Invalid verification code provided, please try again."),
        "{page}"
    );
    assert_eq!(app.user_status(&pool, "jane").await, "UNCONFIRMED");

    let resp = app
        .http
        .get(first_href(m["body"].as_str().unwrap_or_default()))
        .send()
        .await
        .expect("GET /confirmUser");
    assert_eq!(resp.status(), 200);
    let page = resp.text().await.unwrap_or_default();
    assert!(
        page.contains("Your registration has been confirmed!"),
        "{page}"
    );
    assert_eq!(app.user_status(&pool, "jane").await, "CONFIRMED");
    assert_eq!(
        app.user_attributes(&pool, "jane").await["email_verified"],
        "true"
    );

    // Following it again answers ConfirmSignUp's error for a confirmed user.
    let again = app.http.get(&link).send().await.expect("GET /confirmUser");
    assert_eq!(again.status(), 400);
    let page = again.text().await.unwrap_or_default();
    assert!(
        page.contains("User cannot be confirmed. Current status is CONFIRMED"),
        "{page}"
    );

    // ResendConfirmationCode sends a new link; default texts when the pool sets none.
    let plain = app
        .create_pool_with(json!({
            "PoolName": "links2",
            "AutoVerifiedAttributes": ["email"],
            "VerificationMessageTemplate": { "DefaultEmailOption": "CONFIRM_WITH_LINK" }
        }))
        .await;
    let plain_client = app.create_client(&plain).await;
    app.client
        .sign_up()
        .client_id(&plain_client)
        .username("bob")
        .password(PASSWORD)
        .user_attributes(attr("email", "bob@example.com"))
        .send()
        .await
        .expect("SignUp");
    app.client
        .resend_confirmation_code()
        .client_id(&plain_client)
        .username("bob")
        .send()
        .await
        .expect("ResendConfirmationCode");
    let messages = app
        .messages("username=bob&purpose=RESEND_CONFIRMATION")
        .await;
    let m = messages.last().expect("a resent message");
    let code = m["code"].as_str().expect("a code");
    assert_eq!(m["subject"].as_str(), Some("Your verification link"));
    let body = m["body"].as_str().unwrap_or_default();
    assert!(
        body.starts_with("Please click the link below to verify your email address. <a href=\""),
        "{body}"
    );
    let href = first_href(body);
    assert!(
        href.ends_with(&format!("confirmation_code={code}")),
        "{href}"
    );
    let resp = app.http.get(&href).send().await.expect("GET /confirmUser");
    assert_eq!(resp.status(), 200);
    assert_eq!(app.user_status(&plain, "bob").await, "CONFIRMED");

    // Codes elsewhere stay codes: ForgotPassword in a link-mode pool.
    app.client
        .forgot_password()
        .client_id(&plain_client)
        .username("bob")
        .send()
        .await
        .expect("ForgotPassword");
    let messages = app.messages("username=bob&purpose=FORGOT_PASSWORD").await;
    let body = messages
        .last()
        .and_then(|m| m["body"].as_str())
        .unwrap_or_default();
    assert!(!body.contains("href"), "{body}");
}

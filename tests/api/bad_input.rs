//! Valid-shaped but semantically bad input against today's self-service, device, MFA, passkey and
//! account operations: each gets Cognito's exception and message, never a 500, and changes nothing.
//! (Shape errors are walked for every operation by `protocol::hostile_bodies_...`.)

use crate::helpers::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cognito_emulator::model::catalog::{self, ShapeKind, SHAPES};
use cognito_emulator::ops::IMPLEMENTED;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "Passw0rd!x";
const UNKNOWN_DEVICE: &str = "us-east-1_0f0e0d0c-0000-4000-8000-000000000000";

/// A confirmed user with a permanent password.
async fn user(app: &TestApp, pool: &str, username: &str) {
    app.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": username, "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")},
                                  {"Name": "email_verified", "Value": "true"}]}),
    )
    .await;
    app.call(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": username, "Password": PASSWORD, "Permanent": true}),
    )
    .await;
}

/// USER_PASSWORD_AUTH: `(AccessToken, IdToken)`.
async fn tokens(app: &TestApp, client: &str, username: &str) -> (String, String) {
    let r = app
        .call(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD}}),
        )
        .await;
    let a = &r["AuthenticationResult"];
    (
        a["AccessToken"].as_str().unwrap_or_default().to_string(),
        a["IdToken"].as_str().unwrap_or_default().to_string(),
    )
}

fn jwt_part(token: &str, i: usize) -> Value {
    let part = token.split('.').nth(i).unwrap_or_default();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap_or_default()).unwrap_or(Value::Null)
}

/// The operations that take an `AccessToken`.
fn access_token_operations() -> Vec<&'static str> {
    IMPLEMENTED
        .iter()
        .copied()
        .filter(|name| {
            catalog::operation(name)
                .and_then(|op| op.input)
                .and_then(catalog::shape)
                .is_some_and(|s| s.members.iter().any(|m| m.name == "AccessToken"))
        })
        .collect()
}

/// A body that passes the model's constraints: required members (and AccessToken) with values
/// of the right shape, so only the token (or the named member) can be what is wrong.
fn valid_body(op: &str, token: &str) -> Value {
    let mut body = serde_json::Map::new();
    let Some(input) = catalog::operation(op)
        .and_then(|o| o.input)
        .and_then(catalog::shape)
    else {
        return Value::Object(body);
    };
    for m in input.members {
        let value = match m.name {
            "AccessToken" => json!(token),
            "DeviceKey" => json!(UNKNOWN_DEVICE),
            "UserCode" | "Code" => json!("123456"),
            "AttributeName" => json!("email"),
            "UserAttributeNames" => json!(["nickname"]),
            "ProposedPassword" | "PreviousPassword" => json!(PASSWORD),
            "UserAttributes" => json!([{"Name": "nickname", "Value": "n"}]),
            _ if !m.required => continue,
            _ => match SHAPES[m.target].kind {
                ShapeKind::List => json!([]),
                ShapeKind::Structure | ShapeKind::Map | ShapeKind::Document => json!({}),
                ShapeKind::Boolean => json!(true),
                ShapeKind::Integer | ShapeKind::Long => json!(1),
                _ => json!("x"),
            },
        };
        body.insert(m.name.into(), value);
    }
    Value::Object(body)
}

async fn users_of(app: &TestApp, pool: &str) -> Value {
    app.call("ListUsers", json!({"UserPoolId": pool})).await
}

/// Every access-token operation refuses each kind of bad token with the message
/// `verify_access_token` gives GetUser, and nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_access_token_operation_refuses_forged_expired_revoked_and_orphaned_tokens() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({"PoolName": "bad-tokens", "AutoVerifiedAttributes": ["email"]}))
        .await;
    let client = app.create_client(&pool).await;
    let other_pool = app.create_pool("other").await;
    for u in ["alice", "revoked", "deleted", "disabled"] {
        user(&app, &pool, u).await;
    }
    let (alice, alice_id) = tokens(&app, &client, "alice").await;
    let (revoked, _) = tokens(&app, &client, "revoked").await;
    let (deleted, _) = tokens(&app, &client, "deleted").await;
    let (disabled, _) = tokens(&app, &client, "disabled").await;
    app.call("GlobalSignOut", json!({"AccessToken": revoked}))
        .await;
    app.call(
        "AdminDeleteUser",
        json!({"UserPoolId": pool, "Username": "deleted"}),
    )
    .await;
    app.call(
        "AdminDisableUser",
        json!({"UserPoolId": pool, "Username": "disabled"}),
    )
    .await;

    // alice's own claims, signed with another pool's access key.
    let other_keys = app.state.pool_keys(&other_pool).await.expect("keys");
    let other_signed = other_keys.access.sign(&jwt_part(&alice, 1)).expect("signs");
    // alice's header and claims with no signature at all.
    let header = URL_SAFE_NO_PAD
        .encode(json!({"alg": "none", "kid": jwt_part(&alice, 0)["kid"]}).to_string());
    let unsigned = format!("{header}.{}.", alice.split('.').nth(1).unwrap_or_default());
    // One signature byte changed.
    let mut tampered = alice.clone();
    let last = if tampered.ends_with('A') { 'B' } else { 'A' };
    tampered.pop();
    tampered.push(last);

    let ops = access_token_operations();
    for expected in [
        "AssociateSoftwareToken",
        "ChangePassword",
        "CompleteWebAuthnRegistration",
        "ConfirmDevice",
        "DeleteUserAttributes",
        "DeleteWebAuthnCredential",
        "ForgetDevice",
        "GetDevice",
        "GetUserAttributeVerificationCode",
        "GetUserAuthFactors",
        "ListDevices",
        "ListWebAuthnCredentials",
        "SetUserMFAPreference",
        "SetUserSettings",
        "StartWebAuthnRegistration",
        "UpdateDeviceStatus",
        "VerifySoftwareToken",
        "VerifyUserAttribute",
    ] {
        assert!(ops.contains(&expected), "{expected} takes no AccessToken?");
    }

    let before = users_of(&app, &pool).await;
    let invalid = ("NotAuthorizedException", "Invalid Access Token");
    let cases: Vec<(&str, String, (&str, &str))> = vec![
        ("garbage", "garbage.not.a-jwt".into(), invalid),
        ("one segment", "abc".into(), invalid),
        ("an ID token", alice_id.clone(), invalid),
        ("another pool's key", other_signed, invalid),
        ("alg none", unsigned, invalid),
        ("a changed signature", tampered, invalid),
        (
            "a GlobalSignOut",
            revoked,
            ("NotAuthorizedException", "Access Token has been revoked"),
        ),
        (
            "a deleted user",
            deleted,
            ("UserNotFoundException", "User does not exist."),
        ),
        (
            "a disabled user",
            disabled,
            ("NotAuthorizedException", "User is disabled."),
        ),
    ];
    for (what, token, (code, message)) in &cases {
        for op in &ops {
            let got = app.call_err(op, valid_body(op, token)).await;
            assert_eq!(
                (got.1.as_str(), got.2.as_str()),
                (*code, *message),
                "{op} with {what}"
            );
            assert_eq!(got.0, StatusCode::BAD_REQUEST, "{op} with {what}");
        }
    }

    app.advance_clock(3601).await;
    for op in &ops {
        let got = app.call_err(op, valid_body(op, &alice)).await;
        assert_eq!(
            (got.1.as_str(), got.2.as_str()),
            ("NotAuthorizedException", "Access Token has expired"),
            "{op} with an expired token"
        );
    }
    assert_eq!(
        before,
        users_of(&app, &pool).await,
        "a refused call changed a user"
    );
}

/// Asserts `(code, message)`; a `None` message only checks the exception.
async fn refused(app: &TestApp, op: &str, body: Value, code: &str, message: Option<&str>) {
    let (status, got_code, got_message) = app.call_err(op, body.clone()).await;
    assert!(
        status.is_client_error(),
        "{op} {body}: {status} {got_code} {got_message}"
    );
    assert_eq!(got_code, code, "{op} {body}: {got_message}");
    if let Some(m) = message {
        assert_eq!(got_message, m, "{op} {body}");
    }
}

/// A pool tracking devices, with TOTP and passkeys on, and a signed-in user: `(pool, client, token)`.
async fn full_pool(app: &TestApp) -> (String, String, String) {
    let pool = app
        .create_pool_with(json!({
            "PoolName": "semantics",
            "AutoVerifiedAttributes": ["email"],
            "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": false,
                                    "DeviceOnlyRememberedOnUserPrompt": false},
            "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"},
            "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
        }))
        .await;
    app.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool, "MfaConfiguration": "OPTIONAL",
               "SoftwareTokenMfaConfiguration": {"Enabled": true},
               "WebAuthnConfiguration": {"RelyingPartyId": "localhost"}}),
    )
    .await;
    let client = app.create_client(&pool).await;
    user(app, &pool, "alice").await;
    let (token, _) = tokens(app, &client, "alice").await;
    (pool, client, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_devices_keys_and_pools_are_not_found_and_bad_page_tokens_are_invalid_parameters() {
    let app = spawn_app().await;
    let (pool, _client, token) = full_pool(&app).await;
    let before = users_of(&app, &pool).await;
    let no_device = Some("Device does not exist.");
    let key = UNKNOWN_DEVICE;
    for (op, body) in [
        ("GetDevice", json!({"AccessToken": token, "DeviceKey": key})),
        (
            "ForgetDevice",
            json!({"AccessToken": token, "DeviceKey": key}),
        ),
        (
            "UpdateDeviceStatus",
            json!({"AccessToken": token, "DeviceKey": key, "DeviceRememberedStatus": "remembered"}),
        ),
        (
            "ConfirmDevice",
            json!({"AccessToken": token, "DeviceKey": key,
                   "DeviceSecretVerifierConfig": {"PasswordVerifier": "AAAA", "Salt": "AAAA"}}),
        ),
        (
            "AdminGetDevice",
            json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": key}),
        ),
        (
            "AdminForgetDevice",
            json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": key}),
        ),
        (
            "AdminUpdateDeviceStatus",
            json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": key,
                   "DeviceRememberedStatus": "not_remembered"}),
        ),
    ] {
        refused(&app, op, body, "ResourceNotFoundException", no_device).await;
    }

    // Unknown pools and users behind the Admin operations of today.
    let no_pool = Some("User pool us-east-1_NoSuchP00l does not exist.");
    for op in [
        "AdminGetDevice",
        "AdminListDevices",
        "AdminForgetDevice",
        "AdminUpdateDeviceStatus",
        "AdminResetUserPassword",
        "AdminDeleteUserAttributes",
        "AdminListUserAuthEvents",
        "AdminUpdateAuthEventFeedback",
        "AdminSetUserMFAPreference",
        "AdminSetUserSettings",
    ] {
        let mut body = valid_body(op, "");
        body["UserPoolId"] = json!("us-east-1_NoSuchP00l");
        body["Username"] = json!("alice");
        if body.get("EventId").is_some() {
            body["EventId"] = json!("no-such-event");
            body["FeedbackValue"] = json!("Valid");
        }
        refused(&app, op, body.clone(), "ResourceNotFoundException", no_pool).await;
        body["UserPoolId"] = json!(pool);
        body["Username"] = json!("nobody");
        refused(
            &app,
            op,
            body,
            "UserNotFoundException",
            Some("User does not exist."),
        )
        .await;
    }

    // Page tokens that were never handed out.
    let forged = URL_SAFE_NO_PAD.encode("abc");
    for t in ["not-a-token", "%%%", forged.as_str()] {
        refused(
            &app,
            "ListDevices",
            json!({"AccessToken": token, "PaginationToken": t}),
            "InvalidParameterException",
            Some("Invalid pagination token."),
        )
        .await;
        refused(
            &app,
            "AdminListDevices",
            json!({"UserPoolId": pool, "Username": "alice", "PaginationToken": t}),
            "InvalidParameterException",
            Some("Invalid pagination token."),
        )
        .await;
        refused(
            &app,
            "ListWebAuthnCredentials",
            json!({"AccessToken": token, "NextToken": t}),
            "InvalidParameterException",
            Some("Invalid pagination token."),
        )
        .await;
        refused(
            &app,
            "AdminListUserAuthEvents",
            json!({"UserPoolId": pool, "Username": "alice", "NextToken": t}),
            "InvalidParameterException",
            Some("Invalid pagination token."),
        )
        .await;
    }
    // Limits outside the model's range are validation errors; 0 means the default page.
    refused(
        &app,
        "ListDevices",
        json!({"AccessToken": token, "Limit": 61}),
        "InvalidParameterException",
        Some("1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"),
    )
    .await;
    refused(
        &app,
        "AdminListDevices",
        json!({"UserPoolId": pool, "Username": "alice", "Limit": -1}),
        "InvalidParameterException",
        Some("1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0"),
    )
    .await;
    refused(
        &app,
        "ListWebAuthnCredentials",
        json!({"AccessToken": token, "MaxResults": 21}),
        "InvalidParameterException",
        None,
    )
    .await;
    for (op, body) in [
        ("ListDevices", json!({"AccessToken": token, "Limit": 0})),
        (
            "AdminListDevices",
            json!({"UserPoolId": pool, "Username": "alice", "Limit": 0}),
        ),
        (
            "ListWebAuthnCredentials",
            json!({"AccessToken": token, "MaxResults": 0}),
        ),
        (
            "AdminListUserAuthEvents",
            json!({"UserPoolId": pool, "Username": "alice", "MaxResults": 0}),
        ),
    ] {
        app.call(op, body).await;
    }
    assert_eq!(before, users_of(&app, &pool).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_that_were_never_sent_and_malformed_answers_get_the_code_exceptions() {
    let app = spawn_app().await;
    let (pool, client, token) = full_pool(&app).await;
    let before = users_of(&app, &pool).await;

    refused(
        &app,
        "ConfirmForgotPassword",
        json!({"ClientId": client, "Username": "alice", "ConfirmationCode": "123456",
               "Password": "N3wPassw0rd!"}),
        "ExpiredCodeException",
        Some("Invalid code provided, please request a code again."),
    )
    .await;
    refused(
        &app,
        "VerifyUserAttribute",
        json!({"AccessToken": token, "AttributeName": "email", "Code": "123456"}),
        "ExpiredCodeException",
        Some("Invalid code provided, please request a code again."),
    )
    .await;
    // A TOTP code with letters fails the model's pattern.
    refused(
        &app,
        "VerifySoftwareToken",
        json!({"AccessToken": token, "UserCode": "12a456"}),
        "InvalidParameterException",
        Some("1 validation error detected: Value at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+"),
    )
    .await;
    // No AssociateSoftwareToken before.
    let (_, code, _) = app
        .call_err(
            "VerifySoftwareToken",
            json!({"AccessToken": token, "UserCode": "123456"}),
        )
        .await;
    assert!(
        code == "EnableSoftwareTokenMFAException" || code == "SoftwareTokenMFANotFoundException",
        "{code}"
    );
    refused(
        &app,
        "AdminUpdateAuthEventFeedback",
        json!({"UserPoolId": pool, "Username": "alice", "EventId": "no-such-event",
               "FeedbackValue": "Valid"}),
        "ResourceNotFoundException",
        None,
    )
    .await;
    // CREDENTIAL that is not a registration response.
    app.call("StartWebAuthnRegistration", json!({"AccessToken": token}))
        .await;
    for credential in [
        json!("{not json"),
        json!({"id": 5}),
        json!({"id": "x", "rawId": "x", "type": "public-key",
               "response": {"clientDataJSON": "!!", "attestationObject": "??"}}),
        json!([1, 2]),
    ] {
        refused(
            &app,
            "CompleteWebAuthnRegistration",
            json!({"AccessToken": token, "Credential": credential}),
            "InvalidParameterException",
            None,
        )
        .await;
    }
    let listed = app
        .call("ListWebAuthnCredentials", json!({"AccessToken": token}))
        .await;
    assert_eq!(listed["Credentials"], json!([]));
    assert_eq!(before, users_of(&app, &pool).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_device_verifiers_sessions_and_ids_change_nothing() {
    let app = spawn_app().await;
    let (pool, client, _) = full_pool(&app).await;
    let r = app
        .call(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
        )
        .await;
    let result = &r["AuthenticationResult"];
    let token = result["AccessToken"].as_str().unwrap_or_default();
    let device = result["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .expect("a device-tracking pool announces a new device");

    // A verifier that is not base64, or base64 of nothing, confirms nothing.
    for config in [
        json!({"PasswordVerifier": "!!!not base64", "Salt": "AAAA"}),
        json!({"PasswordVerifier": "AAAA", "Salt": "%%%"}),
        json!({"PasswordVerifier": "", "Salt": ""}),
        json!({"Salt": "AAAA"}),
        json!({}),
    ] {
        refused(
            &app,
            "ConfirmDevice",
            json!({"AccessToken": token, "DeviceKey": device, "DeviceSecretVerifierConfig": config}),
            "InvalidParameterException",
            None,
        )
        .await;
    }
    refused(
        &app,
        "AdminGetDevice",
        json!({"UserPoolId": pool, "Username": "alice", "DeviceKey": device}),
        "ResourceNotFoundException",
        Some("Device does not exist."),
    )
    .await;

    // MFA_SETUP sessions that were never handed out.
    let fake_session = "A".repeat(40);
    for op in ["AssociateSoftwareToken", "VerifySoftwareToken"] {
        let mut body = json!({"Session": fake_session});
        if op == "VerifySoftwareToken" {
            body["UserCode"] = json!("123456");
        }
        refused(&app, op, body, "NotAuthorizedException", None).await;
    }
    refused(
        &app,
        "AssociateSoftwareToken",
        json!({}),
        "InvalidParameterException",
        None,
    )
    .await;

    // Passkey ids and attributes the user does not have.
    for id in [
        "",
        "bm8tc3VjaC1jcmVkZW50aWFs",
        "'; DROP TABLE webauthn_credentials; --",
    ] {
        refused(
            &app,
            "DeleteWebAuthnCredential",
            json!({"AccessToken": token, "CredentialId": id}),
            "ResourceNotFoundException",
            None,
        )
        .await;
    }
    refused(
        &app,
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": token, "AttributeName": "phone_number"}),
        "InvalidParameterException",
        None,
    )
    .await;
    let me = app.call("GetUser", json!({"AccessToken": token})).await;
    assert_eq!(me["Username"], "alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_whose_message_cannot_be_built_leaves_the_user_as_it_was() {
    let app = spawn_app().await;
    // A CustomMessage function the emulator has no way to run (no --lambda-endpoint).
    let pool = app
        .create_pool_with(json!({
            "PoolName": "reset",
            "LambdaConfig": {"CustomMessage": "arn:aws:lambda:us-east-1:123456789012:function:msg"}
        }))
        .await;
    user(&app, &pool, "alice").await;
    let before = users_of(&app, &pool).await;
    refused(
        &app,
        "AdminResetUserPassword",
        json!({"UserPoolId": pool, "Username": "alice"}),
        "UnexpectedLambdaException",
        None,
    )
    .await;
    assert_eq!(before, users_of(&app, &pool).await);
    let u = app
        .call(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "alice"}),
        )
        .await;
    assert_eq!(u["UserStatus"], "CONFIRMED");
}

/// With a token that is valid, hostile text in every other member reaches the operations' own
/// code: whatever they answer, it is not a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_members_next_to_a_valid_access_token_never_get_a_500() {
    let app = spawn_app().await;
    let (_, _, token) = full_pool(&app).await;
    let long = "u".repeat(10 * 1024);
    let mut texts: Vec<&str> = crate::protocol::HOSTILE.to_vec();
    texts.push(&long);
    // These two end the token's life; the walk needs it.
    let ops: Vec<&str> = access_token_operations()
        .into_iter()
        .filter(|op| !["DeleteUser", "GlobalSignOut"].contains(op))
        .collect();
    for op in &ops {
        let Some(input) = catalog::operation(op).and_then(|o| o.input) else {
            continue;
        };
        let idx = catalog::shape_index(input).unwrap_or(0);
        for text in &texts {
            let mut body = crate::protocol::filled(idx, text, 0);
            if let Some(o) = body.as_object_mut() {
                o.insert("AccessToken".into(), json!(token));
                // One of AccessToken and Session: the token's path is the one walked.
                o.remove("Session");
                for limit in ["Limit", "MaxResults"] {
                    if o.contains_key(limit) {
                        o.insert(limit.into(), json!(10));
                    }
                }
            }
            let (status, _, resp) = app.raw(op, body).await;
            let what: String = text.chars().take(30).collect();
            assert!(
                !status.is_server_error(),
                "{op} with {what:?}: {status} {resp}"
            );
            if !status.is_success() {
                assert!(
                    resp["__type"]
                        .as_str()
                        .is_some_and(|t| t.ends_with("Exception")),
                    "{op} with {what:?}: {resp}"
                );
            }
        }
    }
    // The token survived the walk and still names alice.
    let me = app.call("GetUser", json!({"AccessToken": token})).await;
    assert_eq!(me["Username"], "alice");
}

//! Where the sign-in features meet (spec 2.1-2.7): every entry runs the same decision order
//! (PreAuthentication included), admin sign-ins never track devices whatever their AuthFlow, and
//! challenge answers accept any alias, hash the USERNAME sent and check their session the same
//! way whichever challenge they answer.

use crate::helpers::*;
use crate::triggers::{arn, FakeLambda, Reply};
use cognito_emulator::domain::secret_hash;
use cognito_emulator::Config;
use serde_json::{json, Value};

const PASSWORD: &str = "Passw0rd!";

async fn user_auth_client(app: &TestApp, pool_id: &str) -> String {
    app.client_with_flows(
        pool_id,
        &[
            "ALLOW_USER_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
    )
    .await
}

fn user_auth(client_id: &str, params: Value) -> Value {
    json!({"AuthFlow": "USER_AUTH", "ClientId": client_id, "AuthParameters": params})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_auth_password_and_one_time_code_factors_run_pre_authentication() {
    // bob is refused by the function; everyone else passes.
    let lambda = FakeLambda::start(|_, e| {
        if e["userName"] == "bob" {
            Reply::Throw("bob may not sign in".into())
        } else {
            Reply::Event(e.clone())
        }
    })
    .await;
    let app = spawn_app_with(Config {
        lambda_endpoint: Some(lambda.url.clone()),
        trigger_timeout_ms: 2000,
        ..Config::for_tests()
    })
    .await;
    let pool_id = app
        .create_pool_with(json!({
            "PoolName": "seams",
            "AutoVerifiedAttributes": ["email"],
            "LambdaConfig": {"PreAuthentication": arn("PreAuthentication")},
            "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
        }))
        .await;
    let client_id = user_auth_client(&app, &pool_id).await;
    app.confirmed_email_user(&pool_id, "amy", PASSWORD).await;
    app.confirmed_email_user(&pool_id, "bob", PASSWORD).await;

    // PASSWORD preferred.
    let out = app
        .call(
            "InitiateAuth",
            user_auth(
                &client_id,
                json!({"USERNAME": "amy", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}),
            ),
        )
        .await;
    assert!(out["AuthenticationResult"]["AccessToken"].is_string());
    assert_eq!(lambda.events("PreAuthentication").len(), 1);

    // PASSWORD chosen at SELECT_CHALLENGE.
    let select = app
        .call(
            "InitiateAuth",
            user_auth(&client_id, json!({"USERNAME": "amy"})),
        )
        .await;
    assert_eq!(select["ChallengeName"], "SELECT_CHALLENGE");
    let out = app
        .call(
            "RespondToAuthChallenge",
            json!({
                "ClientId": client_id,
                "ChallengeName": "SELECT_CHALLENGE",
                "Session": select["Session"],
                "ChallengeResponses": {"USERNAME": "amy", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD}
            }),
        )
        .await;
    assert!(out["AuthenticationResult"]["AccessToken"].is_string());
    assert_eq!(lambda.events("PreAuthentication").len(), 2);

    // EMAIL_OTP: the trigger runs before a code is sent.
    let out = app
        .call(
            "InitiateAuth",
            user_auth(
                &client_id,
                json!({"USERNAME": "amy", "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
            ),
        )
        .await;
    assert_eq!(out["ChallengeName"], "EMAIL_OTP");
    let pre = lambda.events("PreAuthentication");
    assert_eq!(pre.len(), 3);
    assert_eq!(pre[2]["triggerSource"], "PreAuthentication_Authentication");

    // Refused by the function: neither the password is checked nor a code sent.
    for params in [
        json!({"USERNAME": "bob", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "wrong"}),
        json!({"USERNAME": "bob", "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
    ] {
        app.assert_call_err(
            "InitiateAuth",
            user_auth(&client_id, params),
            "UserLambdaValidationException",
            "PreAuthentication failed with error bob may not sign in.",
        )
        .await;
    }
    assert!(app.last_code("bob", None).await.is_none());
}

#[tokio::test]
async fn admin_sign_ins_track_no_device_whatever_the_auth_flow() {
    let app = spawn_app().await;
    let pool_id = app
        .create_pool_with(json!({
            "PoolName": "seams",
            "DeviceConfiguration": {
                "ChallengeRequiredOnNewDevice": true,
                "DeviceOnlyRememberedOnUserPrompt": false
            }
        }))
        .await;
    let client_id = user_auth_client(&app, &pool_id).await;
    app.confirmed_email_user(&pool_id, "amy", PASSWORD).await;
    let params =
        json!({"USERNAME": "amy", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD});

    // The public USER_AUTH tracks the device...
    let public = app
        .call("InitiateAuth", user_auth(&client_id, params.clone()))
        .await;
    assert!(public["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"].is_string());

    // ...the admin one does not, and ignores a DEVICE_KEY as ADMIN_USER_PASSWORD_AUTH does.
    let mut body = user_auth(&client_id, params);
    body["UserPoolId"] = json!(pool_id);
    body["AuthParameters"]["DEVICE_KEY"] =
        public["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"].clone();
    let admin = app.call("AdminInitiateAuth", body).await;
    let result = &admin["AuthenticationResult"];
    assert!(result.get("NewDeviceMetadata").is_none(), "{admin}");
    let access = claims(result["AccessToken"].as_str().expect("AccessToken"));
    assert!(access.get("device_key").is_none(), "{access}");
}

#[tokio::test]
async fn challenge_answers_take_any_alias_hash_the_username_sent_and_check_the_session() {
    let app = spawn_app().await;
    let pool_id = app
        .create_pool_with(json!({"PoolName": "seams", "AliasAttributes": ["email"]}))
        .await;
    let (client_id, secret) = app.create_client_with_secret(&pool_id).await;
    app.email_user(&pool_id, "amy", PASSWORD).await;
    let hash = |name: &str| secret_hash::compute(&secret, name, &client_id);

    // Signed in by the email alias: the challenge names the internal user.
    let out = app
        .call(
            "InitiateAuth",
            json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": client_id,
                "AuthParameters": {
                    "USERNAME": "amy@example.com",
                    "PASSWORD": PASSWORD,
                    "SECRET_HASH": hash("amy@example.com")
                }
            }),
        )
        .await;
    assert_eq!(out["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(out["ChallengeParameters"]["USER_ID_FOR_SRP"], "amy");
    let session = out["Session"].clone();
    let answer = |name: &str, session: Value, username: &str, hash: String| {
        json!({
            "ClientId": client_id,
            "ChallengeName": name,
            "Session": session,
            "ChallengeResponses": {
                "USERNAME": username,
                "NEW_PASSWORD": "N3w-Passw0rd!",
                "SECRET_HASH": hash
            }
        })
    };

    // No Session.
    let mut missing = answer("NEW_PASSWORD_REQUIRED", Value::Null, "amy", hash("amy"));
    if let Some(o) = missing.as_object_mut() {
        o.remove("Session");
    }
    app.assert_call_err(
        "RespondToAuthChallenge",
        missing,
        "InvalidParameterException",
        "Missing required parameter Session",
    )
    .await;
    // A SECRET_HASH over another name than the USERNAME sent.
    let (_, code, _) = app
        .call_err(
            "RespondToAuthChallenge",
            answer(
                "NEW_PASSWORD_REQUIRED",
                session.clone(),
                "amy@example.com",
                hash("amy"),
            ),
        )
        .await;
    assert_eq!(code, "NotAuthorizedException");
    // The session of another challenge.
    app.assert_call_err(
        "RespondToAuthChallenge",
        answer("SMS_MFA", session.clone(), "amy", hash("amy")),
        "NotAuthorizedException",
        "Invalid session for the user.",
    )
    .await;
    // The alias as USERNAME, hashed as sent, answers.
    let out = app
        .call(
            "RespondToAuthChallenge",
            answer(
                "NEW_PASSWORD_REQUIRED",
                session,
                "amy@example.com",
                hash("amy@example.com"),
            ),
        )
        .await;
    assert!(out["AuthenticationResult"]["AccessToken"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_auth_with_a_password_migrates_an_unknown_user_and_a_one_time_code_does_not() {
    let lambda = FakeLambda::start(|name, e| {
        if name != "UserMigration" || e["request"]["password"] != PASSWORD {
            return Reply::Throw("User not found".into());
        }
        let user = e["userName"].as_str().unwrap_or_default();
        crate::triggers::respond(
            e,
            json!({
                "userAttributes": {"email": format!("{user}@old.example"), "email_verified": "true"},
                "finalUserStatus": "CONFIRMED",
                "messageAction": "SUPPRESS"
            }),
        )
    })
    .await;
    let app = spawn_app_with(Config {
        lambda_endpoint: Some(lambda.url.clone()),
        trigger_timeout_ms: 2000,
        ..Config::for_tests()
    })
    .await;
    let pool_id = app
        .create_pool_with(json!({
            "PoolName": "seams",
            "LambdaConfig": {"UserMigration": arn("UserMigration")},
            "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
        }))
        .await;
    let client_id = user_auth_client(&app, &pool_id).await;

    // A passwordless first factor asks no function.
    let (_, code, _) = app
        .call_err(
            "InitiateAuth",
            user_auth(
                &client_id,
                json!({"USERNAME": "old1", "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
            ),
        )
        .await;
    assert_eq!(code, "UserNotFoundException");
    assert!(lambda.events("UserMigration").is_empty());

    let out = app
        .call(
            "InitiateAuth",
            user_auth(
                &client_id,
                json!({"USERNAME": "old1", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}),
            ),
        )
        .await;
    let id = claims(
        out["AuthenticationResult"]["IdToken"]
            .as_str()
            .expect("IdToken"),
    );
    assert_eq!(id["email"], "old1@old.example");
    let events = lambda.events("UserMigration");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["triggerSource"], "UserMigration_Authentication");
}

/// Define: SRP first when asked, then one question whose answer is "4".
fn one_question(name: &str, e: &Value) -> Reply {
    let session = e["request"]["session"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let last = session.last().cloned().unwrap_or(Value::Null);
    let response = match name {
        "DefineAuthChallenge" if session.len() == 1 && last["challengeName"] == "SRP_A" => {
            json!({"challengeName": "PASSWORD_VERIFIER", "issueTokens": false, "failAuthentication": false})
        }
        "DefineAuthChallenge" if last["challengeName"] == "CUSTOM_CHALLENGE" => {
            json!({"issueTokens": last["challengeResult"] == true, "failAuthentication": last["challengeResult"] != true})
        }
        "DefineAuthChallenge" => {
            json!({"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false, "failAuthentication": false})
        }
        "CreateAuthChallenge" => json!({
            "publicChallengeParameters": {"question": "2 + 2 = ?"},
            "privateChallengeParameters": {"answer": "4"},
            "challengeMetadata": "QUIZ"
        }),
        "VerifyAuthChallengeResponse" => {
            json!({"answerCorrect": e["request"]["challengeAnswer"] == "4"})
        }
        _ => return Reply::Event(e.clone()),
    };
    crate::triggers::respond(e, response)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_auth_asks_mfa_only_right_after_a_password_verifier() {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use cognito_emulator::crypto::srp::client;

    let lambda = FakeLambda::start(one_question).await;
    let app = crate::triggers::app_for(&lambda).await;
    let (pool_id, client_id) = crate::triggers::pool_with_triggers(
        &app,
        &[
            "DefineAuthChallenge",
            "CreateAuthChallenge",
            "VerifyAuthChallengeResponse",
        ],
    )
    .await;
    app.seeded_user(&pool_id, "carol", crate::triggers::PASSWORD)
        .await;
    app.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool_id, "MfaConfiguration": "OPTIONAL",
               "EmailMfaConfiguration": {"Message": "Sign-in code: {####}", "Subject": "Code"}}),
    )
    .await;
    app.call(
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": pool_id, "Username": "carol",
               "EmailMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    )
    .await;

    // Without SRP: the custom challenge is the whole sign-in, no MFA follows it.
    let out = app
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": client_id,
                   "AuthParameters": {"USERNAME": "carol"}}),
        )
        .await;
    assert_eq!(out["ChallengeName"], "CUSTOM_CHALLENGE");
    let done = app
        .call(
            "RespondToAuthChallenge",
            json!({"ClientId": client_id, "ChallengeName": "CUSTOM_CHALLENGE",
                   "Session": out["Session"],
                   "ChallengeResponses": {"USERNAME": "carol", "ANSWER": "4"}}),
        )
        .await;
    assert!(
        done["AuthenticationResult"]["AccessToken"].is_string(),
        "{done}"
    );
    let defines = lambda.events("DefineAuthChallenge").len();

    // With SRP: Cognito's own MFA right after the password, then tokens without Define.
    let a: Vec<u8> = (0..128u32).map(|i| (i * 53 + 7) as u8).collect();
    let out = app
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": client_id,
                   "AuthParameters": {"USERNAME": "carol", "CHALLENGE_NAME": "SRP_A",
                                      "SRP_A": hex::encode(client::srp_a(&a))}}),
        )
        .await;
    assert_eq!(out["ChallengeName"], "PASSWORD_VERIFIER");
    let p = &out["ChallengeParameters"];
    let get = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    let timestamp = client::timestamp_at(app.state.clock.now());
    let block = STANDARD.decode(get("SECRET_BLOCK")).expect("base64");
    let pool_name = pool_id.split_once('_').map_or("", |(_, n)| n);
    let signature = client::signature(
        pool_name,
        &get("USER_ID_FOR_SRP"),
        crate::triggers::PASSWORD,
        &get("SALT"),
        &get("SRP_B"),
        &a,
        &block,
        &timestamp,
    );
    let mfa = app
        .call(
            "RespondToAuthChallenge",
            json!({"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
                   "ChallengeResponses": {
                       "USERNAME": "carol",
                       "PASSWORD_CLAIM_SECRET_BLOCK": get("SECRET_BLOCK"),
                       "PASSWORD_CLAIM_SIGNATURE": signature,
                       "TIMESTAMP": timestamp}}),
        )
        .await;
    assert_eq!(mfa["ChallengeName"], "EMAIL_OTP", "{mfa}");
    assert_eq!(lambda.events("DefineAuthChallenge").len(), defines + 1);
    let done = app
        .call(
            "RespondToAuthChallenge",
            json!({"ClientId": client_id, "ChallengeName": "EMAIL_OTP",
                   "Session": mfa["Session"],
                   "ChallengeResponses": {"USERNAME": "carol", "EMAIL_OTP_CODE": "123456"}}),
        )
        .await;
    assert!(
        done["AuthenticationResult"]["AccessToken"].is_string(),
        "{done}"
    );
    assert_eq!(lambda.events("DefineAuthChallenge").len(), defines + 1);
}

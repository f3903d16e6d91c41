//! Sign-in gaps closed as Cognito behaves: CUSTOM_AUTH for unknown users hidden by
//! PreventUserExistenceErrors, all-or-nothing code delivery, device proofs and lock-out, the
//! triggers of the auto sign-in, email subjects in the outbox, passkey MFA preferences.

use crate::helpers::*;
use crate::triggers::{app_for, arn, pool_with_triggers, respond, FakeLambda, Reply, PASSWORD};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use serde_json::{json, Value};

const CUSTOM: &[&str] = &[
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
];

/// A question whose answer is "4", three tries, tokens for a right answer: written as most
/// Define functions are, without looking at `userNotFound`.
fn quiz(name: &str, e: &Value) -> Reply {
    let session = e["request"]["session"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let last = session.last().cloned().unwrap_or(Value::Null);
    match name {
        "DefineAuthChallenge" => respond(
            e,
            if session.len() == 1 && last["challengeName"] == "SRP_A" {
                json!({"challengeName": "PASSWORD_VERIFIER"})
            } else if last["challengeName"] == "CUSTOM_CHALLENGE" && last["challengeResult"] == true
            {
                json!({"issueTokens": true, "failAuthentication": false})
            } else if session.len() >= 3 {
                json!({"issueTokens": false, "failAuthentication": true})
            } else {
                json!({"challengeName": "CUSTOM_CHALLENGE"})
            },
        ),
        "CreateAuthChallenge" => respond(
            e,
            json!({
                "publicChallengeParameters": {"question": "2 + 2 = ?"},
                "privateChallengeParameters": {"answer": "4"},
                "challengeMetadata": "QUIZ"
            }),
        ),
        "VerifyAuthChallengeResponse" => respond(
            e,
            json!({"answerCorrect":
                e["request"]["challengeAnswer"] == e["request"]["privateChallengeParameters"]["answer"]}),
        ),
        _ => Reply::Event(e.clone()),
    }
}

/// A pool with the quiz, user `carol`, and a client hiding user existence.
async fn hiding_quiz() -> (TestApp, FakeLambda, String) {
    let lambda = FakeLambda::start(quiz).await;
    let app = app_for(&lambda).await;
    let (pool_id, _) = pool_with_triggers(&app, CUSTOM).await;
    app.seeded_user(&pool_id, "carol", PASSWORD).await;
    let client = app
        .create_client_with(json!({
            "UserPoolId": pool_id, "ClientName": "hiding", "PreventUserExistenceErrors": "ENABLED",
            "ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        }))
        .await;
    let client_id = client["ClientId"].as_str().unwrap_or_default().to_string();
    (app, lambda, client_id)
}

async fn custom_start(
    app: &TestApp,
    client_id: &str,
    username: &str,
) -> aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput {
    app.client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", username)
        .send()
        .await
        .expect("a custom challenge")
}

async fn custom_answer(
    app: &TestApp,
    client_id: &str,
    username: &str,
    session: &str,
    answer: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeError,
    >,
>{
    app.client
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::CustomChallenge)
        .session(session)
        .challenge_responses("USERNAME", username)
        .challenge_responses("ANSWER", answer)
        .send()
        .await
}

fn shown(
    name: Option<&ChallengeNameType>,
    params: Option<&std::collections::HashMap<String, String>>,
) -> String {
    let sorted: std::collections::BTreeMap<_, _> = params.into_iter().flatten().collect();
    format!("{name:?} {sorted:?}")
}

/// Three wrong answers, as far as the caller can see: the challenges, then the final error.
async fn three_wrong_answers(app: &TestApp, client_id: &str, username: &str) -> Vec<String> {
    let start = custom_start(app, client_id, username).await;
    let mut seen = vec![shown(start.challenge_name(), start.challenge_parameters())];
    let mut session = start.session().expect("a Session").to_string();
    loop {
        match custom_answer(app, client_id, username, &session, "5").await {
            Ok(next) => {
                seen.push(shown(next.challenge_name(), next.challenge_parameters()));
                session = next.session().expect("a new Session").to_string();
            }
            Err(e) => {
                let (code, message) = err_code(&e);
                seen.push(format!("{code}: {message}"));
                return seen;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_auth_for_an_unknown_user_in_a_hiding_client_runs_the_triggers_and_fails_like_wrong_answers(
) {
    let (app, lambda, client_id) = hiding_quiz().await;
    let known = three_wrong_answers(&app, &client_id, "carol").await;
    let before = lambda.calls().len();
    let nobody = three_wrong_answers(&app, &client_id, "nobody").await;
    assert_eq!(
        nobody.last().map(String::as_str),
        Some("NotAuthorizedException: Incorrect username or password.")
    );
    assert_eq!(
        nobody.len(),
        known.len(),
        "same number of challenges: {known:?}"
    );
    assert_eq!(
        nobody[0],
        known[0].replace("carol", "nobody"),
        "the same challenge parameters"
    );

    let calls = lambda.calls()[before..].to_vec();
    let names: Vec<&str> = calls.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names[..4],
        [
            "DefineAuthChallenge",
            "CreateAuthChallenge",
            "VerifyAuthChallengeResponse",
            "DefineAuthChallenge"
        ]
    );
    for (name, e) in &calls {
        assert_eq!(e["request"]["userNotFound"], true, "{name}: {e}");
        assert_eq!(e["request"]["userAttributes"], json!({}), "{name}");
        assert_eq!(e["userName"], "nobody", "{name}");
    }
    let verify = &calls[2].1;
    assert_eq!(verify["request"]["challengeAnswer"], "5");
    assert_eq!(
        verify["request"]["privateChallengeParameters"]["answer"],
        "4"
    );
    assert_eq!(
        calls[3].1["request"]["session"],
        json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "QUIZ"}])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_user_who_answers_right_still_gets_no_tokens() {
    let (app, _lambda, client_id) = hiding_quiz().await;
    let start = custom_start(&app, &client_id, "nobody").await;
    assert_eq!(
        start.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let session = start.session().expect("a Session");
    // Another username than the one the sign-in started with: the session is not theirs.
    assert_sdk_err(
        custom_answer(&app, &client_id, "carol", session, "4").await,
        "NotAuthorizedException",
        "Invalid session for the user.",
    );
    assert_sdk_err(
        custom_answer(&app, &client_id, "nobody", session, "4").await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    assert_sdk_err(
        custom_answer(&app, &client_id, "nobody", session, "4").await,
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_auth_with_srp_for_an_unknown_user_gets_a_stand_in_password_verifier() {
    let (app, lambda, client_id) = hiding_quiz().await;
    let out = app
        .client
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "nobody")
        .auth_parameters("CHALLENGE_NAME", "SRP_A")
        .auth_parameters("SRP_A", "ab".repeat(64))
        .send()
        .await
        .expect("a PASSWORD_VERIFIER challenge");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let params = out.challenge_parameters().cloned().unwrap_or_default();
    for key in ["SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"] {
        assert!(params.contains_key(key), "{key} in {params:?}");
    }
    let define = lambda.events("DefineAuthChallenge");
    assert_eq!(define.len(), 1);
    assert_eq!(define[0]["request"]["userNotFound"], true);
    assert_eq!(
        define[0]["request"]["session"],
        json!([{"challengeName": "SRP_A", "challengeResult": true}])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_custom_message_leaves_no_code_behind() {
    let lambda = FakeLambda::start(|name, e| {
        if name == "CustomMessage" && e["triggerSource"] == "CustomMessage_ForgotPassword" {
            Reply::Throw("mailer down".into())
        } else {
            Reply::Event(e.clone())
        }
    })
    .await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["CustomMessage"]).await;
    app.seeded_user(&pool_id, "carol", PASSWORD).await;
    assert_sdk_err(
        app.client
            .forgot_password()
            .client_id(&client_id)
            .username("carol")
            .send()
            .await,
        "UserLambdaValidationException",
        "CustomMessage failed with error mailer down.",
    );
    assert!(app.messages("username=carol").await.is_empty());
    // The code the message would have carried (--fixed-code) was not kept either.
    assert_sdk_err(
        app.client
            .confirm_forgot_password()
            .client_id(&client_id)
            .username("carol")
            .confirmation_code("123456")
            .password("N3w-Passw0rd!")
            .send()
            .await,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auto_sign_in_after_confirm_sign_up_runs_the_authentication_triggers() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let refuse = Arc::new(AtomicBool::new(true));
    let refusing = refuse.clone();
    let lambda = FakeLambda::start(move |name, e| {
        if name == "PreAuthentication" && refusing.load(Ordering::SeqCst) {
            Reply::Throw("not today".into())
        } else {
            Reply::Event(e.clone())
        }
    })
    .await;
    let app = app_for(&lambda).await;
    let (pool_id, _) = pool_with_triggers(
        &app,
        &[
            "PreAuthentication",
            "PostAuthentication",
            "PreTokenGeneration",
        ],
    )
    .await;
    let client = app
        .create_client_with(json!({
            "UserPoolId": pool_id, "ClientName": "choice",
            "ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        }))
        .await;
    let client_id = client["ClientId"].as_str().unwrap_or_default().to_string();
    let signed_up = app
        .client
        .sign_up()
        .client_id(&client_id)
        .username("dave")
        .password("Passw0rd!")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("dave@example.com")
                .build()
                .expect("an attribute"),
        )
        .send()
        .await
        .expect("SignUp");
    let confirmed = app
        .client
        .confirm_sign_up()
        .client_id(&client_id)
        .username("dave")
        .confirmation_code("123456")
        .session(signed_up.session().expect("a SignUp Session"))
        .send()
        .await
        .expect("ConfirmSignUp");
    let session = confirmed.session().expect("a ConfirmSignUp Session");
    let auto_sign_in = || {
        app.client
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserAuth)
            .auth_parameters("USERNAME", "dave")
            .session(session)
            .send()
    };
    assert_sdk_err(
        auto_sign_in().await,
        "UserLambdaValidationException",
        "PreAuthentication failed with error not today.",
    );
    assert_eq!(lambda.names(), ["PreAuthentication"]);
    let pre = &lambda.events("PreAuthentication")[0];
    assert_eq!(pre["triggerSource"], "PreAuthentication_Authentication");
    assert_eq!(
        pre["request"]["userAttributes"]["email"],
        "dave@example.com"
    );

    // The refusal used nothing up: the same session signs in once the function agrees.
    refuse.store(false, Ordering::SeqCst);
    let out = auto_sign_in().await.expect("tokens");
    assert!(out.authentication_result().is_some());
    assert_eq!(
        lambda.names(),
        [
            "PreAuthentication",
            "PreAuthentication",
            "PostAuthentication",
            "PreTokenGeneration"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_messages_carry_their_subject_in_the_outbox() {
    let lambda = FakeLambda::start(|name, e| {
        if name == "CustomMessage" && e["triggerSource"] == "CustomMessage_ForgotPassword" {
            respond(
                e,
                json!({"emailSubject": "Reset it", "emailMessage": "Code {####}"}),
            )
        } else {
            Reply::Event(e.clone())
        }
    })
    .await;
    let app = app_for(&lambda).await;
    let pool_id = app
        .create_pool_with(json!({
            "PoolName": "subjects",
            "AutoVerifiedAttributes": ["email"],
            "LambdaConfig": {"CustomMessage": arn("CustomMessage")},
            "VerificationMessageTemplate": {
                "EmailSubject": "Your Example code", "EmailMessage": "Code: {####}",
                "DefaultEmailOption": "CONFIRM_WITH_CODE"
            },
            "AdminCreateUserConfig": {"InviteMessageTemplate": {
                "EmailSubject": "Welcome to Example",
                "EmailMessage": "{username} / {####}", "SMSMessage": "{username} / {####}"
            }}
        }))
        .await;
    let client_id = app.create_client(&pool_id).await;
    app.client
        .sign_up()
        .client_id(&client_id)
        .username("erin")
        .password("Passw0rd!")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("erin@example.com")
                .build()
                .expect("an attribute"),
        )
        .send()
        .await
        .expect("SignUp");
    app.client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("frank")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("frank@example.com")
                .build()
                .expect("an attribute"),
        )
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("phone_number")
                .value("+15555550100")
                .build()
                .expect("an attribute"),
        )
        .desired_delivery_mediums(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Email)
        .desired_delivery_mediums(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Sms)
        .send()
        .await
        .expect("AdminCreateUser");
    app.seeded_user(&pool_id, "gina", PASSWORD).await;
    app.client
        .forgot_password()
        .client_id(&client_id)
        .username("gina")
        .send()
        .await
        .expect("ForgotPassword");

    let shown: Vec<(String, String, Value)> = app
        .messages("")
        .await
        .iter()
        .map(|m| {
            (
                m["purpose"].as_str().unwrap_or_default().to_string(),
                m["channel"].as_str().unwrap_or_default().to_string(),
                m["subject"].clone(),
            )
        })
        .collect();
    let want = |p: &str, c: &str, s: Value| (p.to_string(), c.to_string(), s);
    assert_eq!(
        shown,
        [
            want("SIGN_UP", "EMAIL", json!("Your Example code")),
            want("INVITATION", "EMAIL", json!("Welcome to Example")),
            want("INVITATION", "SMS", Value::Null),
            want("FORGOT_PASSWORD", "EMAIL", json!("Reset it")),
        ]
    );
    let reset = app.messages("username=gina").await;
    assert_eq!(reset[0]["body"], "Code 123456");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_authentication_runs_for_an_unknown_custom_auth_user_in_a_hiding_client() {
    let lambda = FakeLambda::start(quiz).await;
    let app = app_for(&lambda).await;
    let mut triggers = CUSTOM.to_vec();
    triggers.push("PreAuthentication");
    let (pool_id, _) = pool_with_triggers(&app, &triggers).await;
    let client = app
        .create_client_with(json!({
            "UserPoolId": pool_id, "ClientName": "hiding", "PreventUserExistenceErrors": "ENABLED",
            "ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        }))
        .await;
    let client_id = client["ClientId"].as_str().unwrap_or_default();
    let out = app
        .client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "nobody")
        .client_metadata("origin", "web")
        .send()
        .await
        .expect("a custom challenge");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    assert_eq!(
        lambda.names(),
        [
            "PreAuthentication",
            "DefineAuthChallenge",
            "CreateAuthChallenge"
        ]
    );
    let pre = &lambda.events("PreAuthentication")[0];
    assert_eq!(pre["triggerSource"], "PreAuthentication_Authentication");
    assert_eq!(pre["request"]["userNotFound"], true);
    assert_eq!(pre["request"]["userAttributes"], json!({}));
    assert_eq!(pre["request"]["validationData"], json!({"origin": "web"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_authentication_runs_for_unknown_password_and_srp_users_only_in_a_hiding_client() {
    // DG "Pre authentication Lambda trigger": it does not run for a user who does not exist
    // unless PreventUserExistenceErrors is ENABLED, and then gets `userNotFound: true`.
    let lambda = FakeLambda::start(|_, e| respond(e, json!({}))).await;
    let app = app_for(&lambda).await;
    let (pool_id, _) = pool_with_triggers(&app, &["PreAuthentication"]).await;
    let flows = json!([
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH"
    ]);
    let hiding = app
        .create_client_with(json!({
            "UserPoolId": pool_id, "ClientName": "hiding", "PreventUserExistenceErrors": "ENABLED",
            "ExplicitAuthFlows": flows
        }))
        .await;
    let legacy = app
        .create_client_with(json!({
            "UserPoolId": pool_id, "ClientName": "legacy", "PreventUserExistenceErrors": "LEGACY",
            "ExplicitAuthFlows": flows
        }))
        .await;
    let hiding = hiding["ClientId"].as_str().unwrap_or_default();
    let legacy = legacy["ClientId"].as_str().unwrap_or_default();

    let wrong = app
        .client
        .initiate_auth()
        .client_id(hiding)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "nobody")
        .auth_parameters("PASSWORD", "Whatever1!")
        .client_metadata("origin", "web")
        .send()
        .await;
    assert_sdk_err(
        wrong,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    let events = lambda.events("PreAuthentication");
    assert_eq!(events.len(), 1);
    let pre = &events[0];
    assert_eq!(pre["triggerSource"], "PreAuthentication_Authentication");
    assert_eq!(pre["userName"], "nobody");
    assert_eq!(pre["request"]["userNotFound"], true);
    assert_eq!(pre["request"]["userAttributes"], json!({}));
    assert_eq!(pre["request"]["validationData"], json!({"origin": "web"}));

    // SRP: the stand-in PASSWORD_VERIFIER comes after the trigger.
    let srp = app
        .client
        .initiate_auth()
        .client_id(hiding)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "nobody")
        .auth_parameters("SRP_A", srp_a(&srp_secret()))
        .send()
        .await
        .expect("a stand-in PASSWORD_VERIFIER");
    assert_eq!(
        srp.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let events = lambda.events("PreAuthentication");
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["request"]["userNotFound"], true);

    // Without ENABLED the unknown user is refused before any trigger runs.
    let legacy_try = app
        .client
        .initiate_auth()
        .client_id(legacy)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "nobody")
        .auth_parameters("PASSWORD", "Whatever1!")
        .send()
        .await;
    assert_sdk_err(legacy_try, "UserNotFoundException", "User does not exist.");
    assert_eq!(lambda.events("PreAuthentication").len(), 2);
}

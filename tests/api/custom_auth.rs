//! CUSTOM_AUTH through the SDK with the Define / Create / Verify Auth Challenge functions running in
//! the test Lambda runtime (`triggers::FakeLambda`): without SRP, with SRP first (what Amplify's
//! CUSTOM_WITH_SRP sends), the session history the functions see, retries and failures, MFA after
//! the password verifier, and unknown users in clients that hide user existence.

use crate::helpers::*;
use crate::triggers::{app_for, pool_with_triggers, respond, FakeLambda, Reply, PASSWORD};
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use serde_json::{json, Value};

const CUSTOM: &[&str] = &[
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
];

/// The functions of the DG's custom-auth examples: SRP first when asked, then a question whose
/// answer is "4", three tries.
fn quiz(name: &str, e: &Value) -> Reply {
    let session = e["request"]["session"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let last = session.last().cloned().unwrap_or(Value::Null);
    match name {
        "DefineAuthChallenge" => {
            let r = if session.len() == 1 && last["challengeName"] == "SRP_A" {
                json!({"challengeName": "PASSWORD_VERIFIER", "issueTokens": false, "failAuthentication": false})
            } else if last["challengeName"] == "CUSTOM_CHALLENGE" && last["challengeResult"] == true
            {
                json!({"issueTokens": true, "failAuthentication": false})
            } else if session
                .iter()
                .filter(|s| s["challengeName"] == "CUSTOM_CHALLENGE")
                .count()
                >= 3
            {
                json!({"issueTokens": false, "failAuthentication": true})
            } else {
                json!({"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false, "failAuthentication": false})
            };
            respond(e, r)
        }
        "CreateAuthChallenge" => respond(
            e,
            json!({
                "publicChallengeParameters": {"question": "2 + 2 = ?"},
                "privateChallengeParameters": {"answer": "4"},
                "challengeMetadata": format!("QUIZ-{}", session.len())
            }),
        ),
        "VerifyAuthChallengeResponse" => {
            let ok = e["request"]["challengeAnswer"]
                == e["request"]["privateChallengeParameters"]["answer"];
            respond(e, json!({"answerCorrect": ok}))
        }
        _ => Reply::Event(e.clone()),
    }
}

struct Custom {
    app: TestApp,
    lambda: FakeLambda,
    pool_id: String,
    client_id: String,
}

impl Custom {
    async fn new() -> Self {
        let lambda = FakeLambda::start(quiz).await;
        let app = app_for(&lambda).await;
        let (pool_id, client_id) = pool_with_triggers(&app, CUSTOM).await;
        app.seeded_user(&pool_id, "carol", PASSWORD).await;
        Custom {
            app,
            lambda,
            pool_id,
            client_id,
        }
    }

    async fn start(
        &self,
        username: &str,
    ) -> Result<
        (
            Option<ChallengeNameType>,
            std::collections::HashMap<String, String>,
            Option<String>,
        ),
        SdkError<InitiateAuthError>,
    > {
        self.app
            .client
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::CustomAuth)
            .auth_parameters("USERNAME", username)
            .send()
            .await
            .map(|o| {
                (
                    o.challenge_name().cloned(),
                    o.challenge_parameters().cloned().unwrap_or_default(),
                    o.session().map(str::to_string),
                )
            })
    }

    async fn answer(
        &self,
        session: &str,
        answer: &str,
    ) -> Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>> {
        self.app
            .client
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(ChallengeNameType::CustomChallenge)
            .session(session)
            .challenge_responses("USERNAME", "carol")
            .challenge_responses("ANSWER", answer)
            .client_metadata("attempt", "x")
            .send()
            .await
    }

    fn sessions(&self, function: &str) -> Vec<Value> {
        self.lambda
            .events(function)
            .into_iter()
            .map(|e| e["request"]["session"].clone())
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_auth_without_a_define_trigger_is_refused() {
    let app = spawn_app().await;
    let pool_id = app.create_pool("plain").await;
    let client_id = app.create_client(&pool_id).await;
    assert_sdk_err(
        app.client
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::CustomAuth)
            .auth_parameters("USERNAME", "carol")
            .send()
            .await,
        "InvalidParameterException",
        "Custom auth lambda trigger is not configured for the user pool.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_challenge_answered_correctly_after_a_wrong_answer_issues_tokens() {
    let c = Custom::new().await;
    let (name, params, session) = c.start("carol").await.expect("a challenge");
    assert_eq!(name, Some(ChallengeNameType::CustomChallenge));
    assert_eq!(
        params.get("question").map(String::as_str),
        Some("2 + 2 = ?")
    );
    assert_eq!(params.get("USERNAME").map(String::as_str), Some("carol"));
    assert!(
        !params.contains_key("answer"),
        "private parameters stay private"
    );
    let session = session.expect("a Session");

    let wrong = c.answer(&session, "5").await.expect("another challenge");
    assert_eq!(
        wrong.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    assert!(wrong.authentication_result().is_none());
    let next = wrong.session().expect("a new Session").to_string();
    assert_ne!(next, session);

    let right = c.answer(&next, "4").await.expect("tokens");
    let tokens = right.authentication_result().expect("AuthenticationResult");
    let id = claims(tokens.id_token().expect("an ID token"));
    assert_eq!(id["cognito:username"], "carol");
    assert!(right.challenge_name().is_none());

    assert_eq!(
        c.lambda.names(),
        [
            "DefineAuthChallenge",
            "CreateAuthChallenge",
            "VerifyAuthChallengeResponse",
            "DefineAuthChallenge",
            "CreateAuthChallenge",
            "VerifyAuthChallengeResponse",
            "DefineAuthChallenge"
        ]
    );
    assert_eq!(
        c.sessions("DefineAuthChallenge"),
        [
            json!([]),
            json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "QUIZ-0"}]),
            json!([
                {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "QUIZ-0"},
                {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "QUIZ-1"}
            ]),
        ]
    );
    let define = &c.lambda.events("DefineAuthChallenge")[0];
    assert_eq!(
        define["triggerSource"],
        "DefineAuthChallenge_Authentication"
    );
    assert_eq!(define["userName"], "carol");
    assert_eq!(define["callerContext"]["clientId"], c.client_id.as_str());
    assert_eq!(define["userPoolId"], c.pool_id.as_str());
    assert_eq!(
        define["request"]["userAttributes"]["email"],
        "carol@example.com"
    );
    // Populated only for clients that hide user existence.
    assert!(define["request"].get("userNotFound").is_none(), "{define}");
    assert_eq!(
        define["response"],
        json!({"challengeName": null, "issueTokens": null, "failAuthentication": null})
    );
    let create = &c.lambda.events("CreateAuthChallenge")[1];
    assert_eq!(
        create["triggerSource"],
        "CreateAuthChallenge_Authentication"
    );
    assert_eq!(create["request"]["challengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(
        create["request"]["session"].as_array().map(Vec::len),
        Some(1)
    );
    // RespondToAuthChallenge passes its ClientMetadata on.
    assert_eq!(create["request"]["clientMetadata"], json!({"attempt": "x"}));
    let verify = &c.lambda.events("VerifyAuthChallengeResponse")[1];
    assert_eq!(
        verify["triggerSource"],
        "VerifyAuthChallengeResponse_Authentication"
    );
    assert_eq!(
        verify["request"]["privateChallengeParameters"],
        json!({"answer": "4"})
    );
    assert_eq!(verify["request"]["challengeAnswer"], "4");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn define_decides_failure_after_three_wrong_answers() {
    let c = Custom::new().await;
    let (_, _, session) = c.start("carol").await.expect("a challenge");
    let mut session = session.expect("a Session");
    for _ in 0..2 {
        let out = c.answer(&session, "wrong").await.expect("retry");
        session = out.session().expect("a Session").to_string();
    }
    assert_sdk_err(
        c.answer(&session, "wrong").await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_challenge_session_can_be_answered_once() {
    let c = Custom::new().await;
    let (_, _, session) = c.start("carol").await.expect("a challenge");
    let session = session.expect("a Session");
    c.answer(&session, "5").await.expect("another challenge");
    assert_sdk_err(
        c.answer(&session, "4").await,
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    );
    let (_, _, fresh) = c.start("carol").await.expect("a challenge");
    assert_sdk_err(
        c.app
            .client
            .respond_to_auth_challenge()
            .client_id(&c.client_id)
            .challenge_name(ChallengeNameType::CustomChallenge)
            .session(fresh.expect("a Session"))
            .challenge_responses("USERNAME", "carol")
            .send()
            .await,
        "InvalidParameterException",
        "Missing required parameter ANSWER",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_initiate_auth_runs_the_same_loop() {
    let c = Custom::new().await;
    let out = c
        .app
        .client
        .admin_initiate_auth()
        .user_pool_id(&c.pool_id)
        .client_id(&c.client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "carol")
        .send()
        .await
        .expect("a challenge");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let done = c
        .app
        .client
        .admin_respond_to_auth_challenge()
        .user_pool_id(&c.pool_id)
        .client_id(&c.client_id)
        .challenge_name(ChallengeNameType::CustomChallenge)
        .session(out.session().expect("a Session"))
        .challenge_responses("USERNAME", "carol")
        .challenge_responses("ANSWER", "4")
        .send()
        .await
        .expect("tokens");
    assert!(done.authentication_result().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_users_and_broken_define_answers_fail_as_cognito_does() {
    let c = Custom::new().await;
    assert_sdk_err(
        c.start("nobody").await,
        "UserNotFoundException",
        "User does not exist.",
    );
    assert!(c.lambda.calls().is_empty());

    let lambda = FakeLambda::start(|_, e| respond(e, json!({"challengeName": "SMS_MFA"}))).await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, CUSTOM).await;
    app.seeded_user(&pool_id, "carol", PASSWORD).await;
    assert_sdk_err(
        app.client
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::CustomAuth)
            .auth_parameters("USERNAME", "carol")
            .send()
            .await,
        "InvalidLambdaResponseException",
        "Unrecognizable lambda output",
    );

    let lambda = FakeLambda::start(|_, _| Reply::Throw("define is down".into())).await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, CUSTOM).await;
    app.seeded_user(&pool_id, "carol", PASSWORD).await;
    assert_sdk_err(
        app.client
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::CustomAuth)
            .auth_parameters("USERNAME", "carol")
            .send()
            .await,
        "UserLambdaValidationException",
        "DefineAuthChallenge failed with error define is down.",
    );
}

// ---------------------------------------------------------------------------------------------
// With SRP first
// ---------------------------------------------------------------------------------------------

/// InitiateAuth CUSTOM_AUTH with SRP_A and CHALLENGE_NAME=SRP_A, then the PASSWORD_VERIFIER
/// answer signed with `password`, as Amplify's CUSTOM_WITH_SRP does.
async fn srp_then(
    c: &Custom,
    password: &str,
) -> Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>> {
    let a = srp_secret();
    let out = c
        .app
        .client
        .initiate_auth()
        .client_id(&c.client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "carol")
        .auth_parameters("SRP_A", srp_a(&a))
        .auth_parameters("CHALLENGE_NAME", "SRP_A")
        .send()
        .await
        .expect("PASSWORD_VERIFIER");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let p = out.challenge_parameters().cloned().unwrap_or_default();
    c.app
        .client
        .respond_to_auth_challenge()
        .client_id(&c.client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_challenge_responses(Some(c.app.password_claim(&c.pool_id, &p, &a, password)))
        .send()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_srp_first_the_password_is_verified_before_the_custom_challenge() {
    let c = Custom::new().await;
    let out = srp_then(&c, PASSWORD).await.expect("the custom challenge");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let session = out.session().expect("a Session").to_string();
    assert_eq!(
        c.sessions("DefineAuthChallenge"),
        [
            json!([{"challengeName": "SRP_A", "challengeResult": true}]),
            json!([{"challengeName": "SRP_A", "challengeResult": true},
                   {"challengeName": "PASSWORD_VERIFIER", "challengeResult": true}]),
        ]
    );
    let done = c.answer(&session, "4").await.expect("tokens");
    assert!(done.authentication_result().is_some());
    let last = c.sessions("DefineAuthChallenge").pop().unwrap_or_default();
    assert_eq!(last.as_array().map(Vec::len), Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_srp_first_a_wrong_password_ends_the_sign_in_without_asking_define_again() {
    let c = Custom::new().await;
    assert_sdk_err(
        srp_then(&c, "Wr0ng-password").await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    assert_eq!(c.lambda.names(), ["DefineAuthChallenge"]);
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
    respond(e, response)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_auth_asks_mfa_only_right_after_a_password_verifier() {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use cognito_emulator::crypto::srp::client;

    let lambda = FakeLambda::start(one_question).await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(
        &app,
        &[
            "DefineAuthChallenge",
            "CreateAuthChallenge",
            "VerifyAuthChallengeResponse",
        ],
    )
    .await;
    app.seeded_user(&pool_id, "carol", PASSWORD).await;
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
        PASSWORD,
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

// ---------------------------------------------------------------------------------------------
// Unknown users in a client that hides user existence
// ---------------------------------------------------------------------------------------------

/// A question whose answer is "4", three tries, tokens for a right answer: written as most
/// Define functions are, without looking at `userNotFound`. Unlike [`quiz`], it sets only the
/// fields that matter, counts every session entry towards the three tries and names each
/// challenge "QUIZ".
fn plain_quiz(name: &str, e: &Value) -> Reply {
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
    let lambda = FakeLambda::start(plain_quiz).await;
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
    let start = lambda.calls().len();
    let known = three_wrong_answers(&app, &client_id, "carol").await;
    let before = lambda.calls().len();
    // A known user's challenge triggers say so: `userNotFound` is populated (false) whenever the
    // client hides user existence.
    let known_calls = lambda.calls()[start..before].to_vec();
    assert!(known_calls.len() >= 3, "{known_calls:?}");
    for (name, e) in &known_calls {
        assert_eq!(e["request"]["userNotFound"], false, "{name}: {e}");
    }
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
async fn pre_authentication_runs_for_an_unknown_custom_auth_user_in_a_hiding_client() {
    let lambda = FakeLambda::start(plain_quiz).await;
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

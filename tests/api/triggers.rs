//! Lambda triggers run for real: a small Lambda runtime inside the test speaks the Lambda Invoke
//! API (`POST /2015-03-31/functions/{name}/invocations`, as `sam local start-lambda` does) and
//! runs test functions, so the emulator's own invocation path is exercised; the same server also
//! answers webhooks (`POST /hook/{name}`).

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, LambdaConfigType, PreTokenGenerationLambdaVersionType,
    PreTokenGenerationVersionConfigType,
};
use axum::extract::{Path, State};
use axum::http::{HeaderMap as AxumHeaders, StatusCode as AxumStatus};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use cognito_emulator::Config;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

// ---------------------------------------------------------------------------------------------
// The test Lambda runtime
// ---------------------------------------------------------------------------------------------

/// What a test function does with an event.
pub enum Reply {
    /// Returns this event (usually the one received, with `response` filled in).
    Event(Value),
    /// Throws: Lambda answers 200 with `X-Amz-Function-Error: Unhandled` and the error payload;
    /// a webhook answers 400 with `{"errorMessage": ...}`.
    Throw(String),
    /// Answers after this many milliseconds (a function that times out).
    Sleep(u64),
    /// Answers text that is not JSON.
    NotJson,
    /// The function does not exist (the Invoke API's 404).
    NotFound,
}

/// `event` with its `response` replaced by `response`.
pub fn respond(event: &Value, response: Value) -> Reply {
    let mut e = event.clone();
    e["response"] = response;
    Reply::Event(e)
}

type Handler = Arc<dyn Fn(&str, &Value) -> Reply + Send + Sync>;

#[derive(Clone)]
struct RuntimeState {
    handler: Handler,
    calls: Arc<Mutex<Vec<(String, Value)>>>,
}

pub struct FakeLambda {
    /// `http://127.0.0.1:PORT`: the Lambda endpoint; webhooks are `URL/hook/NAME`.
    pub url: String,
    calls: Arc<Mutex<Vec<(String, Value)>>>,
}

impl FakeLambda {
    pub async fn start(handler: impl Fn(&str, &Value) -> Reply + Send + Sync + 'static) -> Self {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let state = RuntimeState {
            handler: Arc::new(handler),
            calls: calls.clone(),
        };
        let router = Router::new()
            .route("/2015-03-31/functions/{name}/invocations", post(invoke))
            .route("/hook/{name}", post(hook))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port for the Lambda runtime");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeLambda { url, calls }
    }

    pub fn hook(&self, name: &str) -> String {
        format!("{}/hook/{name}", self.url)
    }

    /// Every event received, in order, with the function (or hook) name.
    pub fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn events(&self, function: &str) -> Vec<Value> {
        self.calls()
            .into_iter()
            .filter(|(f, _)| f == function)
            .map(|(_, e)| e)
            .collect()
    }

    /// The functions called, in order.
    pub fn names(&self) -> Vec<String> {
        self.calls().into_iter().map(|(f, _)| f).collect()
    }
}

async fn run_handler(state: &RuntimeState, name: &str, body: &[u8]) -> Reply {
    let event: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if let Ok(mut c) = state.calls.lock() {
        c.push((name.to_string(), event.clone()));
    }
    let reply = (state.handler)(name, &event);
    if let Reply::Sleep(ms) = reply {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        return Reply::Event(event);
    }
    reply
}

async fn invoke(
    State(state): State<RuntimeState>,
    Path(name): Path<String>,
    headers: AxumHeaders,
    body: axum::body::Bytes,
) -> Response {
    assert_eq!(
        headers
            .get("x-amz-invocation-type")
            .and_then(|v| v.to_str().ok()),
        Some("RequestResponse"),
        "a synchronous invocation"
    );
    match run_handler(&state, &name, &body).await {
        Reply::Event(e) => Json(e).into_response(),
        Reply::Throw(m) => (
            [("x-amz-function-error", "Unhandled")],
            Json(json!({"errorMessage": m, "errorType": "Error", "trace": []})),
        )
            .into_response(),
        Reply::NotJson => "this is not JSON".into_response(),
        Reply::NotFound => (
            AxumStatus::NOT_FOUND,
            [("x-amzn-errortype", "ResourceNotFoundException")],
            Json(json!({"Type": "User", "Message": format!("Function not found: {name}")})),
        )
            .into_response(),
        Reply::Sleep(_) => AxumStatus::OK.into_response(),
    }
}

async fn hook(
    State(state): State<RuntimeState>,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    match run_handler(&state, &name, &body).await {
        Reply::Event(e) => Json(e).into_response(),
        Reply::Throw(m) => {
            (AxumStatus::BAD_REQUEST, Json(json!({"errorMessage": m}))).into_response()
        }
        Reply::NotJson => "not JSON".into_response(),
        Reply::NotFound | Reply::Sleep(_) => AxumStatus::NOT_FOUND.into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------------------

pub const PASSWORD: &str = "Passw0rd!";

pub fn arn(function: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{function}")
}

/// An emulator whose `--lambda-endpoint` is the fake runtime.
pub async fn app_for(lambda: &FakeLambda) -> TestApp {
    spawn_app_with(Config {
        lambda_endpoint: Some(lambda.url.clone()),
        fixed_code: Some("123456".into()),
        trigger_timeout_ms: 2000,
        ..Config::for_tests()
    })
    .await
}

/// A pool with these triggers (each function is named after its trigger) and a client allowing
/// every flow; returns `(pool_id, client_id)`.
pub async fn pool_with_triggers(app: &TestApp, triggers: &[&str]) -> (String, String) {
    let mut lc = LambdaConfigType::builder();
    for t in triggers {
        let a = arn(t);
        lc = match *t {
            "PreSignUp" => lc.pre_sign_up(a),
            "PostConfirmation" => lc.post_confirmation(a),
            "PreAuthentication" => lc.pre_authentication(a),
            "PostAuthentication" => lc.post_authentication(a),
            "DefineAuthChallenge" => lc.define_auth_challenge(a),
            "CreateAuthChallenge" => lc.create_auth_challenge(a),
            "VerifyAuthChallengeResponse" => lc.verify_auth_challenge_response(a),
            "PreTokenGeneration" => lc.pre_token_generation(a),
            "PreTokenGenerationV2" => lc.pre_token_generation_config(
                PreTokenGenerationVersionConfigType::builder()
                    .lambda_arn(arn("PreTokenGeneration"))
                    .lambda_version(PreTokenGenerationLambdaVersionType::V20)
                    .build()
                    .expect("a version config"),
            ),
            "PreTokenGenerationV3" => lc.pre_token_generation_config(
                PreTokenGenerationVersionConfigType::builder()
                    .lambda_arn(arn("PreTokenGeneration"))
                    .lambda_version(PreTokenGenerationLambdaVersionType::V30)
                    .build()
                    .expect("a version config"),
            ),
            "CustomMessage" => lc.custom_message(a),
            "UserMigration" => lc.user_migration(a),
            other => panic!("unknown trigger {other}"),
        };
    }
    let pool = app
        .client
        .create_user_pool()
        .pool_name("triggers")
        .auto_verified_attributes(
            aws_sdk_cognitoidentityprovider::types::VerifiedAttributeType::Email,
        )
        .lambda_config(lc.build())
        .send()
        .await
        .expect("CreateUserPool with LambdaConfig");
    let pool_id = pool
        .user_pool()
        .and_then(|p| p.id())
        .expect("a pool id")
        .to_string();
    let client_id = app.create_client(&pool_id).await;
    (pool_id, client_id)
}

/// The ClientMetadata the tests' password sign-ins send: PreAuthentication sees it as
/// `validationData`.
const ORIGIN: &[(&str, &str)] = &[("origin", "tests")];

/// PUT with a JSON body (the emulator's trigger settings).
pub async fn put(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let resp = app
        .http
        .put(app.url(path))
        .json(&body)
        .send()
        .await
        .expect("the emulator answers");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn assert_common(event: &Value, pool_id: &str, source: &str, user_name: &str, client_id: &str) {
    assert_eq!(event["version"], "1", "{event}");
    assert_eq!(event["region"], "us-east-1");
    assert_eq!(event["userPoolId"], pool_id);
    assert_eq!(event["triggerSource"], source);
    assert_eq!(event["userName"], user_name);
    assert_eq!(event["callerContext"]["clientId"], client_id);
    assert!(
        event["callerContext"]["awsSdkVersion"].is_string(),
        "{event}"
    );
}

// ---------------------------------------------------------------------------------------------
// PreSignUp
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_sign_up_sees_the_sign_up_and_may_confirm_the_user_and_verify_the_email() {
    let lambda = FakeLambda::start(|name, e| match name {
        "PreSignUp" => respond(
            e,
            json!({"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false}),
        ),
        _ => Reply::Event(e.clone()),
    })
    .await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["PreSignUp", "PostConfirmation"]).await;
    let out = app
        .client
        .sign_up()
        .client_id(&client_id)
        .username("jane")
        .password(PASSWORD)
        .user_attributes(attr("email", "jane@example.com"))
        .validation_data(attr("captcha", "ok"))
        .client_metadata("campaign", "spring")
        .send()
        .await
        .expect("SignUp");
    assert!(out.user_confirmed());
    assert!(
        out.code_delivery_details().is_none(),
        "no code for a confirmed user"
    );
    assert!(app.messages("username=jane").await.is_empty());

    let events = lambda.events("PreSignUp");
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_common(e, &pool_id, "PreSignUp_SignUp", "jane", &client_id);
    assert_eq!(
        e["request"]["userAttributes"],
        json!({"email": "jane@example.com"})
    );
    assert_eq!(e["request"]["validationData"], json!({"captcha": "ok"}));
    assert_eq!(
        e["request"]["clientMetadata"],
        json!({"campaign": "spring"})
    );
    assert_eq!(
        e["response"],
        json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false})
    );

    let user = app
        .client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("jane")
        .send()
        .await
        .expect("AdminGetUser");
    assert_eq!(user.user_status().map(|s| s.as_str()), Some("CONFIRMED"));
    let verified = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "email_verified")
        .and_then(|a| a.value());
    assert_eq!(verified, Some("true"));
    // An auto-confirmed user reaches PostConfirmation at sign-up.
    assert_eq!(lambda.names(), ["PreSignUp", "PostConfirmation"]);
    let e = &lambda.events("PostConfirmation")[0];
    assert_common(
        e,
        &pool_id,
        "PostConfirmation_ConfirmSignUp",
        "jane",
        &client_id,
    );
    assert_eq!(e["request"]["userAttributes"]["email_verified"], "true");
    // Confirmed by the trigger: the user signs in at once.
    assert!(app
        .password_auth_with_metadata(&client_id, "jane", PASSWORD, ORIGIN)
        .await
        .is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untouched_pre_sign_up_event_leaves_the_user_unconfirmed_with_a_code_sent() {
    let lambda = FakeLambda::start(|_, e| Reply::Event(e.clone())).await;
    let app = app_for(&lambda).await;
    let (_, client_id) = pool_with_triggers(&app, &["PreSignUp"]).await;
    let out = app
        .client
        .sign_up()
        .client_id(&client_id)
        .username("joe")
        .password(PASSWORD)
        .user_attributes(attr("email", "joe@example.com"))
        .send()
        .await
        .expect("SignUp");
    assert!(!out.user_confirmed());
    assert!(out.code_delivery_details().is_some());
    let e = &lambda.events("PreSignUp")[0];
    assert_eq!(e["request"]["validationData"], Value::Null);
    assert!(e["request"].get("clientMetadata").is_none(), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pre_sign_up_error_refuses_the_sign_up_with_the_functions_message() {
    let lambda = FakeLambda::start(|_, _| {
        Reply::Throw("Registration from this domain is not allowed.".into())
    })
    .await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["PreSignUp"]).await;
    assert_sdk_err(
        app.client
            .sign_up()
            .client_id(&client_id)
            .username("mallory")
            .password(PASSWORD)
            .user_attributes(attr("email", "mallory@evil.example"))
            .send()
            .await,
        "UserLambdaValidationException",
        "PreSignUp failed with error Registration from this domain is not allowed..",
    );
    assert_sdk_code(
        app.client
            .admin_get_user()
            .user_pool_id(&pool_id)
            .username("mallory")
            .send()
            .await,
        "UserNotFoundException",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_create_user_runs_pre_sign_up_as_the_administrator() {
    let lambda = FakeLambda::start(|_, e| respond(e, json!({"autoConfirmUser": true}))).await;
    let app = app_for(&lambda).await;
    let (pool_id, _) = pool_with_triggers(&app, &["PreSignUp"]).await;
    let created = app
        .client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("ann")
        .temporary_password(PASSWORD)
        .user_attributes(attr("email", "ann@example.com"))
        .validation_data(attr("source", "import"))
        .client_metadata("batch", "7")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");
    // The response flags are for self sign-up; an administrator's user must set a password.
    assert_eq!(
        created
            .user()
            .and_then(|u| u.user_status())
            .map(|s| s.as_str()),
        Some("FORCE_CHANGE_PASSWORD")
    );
    let e = &lambda.events("PreSignUp")[0];
    assert_common(
        e,
        &pool_id,
        "PreSignUp_AdminCreateUser",
        "ann",
        "CLIENT_ID_NOT_APPLICABLE",
    );
    assert_eq!(e["request"]["validationData"], json!({"source": "import"}));
    assert_eq!(e["request"]["clientMetadata"], json!({"batch": "7"}));
}

// ---------------------------------------------------------------------------------------------
// PostConfirmation
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_confirmation_runs_once_the_user_is_confirmed() {
    let lambda = FakeLambda::start(|_, e| Reply::Event(e.clone())).await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["PostConfirmation"]).await;
    app.client
        .sign_up()
        .client_id(&client_id)
        .username("kim")
        .password(PASSWORD)
        .user_attributes(attr("email", "kim@example.com"))
        .send()
        .await
        .expect("SignUp");
    assert!(lambda.calls().is_empty(), "nothing before the confirmation");
    app.client
        .confirm_sign_up()
        .client_id(&client_id)
        .username("kim")
        .confirmation_code("123456")
        .client_metadata("step", "confirm")
        .send()
        .await
        .expect("ConfirmSignUp");
    let e = &lambda.events("PostConfirmation")[0];
    assert_common(
        e,
        &pool_id,
        "PostConfirmation_ConfirmSignUp",
        "kim",
        &client_id,
    );
    let attrs = &e["request"]["userAttributes"];
    assert_eq!(attrs["cognito:user_status"], "CONFIRMED");
    assert_eq!(attrs["email"], "kim@example.com");
    assert_eq!(attrs["email_verified"], "true");
    assert!(
        attrs["sub"].as_str().is_some_and(|s| s.len() == 36),
        "{attrs}"
    );
    assert_eq!(e["request"]["clientMetadata"], json!({"step": "confirm"}));

    app.client
        .sign_up()
        .client_id(&client_id)
        .username("lee")
        .password(PASSWORD)
        .send()
        .await
        .expect("SignUp");
    app.client
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("lee")
        .send()
        .await
        .expect("AdminConfirmSignUp");
    let e = &lambda.events("PostConfirmation")[1];
    assert_common(
        e,
        &pool_id,
        "PostConfirmation_ConfirmSignUp",
        "lee",
        "CLIENT_ID_NOT_APPLICABLE",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_post_confirmation_is_reported_but_the_user_stays_confirmed() {
    let lambda = FakeLambda::start(|_, _| Reply::Throw("welcome mail failed".into())).await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["PostConfirmation"]).await;
    app.client
        .sign_up()
        .client_id(&client_id)
        .username("kim")
        .password(PASSWORD)
        .send()
        .await
        .expect("SignUp");
    assert_sdk_err(
        app.client
            .admin_confirm_sign_up()
            .user_pool_id(&pool_id)
            .username("kim")
            .send()
            .await,
        "UserLambdaValidationException",
        "PostConfirmation failed with error welcome mail failed.",
    );
    let user = app
        .client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("kim")
        .send()
        .await
        .expect("AdminGetUser");
    assert_eq!(user.user_status().map(|s| s.as_str()), Some("CONFIRMED"));
}

// ---------------------------------------------------------------------------------------------
// PreAuthentication, PostAuthentication
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_and_post_authentication_run_around_a_password_sign_in() {
    let lambda = FakeLambda::start(|_, e| Reply::Event(e.clone())).await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) =
        pool_with_triggers(&app, &["PreAuthentication", "PostAuthentication"]).await;
    app.seeded_user(&pool_id, "amy", PASSWORD).await;
    let out = app
        .password_auth_with_metadata(&client_id, "amy", PASSWORD, ORIGIN)
        .await
        .expect("signed in");
    assert!(out.authentication_result().is_some());
    assert_eq!(lambda.names(), ["PreAuthentication", "PostAuthentication"]);

    let pre = &lambda.events("PreAuthentication")[0];
    assert_common(
        pre,
        &pool_id,
        "PreAuthentication_Authentication",
        "amy",
        &client_id,
    );
    assert_eq!(pre["request"]["userAttributes"]["email"], "amy@example.com");
    // InitiateAuth's ClientMetadata reaches PreAuthentication as validationData.
    assert_eq!(pre["request"]["validationData"], json!({"origin": "tests"}));
    assert_eq!(pre["response"], json!({}));

    let post = &lambda.events("PostAuthentication")[0];
    assert_common(
        post,
        &pool_id,
        "PostAuthentication_Authentication",
        "amy",
        &client_id,
    );
    assert_eq!(post["request"]["newDeviceUsed"], false);
    assert!(
        post["request"].get("clientMetadata").is_none(),
        "InitiateAuth does not pass ClientMetadata to PostAuthentication: {post}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_authentication_may_refuse_a_sign_in_before_the_password_is_checked() {
    let lambda = FakeLambda::start(|name, e| match name {
        "PreAuthentication" => Reply::Throw("Sign-in is closed on Sundays".into()),
        _ => Reply::Event(e.clone()),
    })
    .await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) =
        pool_with_triggers(&app, &["PreAuthentication", "PostAuthentication"]).await;
    app.seeded_user(&pool_id, "amy", PASSWORD).await;
    assert_sdk_err(
        app.password_auth_with_metadata(&client_id, "amy", PASSWORD, ORIGIN)
            .await,
        "UserLambdaValidationException",
        "PreAuthentication failed with error Sign-in is closed on Sundays.",
    );
    assert_eq!(lambda.names(), ["PreAuthentication"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_post_authentication_withholds_the_tokens() {
    let lambda = FakeLambda::start(|_, _| Reply::Throw("audit log unavailable".into())).await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["PostAuthentication"]).await;
    app.seeded_user(&pool_id, "amy", PASSWORD).await;
    assert_eq!(
        expect_err(
            app.password_auth_with_metadata(&client_id, "amy", PASSWORD, ORIGIN)
                .await
        )
        .1,
        "PostAuthentication failed with error audit log unavailable."
    );
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
            "PoolName": "user-auth-pre-auth",
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
            user_auth_body(
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
            user_auth_body(&client_id, json!({"USERNAME": "amy"})),
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
            user_auth_body(
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
            user_auth_body(&client_id, params),
            "UserLambdaValidationException",
            "PreAuthentication failed with error bob may not sign in.",
        )
        .await;
    }
    assert!(app.last_code("bob", None).await.is_none());
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

// ---------------------------------------------------------------------------------------------
// Invocation failures
// ---------------------------------------------------------------------------------------------

async fn sign_up_error(app: &TestApp, client_id: &str) -> (String, String) {
    expect_err(
        app.client
            .sign_up()
            .client_id(client_id)
            .username("x")
            .password(PASSWORD)
            .send()
            .await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_that_does_not_answer_in_time_fails_like_a_lambda_timeout() {
    let lambda = FakeLambda::start(|_, _| Reply::Sleep(3000)).await;
    let app = spawn_app_with(Config {
        lambda_endpoint: Some(lambda.url.clone()),
        trigger_timeout_ms: 200,
        ..Config::for_tests()
    })
    .await;
    let (_, client_id) = pool_with_triggers(&app, &["PreSignUp"]).await;
    assert_err_pair(sign_up_error(&app, &client_id).await, ("UnexpectedLambdaException", "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_that_is_not_json_or_not_an_event_is_an_invalid_lambda_response() {
    let lambda = FakeLambda::start(|name, e| match name {
        "PreSignUp" => Reply::NotJson,
        _ => respond(e, json!({"autoConfirmUser": "maybe"})),
    })
    .await;
    let app = app_for(&lambda).await;
    let (_, client_id) = pool_with_triggers(&app, &["PreSignUp"]).await;
    assert_err_pair(
        sign_up_error(&app, &client_id).await,
        (
            "InvalidLambdaResponseException",
            "Invalid lambda function output : Invalid JSON",
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_response_is_unrecognizable_lambda_output() {
    let lambda = FakeLambda::start(|_, e| respond(e, json!({"autoConfirmUser": 7}))).await;
    let app = app_for(&lambda).await;
    let (_, client_id) = pool_with_triggers(&app, &["PreSignUp"]).await;
    assert_err_pair(
        sign_up_error(&app, &client_id).await,
        (
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_the_lambda_endpoint_does_not_have_is_an_unexpected_lambda_exception() {
    let lambda = FakeLambda::start(|_, _| Reply::NotFound).await;
    let app = app_for(&lambda).await;
    let (_, client_id) = pool_with_triggers(&app, &["PreSignUp"]).await;
    assert_err_pair(
        sign_up_error(&app, &client_id).await,
        (
            "UnexpectedLambdaException",
            "PreSignUp invocation failed due to error ResourceNotFoundException.",
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trigger_with_no_way_to_run_fails_instead_of_being_skipped() {
    let app = spawn_app().await;
    let (_, client_id) = pool_with_triggers(&app, &["PreSignUp"]).await;
    let (code, message) = sign_up_error(&app, &client_id).await;
    assert_eq!(code, "UnexpectedLambdaException");
    assert!(
        message.starts_with("PreSignUp invocation failed due to error"),
        "{message}"
    );
    assert!(message.contains("--lambda-endpoint"), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Webhooks and configuration
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_set_at_run_time_runs_a_trigger_the_pool_does_not_name() {
    let lambda = FakeLambda::start(|name, e| match name {
        "reject" => Reply::Throw("no robots".into()),
        _ => respond(e, json!({"autoConfirmUser": true})),
    })
    .await;
    let app = spawn_app().await;
    let pool_id = app.create_pool("hooks").await;
    let client_id = app.create_client(&pool_id).await;
    let (status, body) = put(
        &app,
        &format!("/_emulator/triggers/{pool_id}"),
        json!({"TriggerWebhooks": {"PreSignUp": lambda.hook("confirm")}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, _, got) = app.get(&format!("/_emulator/triggers/{pool_id}")).await;
    assert_eq!(
        got,
        json!({"TriggerWebhooks": {"PreSignUp": lambda.hook("confirm")}})
    );

    let out = app
        .client
        .sign_up()
        .client_id(&client_id)
        .username("web")
        .password(PASSWORD)
        .send()
        .await
        .expect("SignUp");
    assert!(out.user_confirmed());
    let e = &lambda.events("confirm")[0];
    assert_common(e, &pool_id, "PreSignUp_SignUp", "web", &client_id);

    put(
        &app,
        &format!("/_emulator/triggers/{pool_id}"),
        json!({"TriggerWebhooks": {"PreSignUp": lambda.hook("reject")}}),
    )
    .await;
    assert_err_pair(
        sign_up_error(&app, &client_id).await,
        (
            "UserLambdaValidationException",
            "PreSignUp failed with error no robots.",
        ),
    );

    let (status, body) = put(
        &app,
        &format!("/_emulator/triggers/{pool_id}"),
        json!({"TriggerWebhooks": {"PreSignup": "http://127.0.0.1:1/"}}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("PreSignup is not a trigger")),
        "{body}"
    );
    let (status, _) = put(&app, "/_emulator/triggers/us-east-1_nothere", json!({})).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trigger_webhook_flag_applies_to_every_pool() {
    let lambda = FakeLambda::start(|_, e| respond(e, json!({"autoConfirmUser": true}))).await;
    let app = spawn_app_with(Config {
        trigger_webhooks: vec![format!("PreSignUp={}", lambda.hook("global"))],
        ..Config::for_tests()
    })
    .await;
    let pool_id = app.create_pool("any").await;
    let client_id = app.create_client(&pool_id).await;
    let out = app
        .client
        .sign_up()
        .client_id(&client_id)
        .username("g")
        .password(PASSWORD)
        .send()
        .await
        .expect("SignUp");
    assert!(out.user_confirmed());
    assert_eq!(lambda.names(), ["global"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_file_sets_a_pools_lambda_endpoint_and_webhooks_and_seeds_without_triggers() {
    let lambda = FakeLambda::start(|_, e| respond(e, json!({"autoConfirmUser": true}))).await;
    let app = spawn_app().await;
    cognito_emulator::app::seed::apply(
        &app.state,
        json!({"UserPools": [{
            "Id": "us-east-1_Seeded01",
            "PoolName": "seeded",
            "LambdaConfig": {"PreSignUp": arn("PreSignUp"), "PostAuthentication": arn("PostAuthentication")},
            "LambdaEndpoint": lambda.url,
            "TriggerWebhooks": {"PreAuthentication": lambda.hook("pre-auth")},
            "Clients": [{"ClientId": "seededclient1", "ClientName": "web",
                         "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
            "Users": [{"Username": "seeded", "Password": PASSWORD}]
        }]}),
    )
    .await
    .expect("the seed applies");
    assert!(lambda.calls().is_empty(), "seeding runs no trigger");
    assert!(app
        .password_auth_with_metadata("seededclient1", "seeded", PASSWORD, ORIGIN)
        .await
        .is_ok());
    assert_eq!(lambda.names(), ["pre-auth", "PostAuthentication"]);

    let bad = cognito_emulator::app::seed::apply(
        &app.state,
        json!({"UserPools": [{"PoolName": "bad", "TriggerWebhooks": {"PreSignUp": "https://x"}}]}),
    )
    .await
    .expect_err("refused");
    assert!(
        format!("{bad:#}").contains("TriggerWebhooks.PreSignUp"),
        "{bad:#}"
    );
}

// ---------------------------------------------------------------------------------------------
// PreTokenGeneration
// ---------------------------------------------------------------------------------------------

/// A user in a group with a role, signed in with USER_PASSWORD_AUTH.
async fn grouped_user(app: &TestApp, pool_id: &str) {
    app.seeded_user(pool_id, "amy", PASSWORD).await;
    app.client
        .create_group()
        .user_pool_id(pool_id)
        .group_name("staff")
        .role_arn("arn:aws:iam::123456789012:role/staff")
        .precedence(1)
        .send()
        .await
        .expect("CreateGroup");
    app.client
        .admin_add_user_to_group()
        .user_pool_id(pool_id)
        .username("amy")
        .group_name("staff")
        .send()
        .await
        .expect("AdminAddUserToGroup");
}

fn tokens_of(
    out: &aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
) -> (Value, Value) {
    let r = out.authentication_result().expect("tokens");
    (
        claims(r.id_token().expect("an ID token")),
        claims(r.access_token().expect("an access token")),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_token_generation_v1_adds_overrides_and_suppresses_id_token_claims_and_groups() {
    let lambda = FakeLambda::start(|_, e| {
        respond(
            e,
            json!({"claimsOverrideDetails": {
                "claimsToAddOrOverride": {"tenant": "acme", "email": "override@example.com", "sub": "not-allowed"},
                "claimsToSuppress": ["email_verified"],
                "groupOverrideDetails": {
                    "groupsToOverride": ["vip"],
                    "iamRolesToOverride": ["arn:aws:iam::123456789012:role/vip"],
                    "preferredRole": "arn:aws:iam::123456789012:role/vip"
                }
            }}),
        )
    })
    .await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["PreTokenGeneration"]).await;
    grouped_user(&app, &pool_id).await;
    let out = app
        .password_auth_with_metadata(&client_id, "amy", PASSWORD, ORIGIN)
        .await
        .expect("tokens");
    let (id, access) = tokens_of(&out);
    assert_eq!(id["tenant"], "acme");
    assert_eq!(id["email"], "override@example.com");
    assert!(id.get("email_verified").is_none(), "{id}");
    assert_ne!(id["sub"], "not-allowed");
    assert_eq!(id["cognito:groups"], json!(["vip"]));
    assert_eq!(
        id["cognito:roles"],
        json!(["arn:aws:iam::123456789012:role/vip"])
    );
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::123456789012:role/vip"
    );
    assert_eq!(access["cognito:groups"], json!(["vip"]));
    assert!(
        access.get("tenant").is_none(),
        "version 1 only edits the ID token"
    );

    let e = &lambda.events("PreTokenGeneration")[0];
    assert_common(
        e,
        &pool_id,
        "TokenGeneration_Authentication",
        "amy",
        &client_id,
    );
    assert_eq!(
        e["request"]["groupConfiguration"],
        json!({
            "groupsToOverride": ["staff"],
            "iamRolesToOverride": ["arn:aws:iam::123456789012:role/staff"],
            "preferredRole": "arn:aws:iam::123456789012:role/staff"
        })
    );
    assert!(e["request"].get("scopes").is_none());
    assert_eq!(e["response"], json!({"claimsOverrideDetails": null}));
    assert_eq!(e["request"]["userAttributes"]["email"], "amy@example.com");

    // A refresh asks again, with its own source.
    let refresh = out
        .authentication_result()
        .and_then(|r| r.refresh_token())
        .expect("a refresh token");
    let again = app
        .client
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh)
        .send()
        .await
        .expect("refreshed");
    assert_eq!(tokens_of(&again).0["tenant"], "acme");
    let e = &lambda.events("PreTokenGeneration")[1];
    assert_eq!(e["triggerSource"], "TokenGeneration_RefreshTokens");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_token_generation_v2_customizes_both_tokens_and_the_access_token_scopes() {
    let lambda = FakeLambda::start(|_, e| {
        respond(
            e,
            json!({"claimsAndScopeOverrideDetails": {
                "idTokenGeneration": {
                    "claimsToAddOrOverride": {"roles": ["admin", "editor"], "plan": "pro"},
                    "claimsToSuppress": ["email"]
                },
                "accessTokenGeneration": {
                    "claimsToAddOrOverride": {"tenant": {"id": 42, "name": "acme"}},
                    "claimsToSuppress": ["cognito:groups"],
                    "scopesToAdd": ["orders/read", "orders/write"],
                    "scopesToSuppress": ["aws.cognito.signin.user.admin"]
                },
                "groupOverrideDetails": {"groupsToOverride": ["vip"]}
            }}),
        )
    })
    .await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["PreTokenGenerationV2"]).await;
    grouped_user(&app, &pool_id).await;
    let (id, access) = tokens_of(
        &app.password_auth_with_metadata(&client_id, "amy", PASSWORD, ORIGIN)
            .await
            .expect("tokens"),
    );
    assert_eq!(id["roles"], json!(["admin", "editor"]));
    assert_eq!(id["plan"], "pro");
    assert!(id.get("email").is_none());
    assert_eq!(id["cognito:groups"], json!(["vip"]));
    assert_eq!(access["tenant"], json!({"id": 42, "name": "acme"}));
    assert_eq!(access["scope"], "orders/read orders/write");
    let e = &lambda.events("PreTokenGeneration")[0];
    assert_eq!(e["version"], "2");
    assert_eq!(
        e["request"]["scopes"],
        json!(["aws.cognito.signin.user.admin"])
    );
    assert_eq!(
        e["response"],
        json!({"claimsAndScopeOverrideDetails": null})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_token_generation_v3_sends_version_3_events_for_user_sign_ins() {
    let lambda = FakeLambda::start(|_, e| {
        respond(
            e,
            json!({"claimsAndScopeOverrideDetails": {
                "accessTokenGeneration": {"claimsToAddOrOverride": {"tier": "gold"}}
            }}),
        )
    })
    .await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["PreTokenGenerationV3"]).await;
    app.seeded_user(&pool_id, "amy", PASSWORD).await;
    let (_, access) = tokens_of(
        &app.password_auth_with_metadata(&client_id, "amy", PASSWORD, ORIGIN)
            .await
            .expect("tokens"),
    );
    assert_eq!(access["tier"], "gold");
    assert_eq!(lambda.events("PreTokenGeneration")[0]["version"], "3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_token_generation_sees_the_new_password_challenge_and_its_client_metadata() {
    let lambda = FakeLambda::start(|_, e| Reply::Event(e.clone())).await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["PreTokenGeneration"]).await;
    app.client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("newbie")
        .temporary_password(PASSWORD)
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .expect("AdminCreateUser");
    let first = app
        .password_auth_with_metadata(&client_id, "newbie", PASSWORD, ORIGIN)
        .await
        .expect("a challenge");
    let done = app
        .client
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(
            aws_sdk_cognitoidentityprovider::types::ChallengeNameType::NewPasswordRequired,
        )
        .session(first.session().expect("a Session"))
        .challenge_responses("USERNAME", "newbie")
        .challenge_responses("NEW_PASSWORD", "N3w-Passw0rd!")
        .client_metadata("screen", "welcome")
        .send()
        .await
        .expect("tokens");
    assert!(done.authentication_result().is_some());
    let e = &lambda.events("PreTokenGeneration")[0];
    assert_eq!(e["triggerSource"], "TokenGeneration_NewPasswordChallenge");
    assert_eq!(e["request"]["clientMetadata"], json!({"screen": "welcome"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_pre_token_generation_refuses_the_tokens() {
    let lambda = FakeLambda::start(|_, _| Reply::Throw("claims service down".into())).await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["PreTokenGeneration"]).await;
    app.seeded_user(&pool_id, "amy", PASSWORD).await;
    assert_sdk_err(
        app.password_auth_with_metadata(&client_id, "amy", PASSWORD, ORIGIN)
            .await,
        "UserLambdaValidationException",
        "PreTokenGeneration failed with error claims service down.",
    );
}

// ---------------------------------------------------------------------------------------------
// CustomMessage
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_message_writes_the_messages_that_land_in_the_outbox() {
    let lambda = FakeLambda::start(|_, e| {
        let source = e["triggerSource"].as_str().unwrap_or_default();
        let code = e["request"]["codeParameter"].as_str().unwrap_or_default();
        let message = match source {
            "CustomMessage_AdminCreateUser" => format!(
                "Hi {}, your password is {code}",
                e["request"]["usernameParameter"]
                    .as_str()
                    .unwrap_or_default()
            ),
            "CustomMessage_ResendCode" => String::new(),
            _ => format!("[{source}] your code is {code}"),
        };
        respond(
            e,
            json!({"emailMessage": message, "emailSubject": "Hello", "smsMessage": null}),
        )
    })
    .await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["CustomMessage"]).await;
    app.client
        .sign_up()
        .client_id(&client_id)
        .username("msg")
        .password(PASSWORD)
        .user_attributes(attr("email", "msg@example.com"))
        .client_metadata("lang", "en")
        .send()
        .await
        .expect("SignUp");
    let m = app.messages("username=msg").await;
    assert_eq!(m[0]["body"], "[CustomMessage_SignUp] your code is 123456");
    assert_eq!(m[0]["code"], "123456");
    let e = &lambda.events("CustomMessage")[0];
    assert_common(e, &pool_id, "CustomMessage_SignUp", "msg", &client_id);
    assert_eq!(e["request"]["codeParameter"], "{####}");
    assert_eq!(e["request"]["usernameParameter"], Value::Null);
    assert_eq!(e["request"]["clientMetadata"], json!({"lang": "en"}));
    assert_eq!(e["request"]["userAttributes"]["email"], "msg@example.com");
    assert_eq!(
        e["response"],
        json!({"smsMessage": null, "emailMessage": null, "emailSubject": null})
    );

    // An empty message keeps the pool's own.
    app.client
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("msg")
        .send()
        .await
        .expect("ResendConfirmationCode");
    let m = app.messages("username=msg").await;
    assert_eq!(m[1]["body"], "Your verification code is 123456. ");
    assert_eq!(
        lambda.events("CustomMessage")[1]["triggerSource"],
        "CustomMessage_ResendCode"
    );

    app.client
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("invited")
        .temporary_password(PASSWORD)
        .user_attributes(attr("email", "invited@example.com"))
        .desired_delivery_mediums(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Email)
        .send()
        .await
        .expect("AdminCreateUser");
    let m = app.messages("username=invited").await;
    assert_eq!(
        m[0]["body"],
        format!("Hi invited, your password is {PASSWORD}")
    );
    let e = &lambda.events("CustomMessage")[2];
    assert_eq!(e["triggerSource"], "CustomMessage_AdminCreateUser");
    assert_eq!(e["request"]["usernameParameter"], "{username}");
    assert_eq!(e["callerContext"]["clientId"], "CLIENT_ID_NOT_APPLICABLE");
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

// ---------------------------------------------------------------------------------------------
// UserMigration
// ---------------------------------------------------------------------------------------------

fn legacy_directory(name: &str, e: &Value) -> Reply {
    if name != "UserMigration" {
        return Reply::Event(e.clone());
    }
    let user = e["userName"].as_str().unwrap_or_default();
    if !user.starts_with("legacy") {
        return Reply::Throw("User not found".into());
    }
    let source = e["triggerSource"].as_str().unwrap_or_default();
    if source == "UserMigration_Authentication" && e["request"]["password"] != PASSWORD {
        return Reply::Throw("Bad password".into());
    }
    respond(
        e,
        json!({
            "userAttributes": {"email": format!("{user}@old.example"), "email_verified": "true", "name": "Old Timer"},
            "finalUserStatus": if source == "UserMigration_Authentication" { "CONFIRMED" } else { "RESET_REQUIRED" },
            "messageAction": "SUPPRESS"
        }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_migration_brings_a_user_in_at_sign_in() {
    let lambda = FakeLambda::start(legacy_directory).await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) = pool_with_triggers(&app, &["UserMigration"]).await;
    let out = app
        .password_auth_with_metadata(&client_id, "legacy1", PASSWORD, ORIGIN)
        .await
        .expect("tokens");
    let (id, _) = tokens_of(&out);
    assert_eq!(id["email"], "legacy1@old.example");
    assert_eq!(id["name"], "Old Timer");

    let e = &lambda.events("UserMigration")[0];
    assert_common(
        e,
        &pool_id,
        "UserMigration_Authentication",
        "legacy1",
        &client_id,
    );
    assert_eq!(e["request"]["password"], PASSWORD);
    assert_eq!(e["request"]["validationData"], json!({"origin": "tests"}));
    assert_eq!(e["response"]["userAttributes"], Value::Null);

    let user = app
        .client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("legacy1")
        .send()
        .await
        .expect("migrated");
    assert_eq!(user.user_status().map(|s| s.as_str()), Some("CONFIRMED"));
    // Migrated once: the next sign-in is an ordinary one.
    app.password_auth_with_metadata(&client_id, "legacy1", PASSWORD, ORIGIN)
        .await
        .expect("tokens");
    assert_eq!(lambda.events("UserMigration").len(), 1);

    assert_sdk_err(
        app.client
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "legacy2")
            .auth_parameters("PASSWORD", "Wr0ng-pass!")
            .send()
            .await,
        "UserLambdaValidationException",
        "UserMigration failed with error Bad password.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_auth_with_a_password_migrates_an_unknown_user_and_a_one_time_code_does_not() {
    let lambda = FakeLambda::start(|name, e| {
        if name != "UserMigration" || e["request"]["password"] != PASSWORD {
            return Reply::Throw("User not found".into());
        }
        let user = e["userName"].as_str().unwrap_or_default();
        respond(
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
            "PoolName": "user-auth-migration",
            "LambdaConfig": {"UserMigration": arn("UserMigration")},
            "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
        }))
        .await;
    let client_id = user_auth_client(&app, &pool_id).await;

    // A passwordless first factor asks no function.
    let (_, code, _) = app
        .call_err(
            "InitiateAuth",
            user_auth_body(
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
            user_auth_body(
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_migration_on_forgot_password_creates_a_user_who_resets_the_password() {
    let lambda = FakeLambda::start(legacy_directory).await;
    let app = app_for(&lambda).await;
    let (pool_id, client_id) =
        pool_with_triggers(&app, &["UserMigration", "PostConfirmation"]).await;
    let out = app
        .client
        .forgot_password()
        .client_id(&client_id)
        .username("legacy3")
        .send()
        .await
        .expect("ForgotPassword");
    assert!(out.code_delivery_details().is_some());
    let e = &lambda.events("UserMigration")[0];
    assert_common(
        e,
        &pool_id,
        "UserMigration_ForgotPassword",
        "legacy3",
        &client_id,
    );
    assert_eq!(e["request"]["password"], Value::Null);
    let user = app
        .client
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("legacy3")
        .send()
        .await
        .expect("migrated");
    assert_eq!(
        user.user_status().map(|s| s.as_str()),
        Some("RESET_REQUIRED")
    );

    app.client
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("legacy3")
        .confirmation_code("123456")
        .password("N3w-Passw0rd!")
        .send()
        .await
        .expect("ConfirmForgotPassword");
    let e = &lambda.events("PostConfirmation")[0];
    assert_common(
        e,
        &pool_id,
        "PostConfirmation_ConfirmForgotPassword",
        "legacy3",
        &client_id,
    );
    assert_eq!(
        e["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );

    assert_sdk_err(
        app.client
            .forgot_password()
            .client_id(&client_id)
            .username("stranger")
            .send()
            .await,
        "UserLambdaValidationException",
        "UserMigration failed with error User not found.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_email_username_pools_pre_sign_up_names_the_user_by_the_sub_it_gets() {
    let lambda = FakeLambda::start(|_, e| Reply::Event(e.clone())).await;
    let app = app_for(&lambda).await;
    let pool_id = app
        .create_pool_with(json!({
            "PoolName": "emails",
            "UsernameAttributes": ["email"],
            "LambdaConfig": {"PreSignUp": arn("PreSignUp")}
        }))
        .await;
    let client_id = app.create_client(&pool_id).await;
    let out = app
        .client
        .sign_up()
        .client_id(&client_id)
        .username("eve@example.com")
        .password(PASSWORD)
        .send()
        .await
        .expect("SignUp");
    let e = &lambda.events("PreSignUp")[0];
    assert_eq!(e["userName"], out.user_sub());
    assert_eq!(
        e["request"]["userAttributes"],
        json!({"email": "eve@example.com"})
    );
}

//! Shared test harness: a real emulator per test, an SDK client pointed at it, raw HTTP helpers.
#![allow(dead_code)]

use aws_credential_types::Credentials;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::{
    InitiateAuthError, InitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, AuthenticationResultType, ChallengeNameType,
};
use aws_sdk_cognitoidentityprovider::Client;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use cognito_emulator::crypto::srp;
use cognito_emulator::{App, Application, Config};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;

pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
pub const AMZ_JSON: &str = "application/x-amz-json-1.1";

/// A running emulator. The server task ends with the test's runtime.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    /// The AWS SDK for Rust with dummy static credentials and retries disabled.
    pub client: Client,
    pub http: reqwest::Client,
    /// The server's state, for tests that need to look behind the API.
    pub state: App,
}

/// Starts an emulator with the test configuration (in-memory store, free port).
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Config::for_tests()).await
}

/// Starts an emulator with a configuration of the test's choosing (`--db FILE`, `--fixed-code`...).
pub async fn spawn_app_with(config: Config) -> TestApp {
    let (app, _server) = spawn_server(config).await;
    app
}

/// Like [`spawn_app_with`] but also hands back the server task, so a test can stop the server
/// (abort + await) and start another on the same database.
pub async fn spawn_server(config: Config) -> (TestApp, tokio::task::JoinHandle<()>) {
    let application = Application::build(config)
        .await
        .expect("the emulator builds with the test configuration");
    let base_url = format!("http://{}", application.local_addr());
    let state = application.state();
    let server = tokio::spawn(async move {
        let _ = application.serve_forever().await;
    });
    let app = TestApp {
        client: sdk_client(&base_url),
        http: reqwest::Client::new(),
        base_url,
        state,
    };
    (app, server)
}

/// The SDK as users configure it: endpoint override, any region, dummy keys (admin operations are
/// SigV4-signed client side and the SDK refuses to send them without credentials).
pub fn sdk_client(base_url: &str) -> Client {
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(base_url)
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        // An error must be seen once, as the emulator sent it, not after three attempts.
        .retry_config(RetryConfig::disabled())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    Client::from_conf(config)
}

/// The `(code, message)` of an SDK error, as the emulator put them on the wire.
pub fn err_code<E, R>(err: &SdkError<E, R>) -> (String, String)
where
    E: ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    match err.as_service_error() {
        Some(e) => (
            e.code().unwrap_or_default().to_string(),
            e.message().unwrap_or_default().to_string(),
        ),
        None => (format!("<not a service error: {err:?}>"), String::new()),
    }
}

/// Unwraps the error of an SDK result into `(code, message)`; panics if the call succeeded.
pub fn expect_err<T: std::fmt::Debug, E, R>(result: Result<T, SdkError<E, R>>) -> (String, String)
where
    E: ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => err_code(&e),
    }
}

/// Asserts that an SDK call failed with exactly this `__type` and message: the one-line form of
/// `expect_err` + `assert_eq!` that most error tests need.
#[track_caller]
pub fn assert_sdk_err<T: std::fmt::Debug, E, R>(
    result: Result<T, SdkError<E, R>>,
    code: &str,
    message: &str,
) where
    E: ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    let (c, m) = expect_err(result);
    assert_eq!((c.as_str(), m.as_str()), (code, message));
}

/// Asserts a `(code, message)` pair of a raw call ([`TestApp::call_err`]) against the expected
/// `(__type, message)`.
#[track_caller]
pub fn assert_err_pair(got: (String, String), want: (&str, &str)) {
    assert_eq!((got.0.as_str(), got.1.as_str()), want);
}

/// Asserts that an SDK call failed with this `__type`, whatever the message (shown on failure):
/// for the errors whose wording the tests leave open.
#[track_caller]
pub fn assert_sdk_code<T: std::fmt::Debug, E, R>(result: Result<T, SdkError<E, R>>, code: &str)
where
    E: ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    let (c, m) = expect_err(result);
    assert_eq!(c, code, "{m}");
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Posts `body` to operation `target` (the name without the service prefix) exactly as SDKs do.
    pub async fn raw(&self, target: &str, body: Value) -> (StatusCode, HeaderMap, Value) {
        self.raw_bytes(Some(target), body.to_string().into_bytes())
            .await
    }

    /// Posts arbitrary bytes; `target = None` sends no `X-Amz-Target` header.
    pub async fn raw_bytes(
        &self,
        target: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut req = self
            .http
            .post(self.url("/"))
            .header("content-type", AMZ_JSON)
            .body(body);
        if let Some(t) = target {
            req = req.header("x-amz-target", format!("{TARGET_PREFIX}{t}"));
        }
        let resp = req.send().await.expect("the emulator answers");
        into_parts(resp).await
    }

    /// Like [`raw`](Self::raw) but asserts a 200 and returns the body.
    pub async fn call(&self, target: &str, body: Value) -> Value {
        let (status, _, resp) = self.raw(target, body).await;
        assert_eq!(status, StatusCode::OK, "{target} failed: {resp}");
        resp
    }

    /// Like [`raw`](Self::raw) but asserts an error and returns `(status, __type, message)`.
    pub async fn call_err(&self, target: &str, body: Value) -> (StatusCode, String, String) {
        let (status, _, resp) = self.raw(target, body).await;
        assert_ne!(
            status,
            StatusCode::OK,
            "{target} unexpectedly succeeded: {resp}"
        );
        (
            status,
            resp["__type"].as_str().unwrap_or_default().to_string(),
            resp["message"]
                .as_str()
                .or_else(|| resp["Message"].as_str())
                .unwrap_or_default()
                .to_string(),
        )
    }

    /// Asserts that a raw call fails with exactly this `__type` and message.
    pub async fn assert_call_err(&self, target: &str, body: Value, code: &str, message: &str) {
        let (_, c, m) = self.call_err(target, body).await;
        assert_eq!((c.as_str(), m.as_str()), (code, message), "{target}");
    }

    pub async fn get(&self, path: &str) -> (StatusCode, HeaderMap, Value) {
        let resp = self
            .http
            .get(self.url(path))
            .send()
            .await
            .expect("the emulator answers");
        into_parts(resp).await
    }

    /// POSTs JSON to an emulator endpoint such as `/_emulator/clock`.
    pub async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("the emulator answers");
        let (status, _, body) = into_parts(resp).await;
        (status, body)
    }

    /// Moves the emulator clock forward (negative moves it back).
    pub async fn advance_clock(&self, secs: i64) {
        let (status, body) = self
            .post_json("/_emulator/clock", json!({ "advanceSeconds": secs }))
            .await;
        assert_eq!(status, StatusCode::OK, "clock: {body}");
    }

    /// Messages from the outbox; `query` is a query string without `?`, e.g. `username=alice&purpose=SIGN_UP`.
    pub async fn messages(&self, query: &str) -> Vec<Value> {
        let path = if query.is_empty() {
            "/_emulator/messages".to_string()
        } else {
            format!("/_emulator/messages?{query}")
        };
        let (status, _, body) = self.get(&path).await;
        assert_eq!(status, StatusCode::OK, "messages: {body}");
        body["messages"].as_array().cloned().unwrap_or_default()
    }

    /// The code of the newest message for `username` (optionally of one purpose).
    pub async fn last_code(&self, username: &str, purpose: Option<&str>) -> Option<String> {
        let mut q = format!("username={username}");
        if let Some(p) = purpose {
            q.push_str(&format!("&purpose={p}"));
        }
        self.messages(&q)
            .await
            .iter()
            .rev()
            .find_map(|m| m["code"].as_str().map(str::to_string))
    }

    /// A pool with default settings; returns its id.
    pub async fn create_pool(&self, name: &str) -> String {
        self.create_pool_with(json!({ "PoolName": name })).await
    }

    /// A pool from a raw CreateUserPool body (wire member names); returns its id.
    pub async fn create_pool_with(&self, body: Value) -> String {
        let resp = self.call("CreateUserPool", body).await;
        resp["UserPool"]["Id"]
            .as_str()
            .expect("CreateUserPool returns UserPool.Id")
            .to_string()
    }

    /// A public client (no secret) allowing password, SRP and refresh flows; returns its id.
    pub async fn create_client(&self, pool_id: &str) -> String {
        let resp = self
            .call(
                "CreateUserPoolClient",
                json!({
                    "UserPoolId": pool_id,
                    "ClientName": "test-client",
                    "ExplicitAuthFlows": [
                        "ALLOW_USER_PASSWORD_AUTH",
                        "ALLOW_USER_SRP_AUTH",
                        "ALLOW_REFRESH_TOKEN_AUTH",
                        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                        "ALLOW_CUSTOM_AUTH"
                    ]
                }),
            )
            .await;
        resp["UserPoolClient"]["ClientId"]
            .as_str()
            .expect("CreateUserPoolClient returns UserPoolClient.ClientId")
            .to_string()
    }

    /// A client from a raw CreateUserPoolClient body; returns the whole `UserPoolClient`.
    pub async fn create_client_with(&self, body: Value) -> Value {
        self.call("CreateUserPoolClient", body).await["UserPoolClient"].clone()
    }

    /// A confidential client (generated secret) with the same flows; returns `(id, secret)`.
    pub async fn create_client_with_secret(&self, pool_id: &str) -> (String, String) {
        let c = self
            .create_client_with(json!({
                "UserPoolId": pool_id,
                "ClientName": "secret-client",
                "GenerateSecret": true,
                "ExplicitAuthFlows": [
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                    "ALLOW_CUSTOM_AUTH"
                ]
            }))
            .await;
        (
            c["ClientId"].as_str().unwrap_or_default().to_string(),
            c["ClientSecret"].as_str().unwrap_or_default().to_string(),
        )
    }
}

async fn into_parts(resp: reqwest::Response) -> (StatusCode, HeaderMap, Value) {
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.expect("a readable body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    (status, headers, body)
}

// ---------------------------------------------------------------------------------------------
// Builders for the sign-in tests: users, clients, password and SRP sign-ins.
// ---------------------------------------------------------------------------------------------

/// A JWT's payload, decoded without verification.
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT has a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url payload"))
        .expect("JSON payload")
}

/// Whether `s` is a UUID in its canonical, hyphenated form (8-4-4-4-12 hex digits), as subs,
/// request ids and generated usernames are written.
pub fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

/// An InitiateAuth USER_AUTH body (raw JSON) with these AuthParameters.
pub fn user_auth_body(client_id: &str, params: Value) -> Value {
    json!({"AuthFlow": "USER_AUTH", "ClientId": client_id, "AuthParameters": params})
}

/// A public client allowing USER_AUTH, USER_PASSWORD_AUTH and refresh; returns its id.
pub async fn user_auth_client(app: &TestApp, pool_id: &str) -> String {
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

/// An SDK attribute.
pub fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("an attribute with a name")
}

/// SDK attributes as a name -> value map.
pub fn attribute_map(list: &[AttributeType]) -> HashMap<String, String> {
    list.iter()
        .map(|a| {
            (
                a.name().to_string(),
                a.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Challenge names as the wire spells them (AvailableChallenges, for instance).
pub fn challenge_names(list: &[ChallengeNameType]) -> Vec<&str> {
    list.iter().map(|c| c.as_str()).collect()
}

/// The pool name that SRP hashes in: the part of the pool id after the underscore.
pub fn pool_name(pool_id: &str) -> &str {
    pool_id.split_once('_').map(|(_, n)| n).unwrap_or(pool_id)
}

/// A client's secret SRP ephemeral a: 128 bytes as the JS SDK draws them, fixed so that a
/// failing test can be replayed.
pub fn srp_secret() -> Vec<u8> {
    (0..128u32).map(|i| (i * 53 + 7) as u8).collect()
}

/// The SRP_A a client sends for its secret `a` (hex).
pub fn srp_a(a: &[u8]) -> String {
    hex::encode(srp::client::srp_a(a))
}

impl TestApp {
    /// AdminCreateUser without an invitation, with `password` as the temporary password (status
    /// FORCE_CHANGE_PASSWORD) and these attributes.
    pub async fn create_user(
        &self,
        pool_id: &str,
        username: &str,
        password: &str,
        attrs: &[(&str, &str)],
    ) {
        let attributes: Vec<Value> = attrs
            .iter()
            .map(|(n, v)| json!({ "Name": n, "Value": v }))
            .collect();
        self.call(
            "AdminCreateUser",
            json!({
                "UserPoolId": pool_id,
                "Username": username,
                "TemporaryPassword": password,
                "MessageAction": "SUPPRESS",
                "UserAttributes": attributes
            }),
        )
        .await;
    }

    /// AdminSetUserPassword, permanent: the user becomes CONFIRMED.
    pub async fn set_permanent_password(&self, pool_id: &str, username: &str, password: &str) {
        self.call(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool_id, "Username": username, "Password": password, "Permanent": true}),
        )
        .await;
    }

    /// A CONFIRMED user with these attributes and `password` as a permanent password.
    pub async fn confirmed_user(
        &self,
        pool_id: &str,
        username: &str,
        password: &str,
        attrs: &[(&str, &str)],
    ) {
        self.create_user(pool_id, username, password, attrs).await;
        self.set_permanent_password(pool_id, username, password)
            .await;
    }

    /// [`create_user`](Self::create_user) with a verified `{username}@example.com`: status
    /// FORCE_CHANGE_PASSWORD, `password` temporary.
    pub async fn email_user(&self, pool_id: &str, username: &str, password: &str) {
        let email = format!("{username}@example.com");
        self.create_user(
            pool_id,
            username,
            password,
            &[("email", &email), ("email_verified", "true")],
        )
        .await;
    }

    /// [`email_user`](Self::email_user) with `password` made permanent: status CONFIRMED.
    pub async fn confirmed_email_user(&self, pool_id: &str, username: &str, password: &str) {
        self.email_user(pool_id, username, password).await;
        self.set_permanent_password(pool_id, username, password)
            .await;
    }

    /// A CONFIRMED user with a verified `{username}@example.com` and `password` as a permanent
    /// password, written by the seed path: unlike [`confirmed_user`](Self::confirmed_user), no
    /// trigger of the pool runs (PreSignUp, CustomMessage...), so a test's functions see only
    /// what the test itself does.
    pub async fn seeded_user(&self, pool_id: &str, username: &str, password: &str) {
        cognito_emulator::app::seed::apply(
            &self.state,
            json!({"UserPools": [{"Id": pool_id, "Users": [{
                "Username": username, "Password": password,
                "Attributes": {"email": format!("{username}@example.com"), "email_verified": true}
            }]}]}),
        )
        .await
        .expect("the seed applies");
    }

    /// The user's attributes, by AdminGetUser.
    pub async fn user_attributes(&self, pool_id: &str, username: &str) -> HashMap<String, String> {
        let u = self
            .client
            .admin_get_user()
            .user_pool_id(pool_id)
            .username(username)
            .send()
            .await
            .expect("AdminGetUser succeeds");
        attribute_map(u.user_attributes())
    }

    /// The user's UserStatus, by AdminGetUser.
    pub async fn user_status(&self, pool_id: &str, username: &str) -> String {
        self.client
            .admin_get_user()
            .user_pool_id(pool_id)
            .username(username)
            .send()
            .await
            .expect("AdminGetUser succeeds")
            .user_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default()
    }

    /// A public client allowing exactly these ExplicitAuthFlows; returns its id.
    pub async fn client_with_flows(&self, pool_id: &str, flows: &[&str]) -> String {
        self.create_client_with(json!({
            "UserPoolId": pool_id,
            "ClientName": "test-client",
            "ExplicitAuthFlows": flows
        }))
        .await["ClientId"]
            .as_str()
            .expect("CreateUserPoolClient returns UserPoolClient.ClientId")
            .to_string()
    }

    /// InitiateAuth USER_PASSWORD_AUTH through the SDK.
    pub async fn password_auth(
        &self,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
        self.password_auth_with_metadata(client_id, username, password, &[])
            .await
    }

    /// [`password_auth`](Self::password_auth) with this ClientMetadata (which PreAuthentication
    /// sees as `validationData`).
    pub async fn password_auth_with_metadata(
        &self,
        client_id: &str,
        username: &str,
        password: &str,
        metadata: &[(&str, &str)],
    ) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
        let mut req = self
            .client
            .initiate_auth()
            .client_id(client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password);
        for (k, v) in metadata {
            req = req.client_metadata(*k, *v);
        }
        req.send().await
    }

    /// RespondToAuthChallenge through the SDK with these ChallengeResponses.
    pub async fn respond_to_challenge(
        &self,
        client_id: &str,
        challenge: ChallengeNameType,
        session: &str,
        responses: &[(&str, &str)],
    ) -> Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>> {
        let mut req = self
            .client
            .respond_to_auth_challenge()
            .client_id(client_id)
            .challenge_name(challenge)
            .session(session);
        for (k, v) in responses {
            req = req.challenge_responses(*k, *v);
        }
        req.send().await
    }

    /// A USER_PASSWORD_AUTH sign-in that must end with tokens: its AuthenticationResult.
    pub async fn password_sign_in(
        &self,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> AuthenticationResultType {
        let out = self
            .password_auth(client_id, username, password)
            .await
            .expect("InitiateAuth USER_PASSWORD_AUTH");
        match out.authentication_result() {
            Some(r) => r.clone(),
            None => panic!("tokens expected, got {out:?}"),
        }
    }

    /// The ChallengeResponses a client sends to PASSWORD_VERIFIER, computed with the crate's
    /// client-side SRP as the JS SDK and pycognito compute them: USERNAME = USER_ID_FOR_SRP, the
    /// SECRET_BLOCK echoed, the signature over `password` and a TIMESTAMP by the emulator clock.
    pub fn password_claim(
        &self,
        pool_id: &str,
        params: &HashMap<String, String>,
        a: &[u8],
        password: &str,
    ) -> HashMap<String, String> {
        let param = |n: &str| params.get(n).cloned().unwrap_or_default();
        let block = STANDARD
            .decode(param("SECRET_BLOCK"))
            .expect("SECRET_BLOCK is standard base64");
        let timestamp = srp::client::timestamp_at(self.state.clock.now());
        let signature = srp::client::signature(
            pool_name(pool_id),
            &param("USER_ID_FOR_SRP"),
            password,
            &param("SALT"),
            &param("SRP_B"),
            a,
            &block,
            &timestamp,
        );
        HashMap::from([
            ("USERNAME".to_string(), param("USER_ID_FOR_SRP")),
            (
                "PASSWORD_CLAIM_SECRET_BLOCK".to_string(),
                param("SECRET_BLOCK"),
            ),
            ("PASSWORD_CLAIM_SIGNATURE".to_string(), signature),
            ("TIMESTAMP".to_string(), timestamp),
        ])
    }

    /// InitiateAuth USER_SRP_AUTH through the SDK with the SRP_A of the secret `a`.
    pub async fn srp_initiate(
        &self,
        client_id: &str,
        username: &str,
        a: &[u8],
    ) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
        self.client
            .initiate_auth()
            .client_id(client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("SRP_A", srp_a(a))
            .send()
            .await
    }

    /// A USER_SRP_AUTH sign-in through the SDK: InitiateAuth (which must answer
    /// PASSWORD_VERIFIER), then the answer signed with `password`.
    pub async fn srp_sign_in(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>> {
        let a = srp_secret();
        let init = self
            .srp_initiate(client_id, username, &a)
            .await
            .expect("InitiateAuth USER_SRP_AUTH");
        assert_eq!(
            init.challenge_name(),
            Some(&ChallengeNameType::PasswordVerifier),
            "{init:?}"
        );
        let params = init.challenge_parameters().cloned().unwrap_or_default();
        self.client
            .respond_to_auth_challenge()
            .client_id(client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .set_challenge_responses(Some(self.password_claim(pool_id, &params, &a, password)))
            .send()
            .await
    }
}

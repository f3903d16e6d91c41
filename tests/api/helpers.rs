//! Shared test harness: a real emulator per test, an SDK client pointed at it, raw HTTP helpers.
#![allow(dead_code)]

use aws_credential_types::Credentials;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::Client;
use cognito_emulator::{App, Application, Config};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};

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

//! The OAuth 2.0 / hosted UI endpoints (Cognito Developer Guide, the endpoint pages): /oauth2/token
//! (client_credentials, authorization_code + PKCE, refresh_token), /oauth2/authorize, /login,
//! /oauth2/userInfo, /oauth2/revoke and /logout, over raw HTTP as browsers and OAuth libraries call
//! them.

use crate::helpers::*;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

const CALLBACK: &str = "http://localhost:3000/callback";
const SIGNED_OUT: &str = "http://localhost:3000/";
const PASSWORD: &str = "Passw0rd!x";
const VERIFIER: &str = "dBjftJeZ4CVP-mJ92K9OrIGzN9Fh2DkO5Q7HcnRvC6GoQ_pY";

/// A pool with a resource server `api` (read, write), a user `alice` and one OAuth client.
struct OAuth {
    app: TestApp,
    pool_id: String,
    client_id: String,
    secret: Option<String>,
    /// Does not follow redirects: the tests read `Location`.
    http: reqwest::Client,
}

async fn setup(flows: &[&str], scopes: &[&str], secret: bool) -> OAuth {
    setup_in(spawn_app().await, flows, scopes, secret).await
}

async fn setup_in(app: TestApp, flows: &[&str], scopes: &[&str], secret: bool) -> OAuth {
    let pool_id = app.create_pool("oauth").await;
    app.call(
        "CreateResourceServer",
        json!({"UserPoolId": pool_id, "Identifier": "api", "Name": "api",
               "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"},
                          {"ScopeName": "write", "ScopeDescription": "Write"}]}),
    )
    .await;
    let client = app
        .create_client_with(json!({
            "UserPoolId": pool_id,
            "ClientName": "web",
            "GenerateSecret": secret,
            "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": flows,
            "AllowedOAuthScopes": scopes,
            "CallbackURLs": [CALLBACK],
            "LogoutURLs": [SIGNED_OUT],
            "SupportedIdentityProviders": ["COGNITO"],
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        }))
        .await;
    app.confirmed_user(
        &pool_id,
        "alice",
        PASSWORD,
        &[
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("name", "Alice"),
        ],
    )
    .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client");
    OAuth {
        pool_id,
        client_id: client["ClientId"].as_str().unwrap_or_default().to_string(),
        secret: client["ClientSecret"].as_str().map(str::to_string),
        app,
        http,
    }
}

const WEB_SCOPES: &[&str] = &[
    "openid",
    "email",
    "profile",
    "aws.cognito.signin.user.admin",
    "api/read",
];

/// A web client for the code and implicit grants (no secret), with OIDC and admin scopes.
async fn web() -> OAuth {
    setup(&["code", "implicit"], WEB_SCOPES, false).await
}

/// A machine client: secret, client_credentials, both custom scopes.
async fn machine() -> OAuth {
    setup(&["client_credentials"], &["api/read", "api/write"], true).await
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

fn parse(text: &str) -> HashMap<String, String> {
    form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn location(h: &HeaderMap) -> String {
    h.get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The parameters after `?` (or `#` for the implicit grant) of a redirect.
fn redirect_params(loc: &str, sep: char) -> HashMap<String, String> {
    parse(loc.split_once(sep).map(|(_, q)| q).unwrap_or_default())
}

fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

impl OAuth {
    async fn post_form(
        &self,
        path: &str,
        authorization: Option<String>,
        body: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Value) {
        let mut req = self
            .http
            .post(self.app.url(path))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(body));
        if let Some(a) = authorization {
            req = req.header(AUTHORIZATION, a);
        }
        let resp = req.send().await.expect("the emulator answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, headers, body)
    }

    /// POST /oauth2/token, authenticating with Basic when the client has a secret.
    async fn token(&self, body: &[(&str, &str)]) -> (StatusCode, Value) {
        let auth = self.secret.as_ref().map(|s| basic(&self.client_id, s));
        let mut body = body.to_vec();
        if auth.is_none() {
            body.push(("client_id", &self.client_id));
        }
        let (status, _, v) = self.post_form("/oauth2/token", auth, &body).await;
        (status, v)
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, String) {
        let mut req = self.http.get(self.app.url(path));
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        let resp = req.send().await.expect("the emulator answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        (status, headers, resp.text().await.unwrap_or_default())
    }

    fn authorize_query(&self, extra: &[(&str, &str)]) -> String {
        let mut pairs = vec![
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", CALLBACK),
            ("response_type", "code"),
            ("state", "st-1"),
        ];
        for (k, v) in extra {
            pairs.retain(|(pk, _)| pk != k);
            pairs.push((k, v));
        }
        form(&pairs)
    }

    /// POST /login?query with a username and password.
    async fn login(
        &self,
        query: &str,
        username: &str,
        password: &str,
    ) -> (StatusCode, HeaderMap, String) {
        let resp = self
            .http
            .post(self.app.url(&format!("/login?{query}")))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(&[("username", username), ("password", password)]))
            .send()
            .await
            .expect("the emulator answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        (status, headers, resp.text().await.unwrap_or_default())
    }

    /// Signs alice in through the hosted UI; returns the redirect back to the app.
    async fn sign_in(&self, extra: &[(&str, &str)]) -> (String, String) {
        let query = self.authorize_query(extra);
        let (status, h, _) = self.get(&format!("/oauth2/authorize?{query}"), None).await;
        assert_eq!(status, StatusCode::FOUND);
        assert_eq!(location(&h), format!("/login?{query}"));
        let (status, page, html) = self.get(&location(&h), None).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("name=\"password\""), "{html}");
        drop(page);
        let (status, h, body) = self.login(&query, "alice", PASSWORD).await;
        assert_eq!(status, StatusCode::FOUND, "{body}");
        let cookie = h
            .get(SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next())
            .unwrap_or_default()
            .to_string();
        (location(&h), cookie)
    }

    /// A code for alice with PKCE (S256 over [`VERIFIER`]) and a nonce.
    async fn code(&self) -> String {
        let challenge = challenge_of(VERIFIER);
        let (loc, _) = self
            .sign_in(&[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("nonce", "n-0S6_WzA2Mj"),
                ("scope", "openid email aws.cognito.signin.user.admin"),
            ])
            .await;
        assert!(loc.starts_with(&format!("{CALLBACK}?")), "{loc}");
        let p = redirect_params(&loc, '?');
        assert_eq!(p["state"], "st-1");
        p["code"].clone()
    }

    async fn exchange(&self, code: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ])
        .await
    }
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

// ---------------------------------------------------------------------------------------------
// client_credentials
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn client_credentials_issue_an_access_token_for_the_client_with_its_custom_scopes() {
    let o = machine().await;
    let (status, body) = o.token(&[("grant_type", "client_credentials")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(keys(&body), ["access_token", "expires_in", "token_type"]);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let c = claims(body["access_token"].as_str().unwrap_or_default());
    assert_eq!(
        keys(&c),
        [
            "auth_time",
            "client_id",
            "exp",
            "iat",
            "iss",
            "jti",
            "scope",
            "sub",
            "token_use",
            "version"
        ]
    );
    assert_eq!(c["sub"], o.client_id.as_str());
    assert_eq!(c["client_id"], o.client_id.as_str());
    assert_eq!(c["token_use"], "access");
    assert_eq!(c["scope"], "api/read api/write");
    assert_eq!(c["iss"], format!("{}/{}", o.app.base_url, o.pool_id));

    // Requested scopes the client does not have are ignored; client_secret_post works too.
    let secret = o.secret.clone().unwrap_or_default();
    let (status, _, body) = o
        .post_form(
            "/oauth2/token",
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &o.client_id),
                ("client_secret", &secret),
                ("scope", "api/write api/admin"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap_or_default())["scope"],
        "api/write"
    );

    let (status, body) = o
        .token(&[("grant_type", "client_credentials"), ("scope", "api/admin")])
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, json!({"error": "invalid_scope"}))
    );
}

#[tokio::test]
async fn token_requests_that_fail_answer_400_with_the_oauth_error() {
    let o = machine().await;
    let err = |e: &str| (StatusCode::BAD_REQUEST, json!({ "error": e }));
    let cc = [("grant_type", "client_credentials")];
    let (s, _, b) = o
        .post_form("/oauth2/token", Some(basic(&o.client_id, "wrong")), &cc)
        .await;
    assert_eq!((s, b), err("invalid_client"), "wrong secret");
    let (s, _, b) = o.post_form("/oauth2/token", None, &cc).await;
    assert_eq!((s, b), err("invalid_client"), "no client at all");
    let (s, _, b) = o
        .post_form(
            "/oauth2/token",
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &o.client_id),
            ],
        )
        .await;
    assert_eq!(
        (s, b),
        err("invalid_client"),
        "a confidential client without its secret"
    );
    let (s, _, b) = o
        .post_form("/oauth2/token", Some(basic("nosuchclient", "x")), &cc)
        .await;
    assert_eq!((s, b), err("invalid_client"), "unknown client");
    assert_eq!(o.token(&[]).await, err("invalid_request"), "no grant_type");
    assert_eq!(
        o.token(&[("grant_type", "password")]).await,
        err("unsupported_grant_type")
    );
    assert_eq!(
        o.token(&[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", CALLBACK)
        ])
        .await,
        err("unauthorized_client"),
        "the client has no code grant"
    );

    // A public client cannot use client_credentials.
    let w = web().await;
    assert_eq!(w.token(&cc).await, err("unauthorized_client"));
}

// ---------------------------------------------------------------------------------------------
// authorization_code
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_code_with_pkce_gives_tokens_with_the_granted_scopes_nonce_and_at_hash() {
    let o = web().await;
    let code = o.code().await;
    let (status, body) = o.exchange(&code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        keys(&body),
        [
            "access_token",
            "expires_in",
            "id_token",
            "refresh_token",
            "token_type"
        ]
    );
    let access_token = body["access_token"].as_str().unwrap_or_default();
    let access = claims(access_token);
    assert_eq!(
        access["scope"],
        "openid email aws.cognito.signin.user.admin"
    );
    assert_eq!(access["username"], "alice");
    assert_eq!(access["client_id"], o.client_id.as_str());
    let id = claims(body["id_token"].as_str().unwrap_or_default());
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id["aud"], o.client_id.as_str());
    assert_eq!(id["email"], "alice@example.com");
    let half = &Sha256::digest(access_token.as_bytes())[..16];
    assert_eq!(id["at_hash"], URL_SAFE_NO_PAD.encode(half));

    // With aws.cognito.signin.user.admin the access token works on the API.
    let user = o
        .app
        .call("GetUser", json!({"AccessToken": access_token}))
        .await;
    assert_eq!(user["Username"], "alice");
}

#[tokio::test]
async fn a_code_is_single_use_and_expires_after_five_minutes() {
    let o = web().await;
    let code = o.code().await;
    assert_eq!(o.exchange(&code).await.0, StatusCode::OK);
    assert_eq!(
        o.exchange(&code).await,
        (StatusCode::BAD_REQUEST, json!({"error": "invalid_grant"})),
        "replay"
    );
    let late = o.code().await;
    o.app.advance_clock(301).await;
    assert_eq!(
        o.exchange(&late).await,
        (StatusCode::BAD_REQUEST, json!({"error": "invalid_grant"})),
        "expired"
    );
}

#[tokio::test]
async fn a_code_needs_its_pkce_verifier_and_redirect_uri() {
    let o = web().await;
    let code = o.code().await;
    let with = |verifier: &'static str, redirect: &'static str| {
        let code = code.clone();
        let o = &o;
        async move {
            let mut body = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", redirect),
            ];
            if !verifier.is_empty() {
                body.push(("code_verifier", verifier));
            }
            o.token(&body).await
        }
    };
    let err = |e: &str| (StatusCode::BAD_REQUEST, json!({ "error": e }));
    assert_eq!(
        with("", CALLBACK).await,
        err("invalid_request"),
        "no verifier"
    );
    assert_eq!(
        with(
            "another-verifier-another-verifier-another-verifier",
            CALLBACK
        )
        .await,
        err("invalid_grant"),
        "PKCE mismatch"
    );
    assert_eq!(
        with(VERIFIER, "http://localhost:3000/callback/").await,
        err("unauthorized_client"),
        "redirect_uri mismatch"
    );
    // None of the refused attempts used the code up.
    assert_eq!(o.exchange(&code).await.0, StatusCode::OK);
}

// ---------------------------------------------------------------------------------------------
// refresh_token and revocation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn refresh_tokens_of_the_code_grant_keep_their_scopes_on_both_refresh_routes() {
    let o = web().await;
    let code = o.code().await;
    let (_, tokens) = o.exchange(&code).await;
    let refresh = tokens["refresh_token"].as_str().unwrap_or_default();
    let (status, body) = o
        .token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        keys(&body),
        ["access_token", "expires_in", "id_token", "token_type"]
    );
    let access = claims(body["access_token"].as_str().unwrap_or_default());
    assert_eq!(
        access["scope"],
        "openid email aws.cognito.signin.user.admin"
    );
    assert_eq!(
        access["origin_jti"],
        claims(tokens["access_token"].as_str().unwrap_or_default())["origin_jti"]
    );

    let api = o
        .app
        .call(
            "InitiateAuth",
            json!({"ClientId": o.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                   "AuthParameters": {"REFRESH_TOKEN": refresh}}),
        )
        .await;
    let access = claims(
        api["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap_or_default(),
    );
    assert_eq!(
        access["scope"],
        "openid email aws.cognito.signin.user.admin"
    );

    // An API sign-in's refresh token refreshes at the token endpoint too.
    let signed = o
        .app
        .call(
            "InitiateAuth",
            json!({"ClientId": o.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
        )
        .await;
    let api_refresh = signed["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap_or_default();
    let (status, body) = o
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", api_refresh),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap_or_default())["scope"],
        "aws.cognito.signin.user.admin"
    );
    assert_eq!(
        o.token(&[("grant_type", "refresh_token"), ("refresh_token", "nope")])
            .await,
        (StatusCode::BAD_REQUEST, json!({"error": "invalid_grant"}))
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_no_longer_refreshes() {
    let o = web().await;
    let (_, tokens) = o.exchange(&o.code().await).await;
    let refresh = tokens["refresh_token"].as_str().unwrap_or_default();
    let revoke = |token: &str| {
        let token = token.to_string();
        let o = &o;
        async move {
            let pairs = [
                ("token", token.as_str()),
                ("client_id", o.client_id.as_str()),
            ];
            let (s, _, b) = o.post_form("/oauth2/revoke", None, &pairs).await;
            (s, b)
        }
    };
    assert_eq!(
        revoke(refresh).await,
        (StatusCode::OK, Value::String(String::new()))
    );
    assert_eq!(
        o.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
            .await,
        (StatusCode::BAD_REQUEST, json!({"error": "invalid_grant"}))
    );
    // The access tokens of that sign-in are revoked with it.
    let (status, _, _) = o
        .post_form(
            "/oauth2/userInfo",
            Some(format!(
                "Bearer {}",
                tokens["access_token"].as_str().unwrap_or_default()
            )),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Unknown tokens are not an error; access tokens are not refresh tokens.
    assert_eq!(revoke("unknown").await.0, StatusCode::OK);
    assert_eq!(
        revoke(tokens["access_token"].as_str().unwrap_or_default()).await,
        (
            StatusCode::BAD_REQUEST,
            json!({"error": "unsupported_token_type"})
        )
    );
    let (s, _, b) = o
        .post_form("/oauth2/revoke", None, &[("client_id", &o.client_id)])
        .await;
    assert_eq!(
        (s, b),
        (StatusCode::BAD_REQUEST, json!({"error": "invalid_request"}))
    );
    let (s, _, b) = o
        .post_form(
            "/oauth2/revoke",
            None,
            &[("token", "x"), ("client_id", "nosuchclient")],
        )
        .await;
    assert_eq!(
        (s, b),
        (StatusCode::UNAUTHORIZED, json!({"error": "invalid_client"}))
    );
}

// ---------------------------------------------------------------------------------------------
// userInfo
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn user_info_answers_an_openid_access_token_and_refuses_others() {
    let o = web().await;
    let (_, tokens) = o.exchange(&o.code().await).await;
    let bearer = |t: &str| format!("Bearer {t}");
    let resp = o
        .http
        .get(o.app.url("/oauth2/userInfo"))
        .header(
            AUTHORIZATION,
            bearer(tokens["access_token"].as_str().unwrap_or_default()),
        )
        .send()
        .await
        .expect("answer");
    assert_eq!(resp.status(), StatusCode::OK);
    let info: Value = resp.json().await.unwrap_or_default();
    assert_eq!(info["email"], "alice@example.com");
    assert_eq!(info["email_verified"], "true");
    assert_eq!(info["username"], "alice");
    assert!(info["sub"].is_string());
    assert!(
        info.get("name").is_none(),
        "email releases no profile claims: {info}"
    );

    // An API sign-in's token has no openid.
    let signed = o
        .app
        .call(
            "InitiateAuth",
            json!({"ClientId": o.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
        )
        .await;
    let api_access = signed["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap_or_default();
    let (status, h, body) = o
        .post_form("/oauth2/userInfo", Some(bearer(api_access)), &[])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"], "invalid_token");
    assert!(h
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("error=\"invalid_token\"")));

    let (status, _, body) = o.post_form("/oauth2/userInfo", None, &[]).await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, json!({"error": "invalid_request"}))
    );
    let (status, _, _) = o
        .post_form("/oauth2/userInfo", Some(bearer("a.b.c")), &[])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------------------------------------
// authorize, login, logout
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn authorize_refuses_unregistered_redirects_and_sends_other_errors_back_with_state() {
    let o = setup(&["code"], &["openid", "email"], false).await;
    let (status, h, _) = o
        .get(
            &format!(
                "/oauth2/authorize?{}",
                o.authorize_query(&[("redirect_uri", "http://evil.example/")])
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(
        location(&h),
        format!("/error?error=redirect_mismatch&client_id={}", o.client_id)
    );
    let (status, _, _) = o
        .get(
            "/oauth2/authorize?client_id=nosuch&response_type=code",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let back = |extra: &'static [(&'static str, &'static str)]| {
        let o = &o;
        async move {
            let (status, h, _) = o
                .get(
                    &format!("/oauth2/authorize?{}", o.authorize_query(extra)),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::FOUND);
            let loc = location(&h);
            assert!(loc.starts_with(&format!("{CALLBACK}?")), "{loc}");
            let p = redirect_params(&loc, '?');
            assert_eq!(p.get("state").map(String::as_str), Some("st-1"));
            p["error"].clone()
        }
    };
    assert_eq!(
        back(&[("response_type", "token")]).await,
        "unauthorized_client"
    );
    assert_eq!(
        back(&[("response_type", "id_token")]).await,
        "invalid_request"
    );
    assert_eq!(back(&[("scope", "api/read")]).await, "invalid_scope");
    assert_eq!(back(&[("scope", "email")]).await, "invalid_scope");
    assert_eq!(
        back(&[
            ("code_challenge", "abc"),
            ("code_challenge_method", "plain")
        ])
        .await,
        "invalid_request"
    );
    assert_eq!(
        back(&[("identity_provider", "Google")]).await,
        "invalid_request"
    );
}

#[tokio::test]
async fn login_shows_the_sign_in_error_and_a_session_cookie_skips_the_form_until_logout() {
    let o = web().await;
    let query = o.authorize_query(&[]);
    let (status, h, html) = o.login(&query, "alice", "wrong").await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get(SET_COOKIE).is_none());
    assert!(html.contains("Incorrect username or password."), "{html}");
    let (_, _, html) = o.login(&query, "bob", PASSWORD).await;
    assert!(html.contains("User does not exist."), "{html}");

    let (loc, cookie) = o.sign_in(&[]).await;
    assert!(redirect_params(&loc, '?').contains_key("code"));
    assert!(cookie.starts_with(&format!("cognito-emulator-session-{}=", o.pool_id)));
    let (status, h, _) = o
        .get(&format!("/oauth2/authorize?{query}"), Some(&cookie))
        .await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(
        location(&h).starts_with(&format!("{CALLBACK}?code=")),
        "{}",
        location(&h)
    );

    let logout = form(&[("client_id", &o.client_id), ("logout_uri", SIGNED_OUT)]);
    let (status, h, _) = o.get(&format!("/logout?{logout}"), Some(&cookie)).await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(location(&h), SIGNED_OUT);
    assert!(h
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.contains("Max-Age=0")));
    let (_, h, _) = o
        .get(&format!("/oauth2/authorize?{query}"), Some(&cookie))
        .await;
    assert_eq!(
        location(&h),
        format!("/login?{query}"),
        "the session is gone"
    );

    let bad = form(&[
        ("client_id", &o.client_id),
        ("logout_uri", "http://evil.example/"),
    ]);
    assert_eq!(
        o.get(&format!("/logout?{bad}"), None).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn the_implicit_grant_returns_tokens_in_the_fragment_without_a_refresh_token() {
    let o = web().await;
    let (loc, _) = o
        .sign_in(&[
            ("response_type", "token"),
            ("scope", "openid profile"),
            ("nonce", "abc"),
        ])
        .await;
    assert!(loc.starts_with(&format!("{CALLBACK}#")), "{loc}");
    let p = redirect_params(&loc, '#');
    let mut names: Vec<&str> = p.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "access_token",
            "expires_in",
            "id_token",
            "state",
            "token_type"
        ]
    );
    assert_eq!(p["token_type"], "Bearer");
    assert_eq!(p["expires_in"], "3600");
    assert_eq!(claims(&p["access_token"])["scope"], "openid profile");
    // profile releases the profile claims, not the email.
    let (status, _, info) = o
        .post_form(
            "/oauth2/userInfo",
            Some(format!("Bearer {}", p["access_token"])),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["name"], "Alice");
    assert!(info.get("email").is_none(), "{info}");
    assert_eq!(claims(&p["id_token"])["nonce"], "abc");

    // Without openid there is no ID token.
    let (loc, _) = o
        .sign_in(&[("response_type", "token"), ("scope", "api/read")])
        .await;
    let p = redirect_params(&loc, '#');
    assert!(!p.contains_key("id_token"), "{loc}");
    assert_eq!(claims(&p["access_token"])["scope"], "api/read");
}

/// The hidden `session` field of a hosted step page.
fn hidden_session(html: &str) -> String {
    html.split_once("name=\"session\" value=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_new_password_step_answers_bad_sessions_weak_passwords_and_replays_with_a_page() {
    let o = web().await;
    o.app.create_user(&o.pool_id, "temp", PASSWORD, &[]).await;
    let query = o.authorize_query(&[]);
    let (status, h, html) = o.login(&query, "temp", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get(SET_COOKIE).is_none());
    assert!(html.contains("<h1>Change password</h1>"), "{html}");
    assert!(html.contains("action=\"/forceChangePassword?"), "{html}");
    let session = hidden_session(&html);
    assert!(!session.is_empty(), "{html}");

    let post = |body: Vec<(&'static str, String)>| {
        let o = &o;
        let query = query.clone();
        async move {
            let pairs: Vec<(&str, &str)> = body.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let resp = o
                .http
                .post(o.app.url(&format!("/forceChangePassword?{query}")))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form(&pairs))
                .send()
                .await
                .expect("the emulator answers");
            let status = resp.status();
            let headers = resp.headers().clone();
            (status, headers, resp.text().await.unwrap_or_default())
        }
    };
    // No session, a made-up one: the sign-in form with the API's message.
    for body in [
        vec![("password", "N3w-Passw0rd!".to_string())],
        vec![
            ("session", "tampered".into()),
            ("password", "N3w-Passw0rd!".into()),
        ],
    ] {
        let (status, _, html) = post(body).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Invalid session for the user."), "{html}");
        assert!(html.contains("name=\"username\""), "{html}");
    }
    // Missing or weak password: the same step again with the policy's message.
    for password in ["", "short"] {
        let (status, _, html) = post(vec![
            ("session", session.clone()),
            ("password", password.into()),
        ])
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("Password does not conform to policy: Password not long enough"),
            "{html}"
        );
        assert_eq!(hidden_session(&html), session);
    }
    let (status, h, body) = post(vec![
        ("session", session.clone()),
        ("password", "N3w-Passw0rd!".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::FOUND, "{body}");
    let loc = location(&h);
    assert!(loc.starts_with(&format!("{CALLBACK}?code=")), "{loc}");
    assert_eq!(redirect_params(&loc, '?')["state"], "st-1");
    let (status, tokens) = o
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &redirect_params(&loc, '?')["code"]),
            ("redirect_uri", CALLBACK),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap_or_default())["cognito:username"],
        "temp"
    );
    // The step cannot be replayed.
    let (status, _, html) = post(vec![
        ("session", session.clone()),
        ("password", "An0ther-Passw0rd!".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Invalid session for the user, session can only be used once."),
        "{html}"
    );
    // A step page of no known client is the error page.
    let resp = o
        .http
        .post(o.app.url("/mfa?client_id=nope"))
        .body("session=x")
        .send()
        .await
        .expect("the emulator answers");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_wrong_mfa_code_shows_the_step_again_and_the_third_ends_it() {
    let o = web().await;
    o.app
        .call(
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": o.pool_id, "MfaConfiguration": "ON",
                   "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}"}}),
        )
        .await;
    o.app
        .call(
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": o.pool_id, "Username": "alice",
                   "UserAttributes": [{"Name": "phone_number", "Value": "+12065551234"}]}),
        )
        .await;
    let query = o.authorize_query(&[]);
    let (status, _, html) = o.login(&query, "alice", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("We texted a code to +*******1234."), "{html}");
    assert!(html.contains("autocomplete=\"one-time-code\""), "{html}");
    let session = hidden_session(&html);
    let answer = |code: &'static str| {
        let o = &o;
        let query = query.clone();
        let session = session.clone();
        async move {
            let resp = o
                .http
                .post(o.app.url(&format!("/mfa?{query}")))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form(&[("session", &session), ("code", code)]))
                .send()
                .await
                .expect("the emulator answers");
            (resp.status(), resp.text().await.unwrap_or_default())
        }
    };
    for _ in 0..2 {
        let (status, html) = answer("000000").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"errorMessage\""), "{html}");
        assert!(
            html.contains("Invalid code or auth state for the user."),
            "{html}"
        );
    }
    let (status, html) = answer("").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"loginErrorMessage\""), "{html}");
    assert!(
        html.contains("Invalid code or auth state for the user."),
        "{html}"
    );
}

#[tokio::test]
async fn pre_token_generation_sees_a_hosted_ui_sign_in_as_hosted_auth_and_its_refresh_as_refresh() {
    // DG, pre token generation trigger sources: TokenGeneration_HostedAuth for sign-ins through
    // the hosted UI, TokenGeneration_RefreshTokens when those tokens are refreshed.
    let lambda =
        crate::triggers::FakeLambda::start(|_, e| crate::triggers::respond(e, json!({}))).await;
    let o = setup_in(
        crate::triggers::app_for(&lambda).await,
        &["code", "implicit"],
        WEB_SCOPES,
        false,
    )
    .await;
    o.app
        .call(
            "UpdateUserPool",
            json!({"UserPoolId": o.pool_id,
                   "LambdaConfig": {"PreTokenGeneration": crate::triggers::arn("PreTokenGeneration")}}),
        )
        .await;
    let code = o.code().await;
    let (status, tokens) = o.exchange(&code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let (status, refreshed) = o
        .token(&[
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                tokens["refresh_token"].as_str().unwrap_or_default(),
            ),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let sources: Vec<Value> = lambda
        .events("PreTokenGeneration")
        .iter()
        .map(|e| e["triggerSource"].clone())
        .collect();
    assert_eq!(
        sources,
        vec![
            json!("TokenGeneration_HostedAuth"),
            json!("TokenGeneration_RefreshTokens")
        ]
    );
}

impl OAuth {
    /// POST a hosted page's form (`path?query`), following no redirect.
    async fn page_post(
        &self,
        path: &str,
        query: &str,
        body: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let resp = self
            .http
            .post(self.app.url(&format!("{path}?{query}")))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form(body))
            .send()
            .await
            .expect("the emulator answers");
        let status = resp.status();
        (status, resp.text().await.unwrap_or_default())
    }
}

#[tokio::test]
async fn the_sign_up_pages_answer_bad_input_with_the_form_and_the_apis_messages() {
    // A client with a secret: the pages send the SECRET_HASH themselves.
    let o = setup(&["code"], &["openid"], true).await;
    o.app
        .call(
            "UpdateUserPool",
            json!({"UserPoolId": o.pool_id, "AutoVerifiedAttributes": ["email"]}),
        )
        .await;
    let query = o.authorize_query(&[]);
    let (status, _, html) = o.get(&format!("/login?{query}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"signUpLink\""), "{html}");
    assert!(html.contains("id=\"forgotPasswordLink\""), "{html}");
    // Nothing filled in: the model's own validation text, on the form again.
    let (status, html) = o.page_post("/signup", &query, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Sign up</h1>"), "{html}");
    assert!(
        html.contains("Value at &#39;username&#39; failed to satisfy constraint"),
        "{html}"
    );
    // The pool requires no attribute, so the form asks for none; bob signs up without an email.
    let (status, html) = o
        .page_post(
            "/signup",
            &query,
            &[("username", "bob"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Confirm your account</h1>"), "{html}");
    // A taken username and a weak password: the API's messages.
    let (_, html) = o
        .page_post(
            "/signup",
            &query,
            &[("username", "bob"), ("password", PASSWORD)],
        )
        .await;
    assert!(html.contains("User already exists"), "{html}");
    let (_, html) = o
        .page_post(
            "/signup",
            &query,
            &[("username", "bo2"), ("password", "weak")],
        )
        .await;
    assert!(
        html.contains("Password did not conform with policy: Password not long enough"),
        "{html}"
    );
    // bob has no email: nothing to send a code to, so the page asks for a code no one got; a
    // wrong code is answered under the field, and a tampered session changes nothing.
    let (status, html) = o
        .page_post(
            "/confirmUser",
            &query,
            &[
                ("username", "bob"),
                ("code", "123456"),
                ("session", "tampered"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Confirm your account</h1>"), "{html}");
    assert!(html.contains("id=\"errorMessage\""), "{html}");
    assert_eq!(o.app.user_status(&o.pool_id, "bob").await, "UNCONFIRMED");
    // No username, no code: the model's messages, never a 500.
    let (status, html) = o.page_post("/confirmUser", &query, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("validation error"), "{html}");

    // With an email: the code from the outbox confirms the user, then the sign-in form with a
    // note (this client has no USER_AUTH for the auto sign-in).
    let (status, html) = o
        .page_post(
            "/signup",
            &query,
            &[("username", "carol"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    o.app
        .call(
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": o.pool_id, "Username": "carol",
                   "UserAttributes": [{"Name": "email", "Value": "carol@example.com"}]}),
        )
        .await;
    o.app
        .call(
            "ResendConfirmationCode",
            json!({"ClientId": o.client_id, "Username": "carol",
                   "SecretHash": secret_hash_of(&o, "carol")}),
        )
        .await;
    let code = o.app.last_code("carol", None).await.unwrap_or_default();
    let (status, html) = o
        .page_post(
            "/confirmUser",
            &query,
            &[("username", "carol"), ("code", &code)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Your account has been confirmed. Sign in to continue."),
        "{html}"
    );
    assert_eq!(o.app.user_status(&o.pool_id, "carol").await, "CONFIRMED");
    // A replayed confirmation: Cognito's message under the code field.
    let (_, html) = o
        .page_post(
            "/confirmUser",
            &query,
            &[("username", "carol"), ("code", &code)],
        )
        .await;
    assert!(
        html.contains("User cannot be confirmed. Current status is CONFIRMED"),
        "{html}"
    );

    // A pool where only administrators create users: no link, and the page says so.
    o.app
        .call(
            "UpdateUserPool",
            json!({"UserPoolId": o.pool_id,
                   "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": true}}),
        )
        .await;
    let (_, _, html) = o.get(&format!("/login?{query}"), None).await;
    assert!(!html.contains("signUpLink"), "{html}");
    let (status, _, html) = o.get(&format!("/signup?{query}"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("SignUp is not permitted for this user pool"),
        "{html}"
    );
    let (_, html) = o
        .page_post(
            "/signup",
            &query,
            &[("username", "dan"), ("password", PASSWORD)],
        )
        .await;
    assert!(
        html.contains("SignUp is not permitted for this user pool"),
        "{html}"
    );
    // No known client: the error page.
    let (status, _) = o.page_post("/signup", "client_id=nope", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

fn secret_hash_of(o: &OAuth, username: &str) -> String {
    use hmac::{Hmac, Mac};
    let secret = o.secret.clone().unwrap_or_default();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(username.as_bytes());
    mac.update(o.client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn the_password_reset_pages_answer_bad_input_with_the_form_and_the_apis_messages() {
    let o = web().await;
    let query = o.authorize_query(&[]);
    let (status, _, html) = o.get(&format!("/forgotPassword?{query}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"username\""), "{html}");
    let (status, html) = o.page_post("/forgotPassword", &query, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("validation error"), "{html}");
    let (_, html) = o
        .page_post("/forgotPassword", &query, &[("username", "nobody")])
        .await;
    assert!(
        html.contains("Username/client id combination not found."),
        "{html}"
    );
    let (_, html) = o
        .page_post("/forgotPassword", &query, &[("username", "alice")])
        .await;
    assert!(html.contains("<h1>Reset your password</h1>"), "{html}");
    let code = o
        .app
        .last_code("alice", Some("FORGOT_PASSWORD"))
        .await
        .unwrap_or_default();
    // Nothing, a wrong code, a weak password: the form again with the API's message.
    let (status, html) = o.page_post("/confirmForgotPassword", &query, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("validation error"), "{html}");
    let (_, html) = o
        .page_post(
            "/confirmForgotPassword",
            &query,
            &[
                ("username", "alice"),
                ("code", "000000"),
                ("password", "N3w-Passw0rd!"),
            ],
        )
        .await;
    assert!(
        html.contains("Invalid verification code provided, please try again."),
        "{html}"
    );
    let (_, html) = o
        .page_post(
            "/confirmForgotPassword",
            &query,
            &[("username", "alice"), ("code", &code), ("password", "weak")],
        )
        .await;
    assert!(
        html.contains("Password does not conform to policy"),
        "{html}"
    );
    let (_, html) = o
        .page_post(
            "/confirmForgotPassword",
            &query,
            &[
                ("username", "alice"),
                ("code", &code),
                ("password", "N3w-Passw0rd!"),
            ],
        )
        .await;
    assert!(
        html.contains("Your password has been reset. Sign in with your new password."),
        "{html}"
    );
    let (status, h, _) = o.login(&query, "alice", "N3w-Passw0rd!").await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(location(&h).starts_with(&format!("{CALLBACK}?code=")));
    // The code is spent.
    let (_, html) = o
        .page_post(
            "/confirmForgotPassword",
            &query,
            &[
                ("username", "alice"),
                ("code", &code),
                ("password", "An0ther-Passw0rd!"),
            ],
        )
        .await;
    assert!(html.contains("id=\"errorMessage\""), "{html}");
}

/// POST a hosted page's form: status, headers, body.
async fn post_page(
    o: &OAuth,
    path: &str,
    pairs: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let resp = o
        .http
        .post(o.app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(pairs))
        .send()
        .await
        .expect("the emulator answers");
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap_or_default())
}

/// A pool allowing PASSWORD, EMAIL_OTP and WEB_AUTHN first, `alice` with a registered passkey
/// (the test authenticator), and an OAuth client with USER_AUTH that hides user existence.
async fn choice_based() -> (OAuth, crate::webauthn::Authenticator) {
    use crate::webauthn::{Authenticator, Ceremony, Passkeys};
    let p = Passkeys::new().await;
    let mut auth = Authenticator::es256();
    p.register(&mut auth, &Ceremony::default())
        .await
        .expect("passkey registered");
    let crate::user_auth::Ua { app, pool_id, .. } = p.ua;
    let client = app
        .create_client_with(json!({
            "UserPoolId": pool_id,
            "ClientName": "web",
            "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email"],
            "CallbackURLs": [CALLBACK],
            "SupportedIdentityProviders": ["COGNITO"],
            "PreventUserExistenceErrors": "ENABLED",
            "ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        }))
        .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client");
    let o = OAuth {
        pool_id,
        client_id: client["ClientId"].as_str().unwrap_or_default().to_string(),
        secret: None,
        app,
        http,
    };
    (o, auth)
}

/// The code of a redirect to the app, exchanged: the ID token's claims.
async fn exchanged(o: &OAuth, h: &HeaderMap) -> Value {
    let loc = location(h);
    assert!(loc.starts_with(&format!("{CALLBACK}?code=")), "{loc}");
    let (status, tokens) = o
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &redirect_params(&loc, '?')["code"]),
            ("redirect_uri", CALLBACK),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    claims(tokens["id_token"].as_str().unwrap_or_default())
}

#[tokio::test]
async fn choice_based_sign_in_asks_for_the_username_then_offers_the_users_factors() {
    let (o, mut auth) = choice_based().await;
    let query = o.authorize_query(&[("scope", "openid email")]);
    let login = format!("/login?{query}");
    let challenge = format!("/login/challenge?{query}");
    let (status, _, html) = o.get(&login, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"username\""), "{html}");
    assert!(!html.contains("name=\"password\""), "{html}");

    // An unknown user of a client that hides user existence: the generic message on the form.
    let (status, _, html) = post_page(&o, &login, &[("username", "nobody")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"loginErrorMessage\""), "{html}");
    assert!(html.contains("Incorrect username or password."), "{html}");

    let select = |html: &str| {
        assert!(html.contains("<h1>Choose a sign-in method</h1>"), "{html}");
        for factor in ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"] {
            assert!(html.contains(&format!("id=\"choice-{factor}\"")), "{html}");
        }
        assert!(!html.contains("PASSWORD_SRP"), "{html}");
        hidden_session(html)
    };

    // Email code: a wrong code shows the page again, the right one signs in.
    let (_, _, html) = post_page(&o, &login, &[("username", "alice")]).await;
    let session = select(&html);
    let (status, _, html) = post_page(
        &o,
        &challenge,
        &[("session", &session), ("answer", "EMAIL_OTP")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("We emailed a code to a***@e***."), "{html}");
    let session = hidden_session(&html);
    let (status, _, html) = post_page(
        &o,
        &challenge,
        &[("session", &session), ("code", "00000000")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"errorMessage\""), "{html}");
    assert!(
        html.contains("Invalid code or auth state for the user."),
        "{html}"
    );
    let code = o
        .app
        .last_code("alice", Some("SIGN_IN_OTP"))
        .await
        .expect("a sign-in code in the outbox");
    let (status, h, body) =
        post_page(&o, &challenge, &[("session", &session), ("code", &code)]).await;
    assert_eq!(status, StatusCode::FOUND, "{body}");
    assert_eq!(exchanged(&o, &h).await["cognito:username"], "alice");

    // Password: the choice opens the password page; a wrong password ends on the form.
    // `Ua` gives alice "Passw0rd!".
    for (password, signed_in) in [("wrong-Passw0rd!", false), ("Passw0rd!", true)] {
        let (_, _, html) = post_page(&o, &login, &[("username", "alice")]).await;
        let session = select(&html);
        let (_, _, html) = post_page(
            &o,
            &challenge,
            &[("session", &session), ("answer", "PASSWORD")],
        )
        .await;
        assert!(html.contains("<h1>Enter your password</h1>"), "{html}");
        assert_eq!(hidden_session(&html), session);
        let (status, h, html) = post_page(
            &o,
            &challenge,
            &[
                ("session", &session),
                ("answer", "PASSWORD"),
                ("password", password),
            ],
        )
        .await;
        if signed_in {
            assert_eq!(status, StatusCode::FOUND, "{html}");
            assert_eq!(exchanged(&o, &h).await["cognito:username"], "alice");
        } else {
            assert_eq!(status, StatusCode::OK);
            assert!(html.contains("Incorrect username or password."), "{html}");
            assert!(html.contains("name=\"username\""), "{html}");
        }
    }

    // Passkey: the page carries the WEB_AUTHN challenge's request options; a credential that is
    // not an assertion ends on the form with the reason, a real one signs in.
    let passkey_page = || async {
        let (_, _, html) = post_page(&o, &login, &[("username", "alice")]).await;
        let session = select(&html);
        let (status, _, html) = post_page(
            &o,
            &challenge,
            &[("session", &session), ("answer", "WEB_AUTHN")],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("navigator.credentials.get"), "{html}");
        let options = html
            .split_once("id=\"requestOptions\">")
            .and_then(|(_, rest)| rest.split_once("</script>"))
            .map(|(json, _)| json.replace("\\u003c", "<"))
            .unwrap_or_default();
        let options: Value = serde_json::from_str(&options).unwrap_or(Value::Null);
        assert_eq!(options["rpId"], "localhost", "{html}");
        (hidden_session(&html), options)
    };
    for bad in ["{not json", "", "{\"id\":\"x\",\"type\":\"public-key\"}"] {
        let (session, _) = passkey_page().await;
        let (status, _, html) = post_page(
            &o,
            &challenge,
            &[("session", &session), ("credential", bad)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("id=\"loginErrorMessage\""), "{html}");
        assert!(
            html.contains("Passkey authentication failed") || html.contains("CREDENTIAL"),
            "{html}"
        );
    }
    let (session, options) = passkey_page().await;
    let assertion = auth.get(&options, &crate::webauthn::Ceremony::default());
    let (status, h, html) = post_page(
        &o,
        &challenge,
        &[
            ("session", &session),
            ("credential", &assertion.to_string()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FOUND, "{html}");
    assert_eq!(exchanged(&o, &h).await["cognito:username"], "alice");
}

#[tokio::test]
async fn the_unconfirmed_sign_in_and_the_new_code_buttons_answer_bad_input_with_a_page() {
    // A client with a secret: the pages send the SECRET_HASH themselves.
    let o = setup(&["code"], &["openid"], true).await;
    o.app
        .call(
            "UpdateUserPool",
            json!({"UserPoolId": o.pool_id, "AutoVerifiedAttributes": ["email"]}),
        )
        .await;
    for name in ["bob", "carl"] {
        o.app
            .call(
                "SignUp",
                json!({"ClientId": o.client_id, "SecretHash": secret_hash_of(&o, name),
                       "Username": name, "Password": PASSWORD,
                       "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")}]}),
            )
            .await;
    }
    let query = o.authorize_query(&[]);
    // The right password: the confirmation page, a new code, and a proof in the hidden session.
    let (status, _, html) = o.login(&query, "bob", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Confirm your account</h1>"), "{html}");
    let bob_proof = hidden_session(&html);
    assert!(!bob_proof.is_empty(), "{html}");
    let (_, _, html) = o.login(&query, "carl", PASSWORD).await;
    let carl_proof = hidden_session(&html);
    // "Send a new code" with nothing else: the model's message on the page.
    let (status, html) = o
        .page_post("/confirmUser", &query, &[("resend", "1")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Value at &#39;username&#39; failed to satisfy constraint"),
        "{html}"
    );
    // No code, then a wrong one: on the page, under the field.
    let proof = [("username", "bob"), ("session", bob_proof.as_str())];
    let (status, html) = o.page_post("/confirmUser", &query, &proof).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"errorMessage\""), "{html}");
    let code = o
        .app
        .last_code("bob", None)
        .await
        .expect("bob's code in the outbox");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (_, html) = o
        .page_post(
            "/confirmUser",
            &query,
            &[proof[0], proof[1], ("code", wrong)],
        )
        .await;
    assert!(
        html.contains("Invalid verification code provided, please try again."),
        "{html}"
    );
    // bob's code with carl's proof: bob is confirmed, but carl's sign-in is not bob's.
    let (status, html) = o
        .page_post(
            "/confirmUser",
            &query,
            &[
                ("username", "bob"),
                ("session", carl_proof.as_str()),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Your account has been confirmed. Sign in to continue."),
        "{html}"
    );
    assert!(html.contains("id=\"loginErrorMessage\""), "{html}");
    // carl's own code and proof: back to the app with a code.
    let code = o.app.last_code("carl", None).await.expect("carl's code");
    let carl = [
        ("username", "carl"),
        ("session", carl_proof.as_str()),
        ("code", code.as_str()),
    ];
    let resp = o
        .http
        .post(o.app.url(&format!("/confirmUser?{query}")))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&carl))
        .send()
        .await
        .expect("the emulator answers");
    assert_eq!(resp.status(), StatusCode::FOUND);
    let back = redirect_params(&location(resp.headers()), '?');
    assert!(back.contains_key("code"), "{back:?}");
    // The same form again: carl is confirmed, the API's refusal on the page, no code.
    let (status, html) = o.page_post("/confirmUser", &query, &carl).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Current status is CONFIRMED"), "{html}");

    // The reset page's "Send a new code" for nobody: ForgotPassword's message.
    let (status, html) = o
        .page_post(
            "/confirmForgotPassword",
            &query,
            &[("resend", "1"), ("username", "nobody")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Username/client id combination not found."),
        "{html}"
    );
    // The passkey prompt's endpoint without a sign-in's cookie, and with a made-up one.
    let (status, html) = o.page_post("/passkeys/add", &query, &[("skip", "1")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Your sign-in session has expired. Sign in again."),
        "{html}"
    );
    let resp = o
        .http
        .post(o.app.url(&format!("/passkeys/add?{query}&lang=de-CH")))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            COOKIE,
            format!("cognito-emulator-session-{}=made-up", o.pool_id),
        )
        .body(form(&[("credential", "{}")]))
        .send()
        .await
        .expect("the emulator answers");
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap_or_default();
    assert!(html.contains("<html lang=\"de-CH\">"), "{html}");
    assert!(html.contains("Your sign-in session has expired."), "{html}");
}

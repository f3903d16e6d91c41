//! Federated sign-in through the hosted UI with the emulator's stand-in provider: the redirect
//! chain /oauth2/authorize?identity_provider=... → the provider → /oauth2/idpresponse → the app,
//! driven by a plain HTTP client with the `/_emulator/idp/.../next` preset (no browser), and the
//! users it makes (Cognito Developer Guide, "Adding user pool sign-in through a third party").

use crate::helpers::*;
use crate::triggers::{put, FakeLambda, Reply};
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;

const CALLBACK: &str = "http://localhost:3000/callback";

struct Fed {
    app: TestApp,
    pool_id: String,
    client_id: String,
    http: reqwest::Client,
}

async fn setup() -> Fed {
    let app = spawn_app().await;
    let pool_id = app.create_pool("fed").await;
    app.call(
        "CreateIdentityProvider",
        json!({"UserPoolId": pool_id, "ProviderName": "Google", "ProviderType": "Google",
               "ProviderDetails": {"client_id": "g", "client_secret": "s",
                                   "authorize_scopes": "openid email profile"},
               "AttributeMapping": {"email": "email", "email_verified": "email_verified",
                                    "name": "name", "username": "sub"}}),
    )
    .await;
    app.call(
        "CreateIdentityProvider",
        json!({"UserPoolId": pool_id, "ProviderName": "Corp", "ProviderType": "OIDC",
               "ProviderDetails": {"client_id": "c", "client_secret": "s",
                                   "authorize_scopes": "openid email",
                                   "oidc_issuer": "https://corp.example.com",
                                   "attributes_request_method": "GET"},
               "AttributeMapping": {"email": "email"},
               "IdpIdentifiers": ["corp.example.com"]}),
    )
    .await;
    let client = app
        .create_client_with(json!({
            "UserPoolId": pool_id,
            "ClientName": "web",
            "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": ["code"],
            // The last scope lets the app call GetUser with the access token.
            "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
            "CallbackURLs": [CALLBACK],
            "SupportedIdentityProviders": ["COGNITO", "Google", "Corp"],
        }))
        .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client");
    Fed {
        pool_id,
        client_id: client["ClientId"].as_str().unwrap_or_default().to_string(),
        app,
        http,
    }
}

fn query_of(url: &str) -> HashMap<String, String> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl Fed {
    async fn preset(&self, provider: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!(
                "{}/_emulator/idp/{}/{provider}/next",
                self.app.base_url, self.pool_id
            ))
            .json(&body)
            .send()
            .await
            .expect("preset");
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Follows the redirects from /oauth2/authorize until one leaves the emulator; that URL.
    async fn authorize(&self, extra: &[(&str, &str)]) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("client_id", &self.client_id);
        q.append_pair("response_type", "code");
        q.append_pair("redirect_uri", CALLBACK);
        q.append_pair(
            "scope",
            "openid email profile aws.cognito.signin.user.admin",
        );
        q.append_pair("state", "app-state");
        for (k, v) in extra {
            q.append_pair(k, v);
        }
        let url = format!("{}/oauth2/authorize?{}", self.app.base_url, q.finish());
        self.follow(url, None).await
    }

    /// Follows redirects from `url` until one goes to the app; that URL. A `/login` page on the
    /// way is answered with `login` (a form body), as a person would type it.
    async fn follow(&self, mut url: String, login: Option<&str>) -> String {
        for _ in 0..8 {
            let r = match login.filter(|_| url.contains("/login?")) {
                Some(body) => {
                    self.http
                        .post(&url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(body.to_string())
                        .send()
                        .await
                }
                None => self.http.get(&url).send().await,
            }
            .expect("a hop");
            assert_eq!(r.status(), StatusCode::FOUND, "{url}");
            let next = r
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            if next.starts_with(CALLBACK) {
                return next;
            }
            url = if next.starts_with('/') {
                format!("{}{next}", self.app.base_url)
            } else {
                next
            };
        }
        panic!("too many redirects from {url}");
    }

    /// Signs in through `provider` as the preset identity; the app's code exchanged for tokens.
    async fn sign_in(&self, provider: &str, sub: &str, claims: Value) -> Value {
        let (status, _) = self
            .preset(provider, json!({"sub": sub, "claims": claims}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let back = self.authorize(&[("identity_provider", provider)]).await;
        let q = query_of(&back);
        assert_eq!(q.get("state").map(String::as_str), Some("app-state"));
        let code = q.get("code").unwrap_or_else(|| panic!("no code in {back}"));
        let r = self
            .http
            .post(format!("{}/oauth2/token", self.app.base_url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("grant_type", "authorization_code")
                    .append_pair("client_id", &self.client_id)
                    .append_pair("code", code)
                    .append_pair("redirect_uri", CALLBACK)
                    .finish(),
            )
            .send()
            .await
            .expect("token");
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.expect("token json")
    }

    async fn admin_get(&self, username: &str) -> Value {
        self.app
            .call(
                "AdminGetUser",
                json!({"UserPoolId": self.pool_id, "Username": username}),
            )
            .await
    }
}

fn attribute(user: &Value, name: &str) -> Option<String> {
    user["UserAttributes"]
        .as_array()?
        .iter()
        .find(|a| a["Name"] == name)
        .and_then(|a| a["Value"].as_str().map(str::to_string))
}

#[tokio::test]
async fn a_new_google_user_is_created_as_external_provider_with_mapped_attributes() {
    let f = setup().await;
    let tokens = f
        .sign_in(
            "Google",
            "1045",
            json!({"email": "gina@example.com", "email_verified": true, "name": "Gina"}),
        )
        .await;
    let id = claims(tokens["id_token"].as_str().unwrap_or_default());
    assert_eq!(id["cognito:username"], "Google_1045");
    assert_eq!(id["email"], "gina@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["name"], "Gina");
    let identities = &id["identities"][0];
    assert_eq!(identities["userId"], "1045");
    assert_eq!(identities["providerName"], "Google");
    assert_eq!(identities["providerType"], "Google");
    assert_eq!(identities["primary"], "true");
    assert!(identities["dateCreated"]
        .as_str()
        .is_some_and(|d| d.parse::<i64>().is_ok()));
    let user = f.admin_get("Google_1045").await;
    assert_eq!(user["UserStatus"], "EXTERNAL_PROVIDER");
    assert_eq!(user["Enabled"], true);
    let attr: Value = serde_json::from_str(&attribute(&user, "identities").unwrap_or_default())
        .unwrap_or_default();
    assert_eq!(attr[0]["providerName"], "Google");
    assert_eq!(attr[0]["primary"], true);
    // The user signs in through Google only.
    let listed = f
        .app
        .call(
            "ListUsers",
            json!({"UserPoolId": f.pool_id, "Filter": "cognito:user_status = \"EXTERNAL_PROVIDER\""}),
        )
        .await;
    assert_eq!(listed["Users"].as_array().map(Vec::len), Some(1));
    // GetUser (Amplify's fetchUserAttributes) and the user lists show the same attribute,
    // through the SDK.
    let expected = attribute(&user, "identities");
    let own = f
        .app
        .client
        .get_user()
        .access_token(tokens["access_token"].as_str().unwrap_or_default())
        .send()
        .await
        .expect("GetUser");
    let own = attribute_map(own.user_attributes());
    assert_eq!(own.get("identities").cloned(), expected);
    let all = f
        .app
        .client
        .list_users()
        .user_pool_id(&f.pool_id)
        .send()
        .await
        .expect("ListUsers");
    let listed = attribute_map(all.users()[0].attributes());
    assert_eq!(listed.get("identities").cloned(), expected);
    let selected = f
        .app
        .client
        .list_users()
        .user_pool_id(&f.pool_id)
        .attributes_to_get("email")
        .send()
        .await
        .expect("ListUsers with AttributesToGet");
    let selected = attribute_map(selected.users()[0].attributes());
    assert_eq!(selected.keys().collect::<Vec<_>>(), ["email"]);
    let c = &f.app.client;
    c.create_group()
        .user_pool_id(&f.pool_id)
        .group_name("fans")
        .send()
        .await
        .expect("CreateGroup");
    c.admin_add_user_to_group()
        .user_pool_id(&f.pool_id)
        .username("Google_1045")
        .group_name("fans")
        .send()
        .await
        .expect("AdminAddUserToGroup");
    let members = c
        .list_users_in_group()
        .user_pool_id(&f.pool_id)
        .group_name("fans")
        .send()
        .await
        .expect("ListUsersInGroup");
    let member = attribute_map(members.users()[0].attributes());
    assert_eq!(member.get("identities").cloned(), expected);
}

#[tokio::test]
async fn a_returning_user_keeps_its_sub_and_gets_the_changed_attributes() {
    let f = setup().await;
    let first = f
        .sign_in(
            "Google",
            "77",
            json!({"email": "old@example.com", "name": "Old"}),
        )
        .await;
    let second = f
        .sign_in(
            "Google",
            "77",
            json!({"email": "new@example.com", "name": "New"}),
        )
        .await;
    let (a, b) = (
        claims(first["id_token"].as_str().unwrap_or_default()),
        claims(second["id_token"].as_str().unwrap_or_default()),
    );
    assert_eq!(a["sub"], b["sub"]);
    assert_eq!(b["email"], "new@example.com");
    assert_eq!(b["name"], "New");
    let user = f.admin_get("Google_77").await;
    assert_eq!(
        attribute(&user, "email").as_deref(),
        Some("new@example.com")
    );
}

#[tokio::test]
async fn a_linked_identity_signs_in_as_the_native_user_until_the_link_is_disabled() {
    let f = setup().await;
    f.app
        .confirmed_user(
            &f.pool_id,
            "nora",
            "Passw0rd!x",
            &[("email", "nora@example.com")],
        )
        .await;
    f.app
        .call(
            "AdminLinkProviderForUser",
            json!({"UserPoolId": f.pool_id,
                   "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": "nora"},
                   "SourceUser": {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject",
                                  "ProviderAttributeValue": "555"}}),
        )
        .await;
    let tokens = f
        .sign_in("Google", "555", json!({"email": "nora@example.com"}))
        .await;
    let id = claims(tokens["id_token"].as_str().unwrap_or_default());
    assert_eq!(id["cognito:username"], "nora");
    assert_eq!(id["identities"][0]["userId"], "555");
    assert_eq!(id["identities"][0]["primary"], "false");
    f.app
        .call(
            "AdminDisableProviderForUser",
            json!({"UserPoolId": f.pool_id,
                   "User": {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject",
                            "ProviderAttributeValue": "555"}}),
        )
        .await;
    // Unlinked, the identity is a user of its own again (API Reference,
    // AdminDisableProviderForUser).
    let tokens = f.sign_in("Google", "555", json!({})).await;
    let id = claims(tokens["id_token"].as_str().unwrap_or_default());
    assert_eq!(id["cognito:username"], "Google_555");
}

#[tokio::test]
async fn idp_identifier_chooses_the_oidc_provider() {
    let f = setup().await;
    f.preset(
        "Corp",
        json!({"sub": "emp-1", "claims": {"email": "e1@corp.example.com"}}),
    )
    .await;
    let back = f.authorize(&[("idp_identifier", "corp.example.com")]).await;
    assert!(query_of(&back).contains_key("code"), "{back}");
    let user = f.admin_get("Corp_emp-1").await;
    assert_eq!(user["UserStatus"], "EXTERNAL_PROVIDER");
    assert_eq!(
        attribute(&user, "email").as_deref(),
        Some("e1@corp.example.com")
    );
}

#[tokio::test]
async fn federated_users_cannot_sign_in_with_a_password() {
    let f = setup().await;
    f.sign_in("Google", "9", json!({})).await;
    f.app
        .call(
            "UpdateUserPoolClient",
            json!({"UserPoolId": f.pool_id, "ClientId": f.client_id,
                   "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await;
    let e = f
        .app
        .client
        .initiate_auth()
        .client_id(&f.client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "Google_9")
        .auth_parameters("PASSWORD", "Anything1!")
        .send()
        .await;
    assert_sdk_err(
        e,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
}

#[tokio::test]
async fn provider_errors_and_bad_requests_end_on_the_callback_or_a_400() {
    let f = setup().await;
    // A provider the pool does not have, and one the client does not enable.
    let back = f.authorize(&[("identity_provider", "Facebook")]).await;
    let q = query_of(&back);
    assert_eq!(q.get("error").map(String::as_str), Some("invalid_request"));
    assert!(q
        .get("error_description")
        .is_some_and(|d| d.contains("Facebook")));
    assert_eq!(q.get("state").map(String::as_str), Some("app-state"));
    // The preset endpoint checks its input.
    let (status, body) = f.preset("Google", json!({"claims": {}})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("sub is required"))
    );
    let (status, _) = f.preset("Google", json!({"sub": "1", "extra": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = f.preset("Nope", json!({"sub": "1"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // An unknown state at the IdP response endpoint: a page, never a 500.
    let r = f
        .http
        .get(format!(
            "{}/oauth2/idpresponse?code=x&state=unknown",
            f.app.base_url
        ))
        .send()
        .await
        .expect("idpresponse");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_provider_page_signs_in_or_reports_a_denied_consent() {
    let f = setup().await;
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("client_id", &f.client_id);
    q.append_pair("response_type", "code");
    q.append_pair("redirect_uri", CALLBACK);
    q.append_pair("state", "s1");
    q.append_pair("identity_provider", "Google");
    let r = f
        .http
        .get(format!(
            "{}/oauth2/authorize?{}",
            f.app.base_url,
            q.finish()
        ))
        .send()
        .await
        .expect("authorize");
    let page_url = format!(
        "{}{}",
        f.app.base_url,
        r.headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    );
    let page = f.http.get(&page_url).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("Sign in to Google (emulated)"), "{html}");
    let state = query_of(&page_url)
        .get("state")
        .cloned()
        .unwrap_or_default();
    // Deny: the app hears access_denied.
    let denied = f
        .http
        .post(&page_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("state={state}&action=deny"))
        .send()
        .await
        .expect("deny");
    let to = denied
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let r = f
        .http
        .get(format!("{}{to}", f.app.base_url))
        .send()
        .await
        .expect("idpresponse");
    let back = r
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let q = query_of(back);
    assert_eq!(q.get("error").map(String::as_str), Some("access_denied"));
    assert_eq!(q.get("state").map(String::as_str), Some("s1"));
}

#[tokio::test]
async fn pre_sign_up_external_provider_can_refuse_the_first_sign_in() {
    let f = setup().await;
    let lambda = FakeLambda::start(|_, event| {
        if event["triggerSource"] == "PreSignUp_ExternalProvider" {
            Reply::Throw("no outsiders".into())
        } else {
            Reply::Event(event.clone())
        }
    })
    .await;
    let (status, _) = put(
        &f.app,
        &format!("/_emulator/triggers/{}", f.pool_id),
        json!({"TriggerWebhooks": {"PreSignUp": lambda.hook("PreSignUp")}}),
    )
    .await;
    assert_eq!(status, 200);
    f.preset("Google", json!({"sub": "42"})).await;
    let back = f.authorize(&[("identity_provider", "Google")]).await;
    let q = query_of(&back);
    assert_eq!(q.get("error").map(String::as_str), Some("invalid_request"));
    assert_eq!(
        q.get("error_description").map(String::as_str),
        Some("PreSignUp failed with error no outsiders.")
    );
    let e = f
        .app
        .client
        .admin_get_user()
        .user_pool_id(&f.pool_id)
        .username("Google_42")
        .send()
        .await;
    assert_sdk_err(e, "UserNotFoundException", "User does not exist.");
}

#[tokio::test]
async fn the_pre_sign_up_event_names_the_external_provider_source() {
    let f = setup().await;
    let lambda = FakeLambda::start(|_, event| Reply::Event(event.clone())).await;
    put(
        &f.app,
        &format!("/_emulator/triggers/{}", f.pool_id),
        json!({"TriggerWebhooks": {"PreSignUp": lambda.hook("PreSignUp"),
                                    "PostConfirmation": lambda.hook("PostConfirmation")}}),
    )
    .await;
    f.sign_in("Google", "43", json!({"email": "x@example.com"}))
        .await;
    let sources: Vec<String> = lambda
        .calls()
        .iter()
        .map(|(_, e)| e["triggerSource"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        sources,
        [
            "PreSignUp_ExternalProvider",
            "PostConfirmation_ConfirmSignUp"
        ]
    );
    let pre = &lambda.events("PreSignUp")[0];
    assert_eq!(pre["userName"], "Google_43");
    assert_eq!(pre["request"]["userAttributes"]["email"], "x@example.com");
    // A returning user runs neither again.
    f.sign_in("Google", "43", json!({})).await;
    assert_eq!(lambda.calls().len(), 2);
}

/// Pool A is an OIDC provider of pool B, on this same emulator: B's hosted UI sends the browser
/// to A's, A's code comes back to B's /oauth2/idpresponse, and B checks A's id_token for real.
struct SelfFederation {
    f: Fed,
    upstream_pool: String,
    upstream_client: String,
    upstream_secret: String,
}

async fn self_federation() -> SelfFederation {
    let f = setup().await;
    let base = f.app.base_url.clone();
    let upstream_pool = f.app.create_pool("upstream").await;
    let upstream = f
        .app
        .create_client_with(json!({
            "UserPoolId": upstream_pool,
            "ClientName": "federation",
            "GenerateSecret": true,
            "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email"],
            "CallbackURLs": [format!("{base}/oauth2/idpresponse")],
            "SupportedIdentityProviders": ["COGNITO"],
        }))
        .await;
    f.app
        .confirmed_user(
            &upstream_pool,
            "alice",
            "Passw0rd!x",
            &[
                ("email", "alice@upstream.example"),
                ("email_verified", "true"),
            ],
        )
        .await;
    let upstream_client = upstream["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let upstream_secret = upstream["ClientSecret"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    SelfFederation {
        f,
        upstream_pool,
        upstream_client,
        upstream_secret,
    }
}

impl SelfFederation {
    async fn add_provider(&self, name: &str, extra: Value) {
        let mut details = json!({
            "client_id": self.upstream_client,
            "client_secret": self.upstream_secret,
            "authorize_scopes": "openid email",
            "attributes_request_method": "GET",
            "oidc_issuer": format!("{}/{}", self.f.app.base_url, self.upstream_pool),
        });
        if let (Some(d), Some(e)) = (details.as_object_mut(), extra.as_object()) {
            d.extend(e.clone());
        }
        self.f
            .app
            .call(
                "CreateIdentityProvider",
                json!({"UserPoolId": self.f.pool_id, "ProviderName": name, "ProviderType": "OIDC",
                       "ProviderDetails": details, "AttributeMapping": {"email": "email"}}),
            )
            .await;
        self.f
            .app
            .call(
                "UpdateUserPoolClient",
                json!({"UserPoolId": self.f.pool_id, "ClientId": self.f.client_id,
                       "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
                       "AllowedOAuthScopes": ["openid", "email", "profile"],
                       "CallbackURLs": [CALLBACK], "SupportedIdentityProviders": [name]}),
            )
            .await;
    }

    /// The browser's way: through B's authorize, A's login form (alice), back to B and the app.
    async fn browse(&self, provider: &str) -> String {
        let f = &self.f;
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("client_id", &f.client_id);
        q.append_pair("response_type", "code");
        q.append_pair("redirect_uri", CALLBACK);
        q.append_pair("scope", "openid email");
        q.append_pair("state", "app-state");
        q.append_pair("identity_provider", provider);
        let url = format!("{}/oauth2/authorize?{}", f.app.base_url, q.finish());
        f.follow(url, Some("username=alice&password=Passw0rd%21x"))
            .await
    }
}

#[tokio::test]
async fn an_oidc_provider_is_used_for_real_when_the_emulator_can_reach_it() {
    let s = self_federation().await;
    s.add_provider("Upstream", json!({})).await;
    let back = s.browse("Upstream").await;
    let q = query_of(&back);
    let code = q.get("code").unwrap_or_else(|| panic!("no code: {back}"));
    let r =
        s.f.http
            .post(format!("{}/oauth2/token", s.f.app.base_url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("grant_type", "authorization_code")
                    .append_pair("client_id", &s.f.client_id)
                    .append_pair("code", code)
                    .append_pair("redirect_uri", CALLBACK)
                    .finish(),
            )
            .send()
            .await
            .expect("token");
    let tokens: Value = r.json().await.expect("json");
    let id = claims(tokens["id_token"].as_str().unwrap_or_default());
    let alice =
        s.f.app
            .call(
                "AdminGetUser",
                json!({"UserPoolId": s.upstream_pool, "Username": "alice"}),
            )
            .await;
    let alice_sub = attribute(&alice, "sub").unwrap_or_default();
    assert_eq!(id["cognito:username"], format!("Upstream_{alice_sub}"));
    assert_eq!(id["email"], "alice@upstream.example");
    assert_eq!(id["identities"][0]["providerType"], "OIDC");
    assert_eq!(id["iss"], format!("{}/{}", s.f.app.base_url, s.f.pool_id));
}

#[tokio::test]
async fn an_id_token_the_providers_keys_did_not_sign_is_refused() {
    let s = self_federation().await;
    // The provider's JWKS is another pool's: the upstream's id_token does not verify against it.
    let other = s.f.app.create_pool("other").await;
    // Its keys exist once it has signed something.
    s.f.app
        .call("DescribeUserPool", json!({"UserPoolId": other}))
        .await;
    let base = s.f.app.base_url.clone();
    s.add_provider(
        "Forged",
        json!({"authorize_url": format!("{base}/oauth2/authorize"),
               "token_url": format!("{base}/oauth2/token"),
               "attributes_url": format!("{base}/oauth2/userInfo"),
               "jwks_uri": format!("{base}/{other}/.well-known/jwks.json")}),
    )
    .await;
    let back = s.browse("Forged").await;
    let q = query_of(&back);
    assert_eq!(
        q.get("error").map(String::as_str),
        Some("invalid_request"),
        "{back}"
    );
    assert!(
        q.get("error_description")
            .is_some_and(|d| d.starts_with("The identity provider's id_token is invalid")),
        "{back}"
    );
    assert!(!q.contains_key("code"));
}

#[tokio::test]
async fn the_login_page_offers_a_button_per_provider_of_the_client() {
    let f = setup().await;
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &f.client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("state", "s")
        .finish();
    let html = f
        .http
        .get(format!("{}/login?{query}", f.app.base_url))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .unwrap_or_default();
    for p in ["Google", "Corp"] {
        let href = format!(
            "/oauth2/authorize?{}&amp;identity_provider={p}",
            query.replace('&', "&amp;")
        );
        assert!(
            html.contains(&format!("id=\"idp-{p}\" href=\"{href}\"")),
            "{html}"
        );
    }
    // The client takes the pool's own users too: the password form is there.
    assert!(html.contains("name=\"password\""));
}

//! Password sign-in, NEW_PASSWORD_REQUIRED, sessions, tokens, refresh, revocation and sign-out.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cognito_emulator::domain::secret_hash;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "Passw0rd!";
const NEW_PASSWORD: &str = "N3w-Passw0rd!";
const REFRESH_PREFIX: &str = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.";

struct Setup {
    app: TestApp,
    pool_id: String,
    client_id: String,
}

/// A default pool, a public client allowing every password flow, and a confirmed user `alice`.
async fn setup() -> Setup {
    let app = spawn_app().await;
    let pool_id = app.create_pool("auth").await;
    let client_id = app.create_client(&pool_id).await;
    app.confirmed_email_user(&pool_id, "alice", PASSWORD).await;
    Setup {
        app,
        pool_id,
        client_id,
    }
}

/// An InitiateAuth USER_PASSWORD_AUTH body (raw JSON).
fn password_auth_body(client_id: &str, username: &str, password: &str) -> Value {
    json!({
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": client_id,
        "AuthParameters": {"USERNAME": username, "PASSWORD": password}
    })
}

/// An AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH body (raw JSON).
fn admin_password_auth_body(
    pool_id: &str,
    client_id: &str,
    username: &str,
    password: &str,
) -> Value {
    json!({
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "UserPoolId": pool_id,
        "ClientId": client_id,
        "AuthParameters": {"USERNAME": username, "PASSWORD": password}
    })
}

/// A JWT's header, decoded without verification.
fn jwt_header(jwt: &str) -> Value {
    let h = jwt.split('.').next().expect("a JWT has a header");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).expect("base64url header"))
        .expect("JSON header")
}

fn keys_of(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

impl Setup {
    async fn sign_in(&self, username: &str, password: &str) -> Value {
        self.app
            .call(
                "InitiateAuth",
                password_auth_body(&self.client_id, username, password),
            )
            .await
    }

    async fn sign_in_err(&self, username: &str, password: &str) -> (String, String) {
        let (_, code, message) = self
            .app
            .call_err(
                "InitiateAuth",
                password_auth_body(&self.client_id, username, password),
            )
            .await;
        (code, message)
    }

    async fn tokens(&self) -> (String, String, String) {
        let r = self.sign_in("alice", PASSWORD).await;
        let a = &r["AuthenticationResult"];
        (
            a["IdToken"].as_str().unwrap_or_default().to_string(),
            a["AccessToken"].as_str().unwrap_or_default().to_string(),
            a["RefreshToken"].as_str().unwrap_or_default().to_string(),
        )
    }

    async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        let (status, _, body) = self
            .app
            .raw(
                "InitiateAuth",
                json!({
                    "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "ClientId": self.client_id,
                    "AuthParameters": {"REFRESH_TOKEN": refresh_token}
                }),
            )
            .await;
        (status, body)
    }

    async fn get_user_err(&self, access_token: &str) -> (String, String) {
        let (_, code, message) = self
            .app
            .call_err("GetUser", json!({"AccessToken": access_token}))
            .await;
        (code, message)
    }
}

fn err_of(body: &Value) -> (String, String) {
    (
        body["__type"].as_str().unwrap_or_default().to_string(),
        body["message"].as_str().unwrap_or_default().to_string(),
    )
}

// ---------------------------------------------------------------------------------------------
// USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_password_auth_returns_the_three_tokens_through_the_sdk() {
    let s = setup().await;
    let out = s
        .app
        .client
        .initiate_auth()
        .client_id(&s.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth succeeds");
    assert!(out.challenge_name().is_none());
    assert_eq!(out.challenge_parameters().map(|p| p.len()), Some(0));
    let r = out.authentication_result().expect("AuthenticationResult");
    assert_eq!(r.token_type(), Some("Bearer"));
    assert_eq!(r.expires_in(), 3600);
    assert!(r
        .refresh_token()
        .unwrap_or_default()
        .starts_with(REFRESH_PREFIX));
    assert_eq!(r.refresh_token().unwrap_or_default().split('.').count(), 5);
    assert!(r.id_token().is_some() && r.access_token().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tokens_carry_cognitos_claims() {
    let s = setup().await;
    let r = s.sign_in("alice", PASSWORD).await;
    assert_eq!(r["ChallengeParameters"], json!({}));
    let id_token = r["AuthenticationResult"]["IdToken"]
        .as_str()
        .unwrap_or_default();
    let access_token = r["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap_or_default();
    let id = claims(id_token);
    let access = claims(access_token);
    let issuer = format!("{}/{}", s.app.base_url, s.pool_id);

    assert_eq!(
        keys_of(&id),
        [
            "aud",
            "auth_time",
            "cognito:username",
            "email",
            "email_verified",
            "event_id",
            "exp",
            "iat",
            "iss",
            "jti",
            "origin_jti",
            "sub",
            "token_use"
        ]
    );
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["aud"], s.client_id.as_str());
    assert_eq!(id["iss"], issuer.as_str());
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(
        id["exp"].as_i64().unwrap_or_default() - id["iat"].as_i64().unwrap_or_default(),
        3600
    );

    assert_eq!(
        keys_of(&access),
        [
            "auth_time",
            "client_id",
            "event_id",
            "exp",
            "iat",
            "iss",
            "jti",
            "origin_jti",
            "scope",
            "sub",
            "token_use",
            "username"
        ]
    );
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["client_id"], s.client_id.as_str());
    assert_eq!(access["username"], "alice");
    assert_eq!(access["iss"], issuer.as_str());
    assert_eq!(access["sub"], id["sub"]);
    assert_eq!(access["origin_jti"], id["origin_jti"]);
    assert_eq!(access["event_id"], id["event_id"]);
    assert_ne!(access["jti"], id["jti"]);
    assert!(uuid::Uuid::parse_str(id["origin_jti"].as_str().unwrap_or_default()).is_ok());

    // Two keys: ID and access tokens name different kids, both RS256 without typ.
    let (hi, ha) = (jwt_header(id_token), jwt_header(access_token));
    assert_eq!(hi["alg"], "RS256");
    assert!(hi.get("typ").is_none());
    assert_ne!(hi["kid"], ha["kid"]);

    // A second sign-in is a new origin.
    let again = s.sign_in("alice", PASSWORD).await;
    let again_id = claims(
        again["AuthenticationResult"]["IdToken"]
            .as_str()
            .unwrap_or_default(),
    );
    assert_ne!(again_id["origin_jti"], id["origin_jti"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_appear_in_both_tokens_by_precedence() {
    let s = setup().await;
    for (name, precedence) in [("late", 10), ("early", 1)] {
        s.app
            .call(
                "CreateGroup",
                json!({"UserPoolId": s.pool_id, "GroupName": name, "Precedence": precedence,
                       "RoleArn": format!("arn:aws:iam::123456789012:role/{name}")}),
            )
            .await;
        s.app
            .call(
                "AdminAddUserToGroup",
                json!({"UserPoolId": s.pool_id, "Username": "alice", "GroupName": name}),
            )
            .await;
    }
    let (id, access, _) = s.tokens().await;
    assert_eq!(claims(&id)["cognito:groups"], json!(["early", "late"]));
    assert_eq!(claims(&access)["cognito:groups"], json!(["early", "late"]));
    assert_eq!(
        claims(&id)["cognito:preferred_role"],
        "arn:aws:iam::123456789012:role/early"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_user_password_auth_and_its_legacy_name_sign_in() {
    let s = setup().await;
    for flow in ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"] {
        let mut body = admin_password_auth_body(&s.pool_id, &s.client_id, "alice", PASSWORD);
        body["AuthFlow"] = json!(flow);
        let r = s.app.call("AdminInitiateAuth", body).await;
        assert_eq!(r["AuthenticationResult"]["TokenType"], "Bearer", "{flow}");
        assert_eq!(r["ChallengeParameters"], json!({}));
    }
    let out = s
        .app
        .client
        .admin_initiate_auth()
        .user_pool_id(&s.pool_id)
        .client_id(&s.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("AdminInitiateAuth succeeds");
    assert!(out
        .authentication_result()
        .and_then(|r| r.access_token())
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flows_must_be_enabled_and_sent_to_their_own_operation() {
    let s = setup().await;
    let srp_only = s
        .app
        .create_client_with(json!({
            "UserPoolId": s.pool_id, "ClientName": "srp-only",
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        }))
        .await["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    s.app
        .assert_call_err(
            "InitiateAuth",
            password_auth_body(&srp_only, "alice", PASSWORD),
            "InvalidParameterException",
            "USER_PASSWORD_AUTH flow not enabled for this client",
        )
        .await;
    s.app
        .assert_call_err(
            "AdminInitiateAuth",
            admin_password_auth_body(&s.pool_id, &srp_only, "alice", PASSWORD),
            "InvalidParameterException",
            "Auth flow not enabled for this client",
        )
        .await;

    // The admin flow on the public operation and the other way round.
    let mut body = password_auth_body(&s.client_id, "alice", PASSWORD);
    body["AuthFlow"] = json!("ADMIN_USER_PASSWORD_AUTH");
    s.app
        .assert_call_err(
            "InitiateAuth",
            body,
            "InvalidParameterException",
            "Initiate Auth method not supported.",
        )
        .await;
    let mut body = admin_password_auth_body(&s.pool_id, &s.client_id, "alice", PASSWORD);
    body["AuthFlow"] = json!("USER_PASSWORD_AUTH");
    s.app
        .assert_call_err(
            "AdminInitiateAuth",
            body,
            "InvalidParameterException",
            "Initiate Auth method not supported.",
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_auth_without_its_triggers_says_so() {
    let s = setup().await;
    s
        .app.assert_call_err("InitiateAuth", json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": s.client_id, "AuthParameters": {"USERNAME": "alice"}}), "InvalidParameterException", "Custom auth lambda trigger is not configured for the user pool.").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_clients_and_missing_parameters_are_named() {
    let s = setup().await;
    s.app
        .assert_call_err(
            "InitiateAuth",
            password_auth_body("nosuchclient0000000000000", "alice", PASSWORD),
            "ResourceNotFoundException",
            "User pool client nosuchclient0000000000000 does not exist.",
        )
        .await;
    for (params, missing) in [
        (json!({"PASSWORD": PASSWORD}), "USERNAME"),
        (json!({"USERNAME": "alice"}), "PASSWORD"),
    ] {
        s
            .app.assert_call_err("InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id, "AuthParameters": params}), "InvalidParameterException", &format!("Missing required parameter {missing}")).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_and_unknown_users_get_cognitos_errors() {
    let s = setup().await;
    assert_err_pair(
        s.sign_in_err("alice", "Wrong-Passw0rd").await,
        ("NotAuthorizedException", "Incorrect username or password."),
    );
    assert_err_pair(
        s.sign_in_err("nobody", PASSWORD).await,
        ("UserNotFoundException", "User does not exist."),
    );
    let hiding = s
        .app
        .create_client_with(json!({
            "UserPoolId": s.pool_id, "ClientName": "hiding", "PreventUserExistenceErrors": "ENABLED",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        }))
        .await["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    s.app
        .assert_call_err(
            "InitiateAuth",
            password_auth_body(&hiding, "nobody", PASSWORD),
            "NotAuthorizedException",
            "Incorrect username or password.",
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_sign_in_with_a_verified_email_alias_and_tokens_name_the_internal_user() {
    let app = spawn_app().await;
    let pool_id = app
        .create_pool_with(json!({"PoolName": "alias", "AliasAttributes": ["email"]}))
        .await;
    let client_id = app.create_client(&pool_id).await;
    app.confirmed_email_user(&pool_id, "carol", PASSWORD).await;
    let r = app
        .call(
            "InitiateAuth",
            password_auth_body(&client_id, "carol@example.com", PASSWORD),
        )
        .await;
    let id = claims(
        r["AuthenticationResult"]["IdToken"]
            .as_str()
            .unwrap_or_default(),
    );
    assert_eq!(id["cognito:username"], "carol");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_and_unconfirmed_users_are_refused_whatever_the_password() {
    let s = setup().await;
    s.app
        .confirmed_email_user(&s.pool_id, "dave", PASSWORD)
        .await;
    s.app
        .call(
            "AdminDisableUser",
            json!({"UserPoolId": s.pool_id, "Username": "dave"}),
        )
        .await;
    assert_err_pair(
        s.sign_in_err("dave", PASSWORD).await,
        ("NotAuthorizedException", "User is disabled."),
    );
    assert_err_pair(
        s.sign_in_err("dave", "Wrong-Passw0rd").await,
        ("NotAuthorizedException", "User is disabled."),
    );

    s.app
        .call(
            "SignUp",
            json!({"ClientId": s.client_id, "Username": "erin", "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": "erin@example.com"}]}),
        )
        .await;
    for pw in [PASSWORD, "Wrong-Passw0rd"] {
        assert_err_pair(
            s.sign_in_err("erin", pw).await,
            ("UserNotConfirmedException", "User is not confirmed."),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_lock_the_user_for_a_doubling_while() {
    let s = setup().await;
    for _ in 0..5 {
        assert_err_pair(
            s.sign_in_err("alice", "Wrong-Passw0rd").await,
            ("NotAuthorizedException", "Incorrect username or password."),
        );
    }
    // Locked: even the right password is refused.
    assert_err_pair(
        s.sign_in_err("alice", PASSWORD).await,
        ("NotAuthorizedException", "Password attempts exceeded"),
    );
    s.app.advance_clock(2).await;
    assert!(s.sign_in("alice", PASSWORD).await["AuthenticationResult"]["AccessToken"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_with_a_secret_needs_the_secret_hash() {
    let s = setup().await;
    let (client_id, secret) = s.app.create_client_with_secret(&s.pool_id).await;
    s.app
        .assert_call_err(
            "InitiateAuth",
            password_auth_body(&client_id, "alice", PASSWORD),
            "NotAuthorizedException",
            &format!("Client {client_id} is configured for secret but secret was not received"),
        )
        .await;
    let mut body = password_auth_body(&client_id, "alice", PASSWORD);
    body["AuthParameters"]["SECRET_HASH"] = json!("bm90IHRoZSBoYXNo");
    s.app
        .assert_call_err(
            "InitiateAuth",
            body,
            "NotAuthorizedException",
            &format!("Unable to verify secret hash for client {client_id}"),
        )
        .await;
    let mut body = password_auth_body(&client_id, "alice", PASSWORD);
    body["AuthParameters"]["SECRET_HASH"] = json!(cognito_emulator::domain::secret_hash::compute(
        &secret, "alice", &client_id
    ));
    let r = s.app.call("InitiateAuth", body).await;
    let refresh_token = r["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap_or_default();

    // Refresh proves the secret over the internal username.
    let refresh = |hash: Option<String>| {
        let mut params = json!({"REFRESH_TOKEN": refresh_token});
        if let Some(h) = hash {
            params["SECRET_HASH"] = json!(h);
        }
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id, "AuthParameters": params})
    };
    let (_, code, _) = s.app.call_err("InitiateAuth", refresh(None)).await;
    assert_eq!(code, "NotAuthorizedException");
    let hash = cognito_emulator::domain::secret_hash::compute(&secret, "alice", &client_id);
    assert!(
        s.app.call("InitiateAuth", refresh(Some(hash))).await["AuthenticationResult"]["IdToken"]
            .is_string()
    );
    // GetTokensFromRefreshToken takes the raw secret.
    let (_, code, _) = s
        .app
        .call_err(
            "GetTokensFromRefreshToken",
            json!({"ClientId": client_id, "RefreshToken": refresh_token}),
        )
        .await;
    assert_eq!(code, "NotAuthorizedException");
    let r = s
        .app
        .call(
            "GetTokensFromRefreshToken",
            json!({"ClientId": client_id, "RefreshToken": refresh_token, "ClientSecret": secret}),
        )
        .await;
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
}

// ---------------------------------------------------------------------------------------------
// NEW_PASSWORD_REQUIRED and sessions
// ---------------------------------------------------------------------------------------------

async fn force_change_setup() -> (Setup, Value) {
    let s = setup().await;
    s.app.email_user(&s.pool_id, "frank", PASSWORD).await;
    let r = s.sign_in("frank", PASSWORD).await;
    (s, r)
}

fn new_password_answer(client_id: &str, session: &str, password: &str) -> Value {
    json!({
        "ClientId": client_id,
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": session,
        "ChallengeResponses": {"USERNAME": "frank", "NEW_PASSWORD": password}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_temporary_password_leads_to_new_password_required() {
    let (s, r) = force_change_setup().await;
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert!(r.get("AuthenticationResult").is_none());
    let session = r["Session"].as_str().unwrap_or_default();
    assert!(session.len() >= 20 && session.len() <= 2048);
    let p = &r["ChallengeParameters"];
    assert_eq!(p["USER_ID_FOR_SRP"], "frank");
    assert_eq!(p["requiredAttributes"], "[]");
    let current: Value =
        serde_json::from_str(p["userAttributes"].as_str().unwrap_or_default()).expect("JSON");
    assert_eq!(
        current,
        json!({"email": "frank@example.com", "email_verified": "true"})
    );

    // Through the SDK: answer, get tokens, and the user is CONFIRMED with the new password.
    let out = s
        .app
        .client
        .respond_to_auth_challenge()
        .client_id(&s.client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(session)
        .challenge_responses("USERNAME", "frank")
        .challenge_responses("NEW_PASSWORD", NEW_PASSWORD)
        .send()
        .await
        .expect("RespondToAuthChallenge succeeds");
    let tokens = out.authentication_result().expect("tokens");
    assert!(tokens
        .refresh_token()
        .unwrap_or_default()
        .starts_with(REFRESH_PREFIX));
    assert_eq!(out.challenge_parameters().map(|p| p.len()), Some(0));
    let user = s
        .app
        .call(
            "AdminGetUser",
            json!({"UserPoolId": s.pool_id, "Username": "frank"}),
        )
        .await;
    assert_eq!(user["UserStatus"], "CONFIRMED");
    assert!(s.sign_in("frank", NEW_PASSWORD).await["AuthenticationResult"].is_object());
    assert_err_pair(
        s.sign_in_err("frank", PASSWORD).await,
        ("NotAuthorizedException", "Incorrect username or password."),
    );
    // The session was single use.
    s.app
        .assert_call_err(
            "RespondToAuthChallenge",
            new_password_answer(&s.client_id, session, NEW_PASSWORD),
            "NotAuthorizedException",
            "Invalid session for the user, session can only be used once.",
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_answer_completes_new_password_required_too() {
    let s = setup().await;
    s.app.email_user(&s.pool_id, "frank", PASSWORD).await;
    let r = s
        .app
        .call(
            "AdminInitiateAuth",
            admin_password_auth_body(&s.pool_id, &s.client_id, "frank", PASSWORD),
        )
        .await;
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let mut body = new_password_answer(
        &s.client_id,
        r["Session"].as_str().unwrap_or_default(),
        NEW_PASSWORD,
    );
    body["UserPoolId"] = json!(s.pool_id);
    let done = s.app.call("AdminRespondToAuthChallenge", body).await;
    assert!(done["AuthenticationResult"]["IdToken"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weak_new_password_is_refused_and_the_session_stays_usable() {
    let (s, r) = force_change_setup().await;
    let session = r["Session"].as_str().unwrap_or_default();
    s.app
        .assert_call_err(
            "RespondToAuthChallenge",
            new_password_answer(&s.client_id, session, "weak"),
            "InvalidPasswordException",
            "Password does not conform to policy: Password not long enough",
        )
        .await;
    let mut no_password = new_password_answer(&s.client_id, session, "");
    no_password["ChallengeResponses"] = json!({"USERNAME": "frank"});
    s.app
        .assert_call_err(
            "RespondToAuthChallenge",
            no_password,
            "InvalidParameterException",
            "Missing required parameter NEW_PASSWORD",
        )
        .await;
    let done = s
        .app
        .call(
            "RespondToAuthChallenge",
            new_password_answer(&s.client_id, session, NEW_PASSWORD),
        )
        .await;
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_with_the_clients_auth_session_validity() {
    let (s, r) = force_change_setup().await;
    let session = r["Session"].as_str().unwrap_or_default();
    s.app.advance_clock(181).await;
    s.app
        .assert_call_err(
            "RespondToAuthChallenge",
            new_password_answer(&s.client_id, session, NEW_PASSWORD),
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_unknown_and_mismatched_sessions_are_refused() {
    let (s, r) = force_change_setup().await;
    let session = r["Session"].as_str().unwrap_or_default();
    let mut body = new_password_answer(&s.client_id, session, NEW_PASSWORD);
    body.as_object_mut().map(|b| b.remove("Session"));
    s.app
        .assert_call_err(
            "RespondToAuthChallenge",
            body,
            "InvalidParameterException",
            "Missing required parameter Session",
        )
        .await;

    let forged = "A".repeat(128);
    s.app
        .assert_call_err(
            "RespondToAuthChallenge",
            new_password_answer(&s.client_id, &forged, NEW_PASSWORD),
            "NotAuthorizedException",
            "Invalid session for the user.",
        )
        .await;

    let mut other_challenge = new_password_answer(&s.client_id, session, NEW_PASSWORD);
    other_challenge["ChallengeName"] = json!("SMS_MFA");
    other_challenge["ChallengeResponses"]["SMS_MFA_CODE"] = json!("123456");
    s.app
        .assert_call_err(
            "RespondToAuthChallenge",
            other_challenge,
            "NotAuthorizedException",
            "Invalid session for the user.",
        )
        .await;

    let other_client = s.app.create_client(&s.pool_id).await;
    s.app
        .assert_call_err(
            "RespondToAuthChallenge",
            new_password_answer(&other_client, session, NEW_PASSWORD),
            "NotAuthorizedException",
            "Invalid session for the user.",
        )
        .await;

    let mut other_user = new_password_answer(&s.client_id, session, NEW_PASSWORD);
    other_user["ChallengeResponses"]["USERNAME"] = json!("alice");
    s.app
        .assert_call_err(
            "RespondToAuthChallenge",
            other_user,
            "NotAuthorizedException",
            "Invalid session for the user.",
        )
        .await;

    // None of that used the session up.
    let done = s
        .app
        .call(
            "RespondToAuthChallenge",
            new_password_answer(&s.client_id, session, NEW_PASSWORD),
        )
        .await;
    assert!(done["AuthenticationResult"].is_object());
}

#[tokio::test]
async fn challenge_answers_take_any_alias_hash_the_username_sent_and_check_the_session() {
    let app = spawn_app().await;
    let pool_id = app
        .create_pool_with(json!({"PoolName": "aliases", "AliasAttributes": ["email"]}))
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
async fn a_temporary_password_expires_after_the_pools_validity() {
    let s = setup().await;
    s.app.email_user(&s.pool_id, "frank", PASSWORD).await;
    s.app.advance_clock(8 * 86_400).await;
    assert_err_pair(
        s.sign_in_err("frank", PASSWORD).await,
        (
            "NotAuthorizedException",
            "Temporary password has expired and must be reset by an administrator.",
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_password_required_asks_for_missing_required_attributes() {
    let app = spawn_app().await;
    let pool_id = app
        .create_pool_with(json!({
            "PoolName": "required",
            "Schema": [{"Name": "name", "AttributeDataType": "String", "Required": true, "Mutable": true}]
        }))
        .await;
    let client_id = app.create_client(&pool_id).await;
    // AdminCreateUser insists on required attributes, so write a user that lacks one directly,
    // as an import would.
    let pool = app
        .state
        .store
        .get_pool(&pool_id)
        .await
        .expect("store")
        .expect("pool");
    let now = app.state.clock.epoch();
    let mut user = cognito_emulator::domain::records::UserRecord {
        pool_id: pool_id.clone(),
        sub: uuid::Uuid::new_v4().to_string(),
        username: "gina".into(),
        username_key: "gina".into(),
        status: cognito_emulator::domain::user_status::UserStatus::ForceChangePassword,
        enabled: true,
        password_history: json!([]),
        mfa: json!({}),
        created_at: now,
        modified_at: now,
        ..Default::default()
    };
    cognito_emulator::ops::common::set_password(&pool, &mut user, PASSWORD, now).expect("password");
    app.state.store.insert_user(&user).await.expect("insert");

    let r = app
        .call(
            "InitiateAuth",
            password_auth_body(&client_id, "gina", PASSWORD),
        )
        .await;
    assert_eq!(
        r["ChallengeParameters"]["requiredAttributes"],
        r#"["userAttributes.name"]"#
    );
    assert_eq!(r["ChallengeParameters"]["userAttributes"], "{}");
    let session = r["Session"].as_str().unwrap_or_default();
    let answer = |extra: Value| {
        let mut responses = json!({"USERNAME": "gina", "NEW_PASSWORD": NEW_PASSWORD});
        if let (Some(m), Some(e)) = (responses.as_object_mut(), extra.as_object()) {
            m.extend(e.clone());
        }
        json!({"ClientId": client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session,
               "ChallengeResponses": responses})
    };
    app.assert_call_err(
        "RespondToAuthChallenge",
        answer(json!({})),
        "InvalidParameterException",
        "Invalid attributes given, name is missing",
    )
    .await;
    let done = app
        .call(
            "RespondToAuthChallenge",
            answer(json!({"userAttributes.name": "Gina"})),
        )
        .await;
    let id = claims(
        done["AuthenticationResult"]["IdToken"]
            .as_str()
            .unwrap_or_default(),
    );
    assert_eq!(id["name"], "Gina");
}

// ---------------------------------------------------------------------------------------------
// Refresh
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_token_auth_keeps_the_sign_in_and_returns_no_refresh_token() {
    let s = setup().await;
    let (id, _, refresh_token) = s.tokens().await;
    s.app.advance_clock(120).await;
    for flow in ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"] {
        let (status, _, r) = s
            .app
            .raw(
                "InitiateAuth",
                json!({"AuthFlow": flow, "ClientId": s.client_id, "AuthParameters": {"REFRESH_TOKEN": refresh_token}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{flow}: {r}");
        assert_eq!(r["ChallengeParameters"], json!({}));
        let a = &r["AuthenticationResult"];
        assert!(a.get("RefreshToken").is_none(), "{flow}");
        assert_eq!(a["TokenType"], "Bearer");
        assert_eq!(a["ExpiresIn"], 3600);
        let new_id = claims(a["IdToken"].as_str().unwrap_or_default());
        let old_id = claims(&id);
        assert_eq!(new_id["origin_jti"], old_id["origin_jti"]);
        assert_eq!(new_id["auth_time"], old_id["auth_time"]);
        assert_ne!(new_id["jti"], old_id["jti"]);
        assert!(new_id["iat"].as_i64() > old_id["iat"].as_i64());
    }
    let admin = s
        .app
        .call(
            "AdminInitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "UserPoolId": s.pool_id, "ClientId": s.client_id,
                   "AuthParameters": {"REFRESH_TOKEN": refresh_token}}),
        )
        .await;
    assert!(admin["AuthenticationResult"]["AccessToken"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_tokens_from_refresh_token_works_through_the_sdk() {
    let s = setup().await;
    let (_, _, refresh_token) = s.tokens().await;
    let out = s
        .app
        .client
        .get_tokens_from_refresh_token()
        .client_id(&s.client_id)
        .refresh_token(&refresh_token)
        .send()
        .await
        .expect("GetTokensFromRefreshToken succeeds");
    let r = out.authentication_result().expect("AuthenticationResult");
    assert!(r.access_token().is_some() && r.id_token().is_some());
    assert!(
        r.refresh_token().is_none(),
        "no rotation: no new refresh token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_foreign_and_expired_refresh_tokens_are_refused() {
    let s = setup().await;
    let (_, _, refresh_token) = s.tokens().await;
    let garbage = format!("{REFRESH_PREFIX}AAAA.BBBB.CCCC.DDDD");
    for bad in [garbage.as_str(), "not-a-token"] {
        let (_, body) = s.refresh(bad).await;
        let (code, message) = err_of(&body);
        assert_eq!(
            (code.as_str(), message.as_str()),
            ("NotAuthorizedException", "Invalid Refresh Token."),
            "{bad}"
        );
    }
    let other = s.app.create_client(&s.pool_id).await;
    s
        .app.assert_call_err("InitiateAuth", json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": other, "AuthParameters": {"REFRESH_TOKEN": refresh_token}}), "NotAuthorizedException", "Invalid Refresh Token.").await;
    s
        .app.assert_call_err("InitiateAuth", json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": s.client_id, "AuthParameters": {}}), "InvalidParameterException", "Missing required parameter REFRESH_TOKEN").await;

    s.app.advance_clock(30 * 86_400 + 1).await;
    let (_, body) = s.refresh(&refresh_token).await;
    assert_err_pair(
        err_of(&body),
        ("NotAuthorizedException", "Refresh Token has expired"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshing_for_a_disabled_user_is_refused() {
    let s = setup().await;
    let (_, _, refresh_token) = s.tokens().await;
    s.app
        .call(
            "AdminDisableUser",
            json!({"UserPoolId": s.pool_id, "Username": "alice"}),
        )
        .await;
    let (_, body) = s.refresh(&refresh_token).await;
    assert_err_pair(
        err_of(&body),
        ("NotAuthorizedException", "User is disabled."),
    );
}

async fn rotating_client(app: &TestApp, pool_id: &str, grace: i64) -> String {
    app.create_client_with(json!({
        "UserPoolId": pool_id, "ClientName": "rotating",
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": grace}
    }))
    .await["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_issues_a_new_refresh_token_and_retires_the_old_one() {
    let s = setup().await;
    let client_id = rotating_client(&s.app, &s.pool_id, 0).await;
    let r = s
        .app
        .call(
            "InitiateAuth",
            password_auth_body(&client_id, "alice", PASSWORD),
        )
        .await;
    let first = r["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let origin = claims(
        r["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap_or_default(),
    )["origin_jti"]
        .clone();

    let rotate = |token: &str| json!({"ClientId": client_id, "RefreshToken": token});
    let r = s
        .app
        .call("GetTokensFromRefreshToken", rotate(&first))
        .await;
    let second = r["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(second.starts_with(REFRESH_PREFIX));
    assert_ne!(second, first);
    let access = r["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(claims(&access)["origin_jti"], origin);

    let (_, code, message) = s
        .app
        .call_err("GetTokensFromRefreshToken", rotate(&first))
        .await;
    assert_eq!(code, "RefreshTokenReuseException", "{message}");
    assert!(s
        .app
        .call("GetTokensFromRefreshToken", rotate(&second))
        .await["AuthenticationResult"]
        .is_object());
    // Rotation is not a revocation: the access tokens of the sign-in still work.
    assert!(s.app.call("GetUser", json!({"AccessToken": access})).await["Username"].is_string());

    let (_, code, _) = s
        .app
        .call_err(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id, "AuthParameters": {"REFRESH_TOKEN": second}}),
        )
        .await;
    assert_eq!(code, "NotAuthorizedException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_token_works_during_the_grace_period() {
    let s = setup().await;
    let client_id = rotating_client(&s.app, &s.pool_id, 10).await;
    let r = s
        .app
        .call(
            "InitiateAuth",
            password_auth_body(&client_id, "alice", PASSWORD),
        )
        .await;
    let first = r["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let rotate = json!({"ClientId": client_id, "RefreshToken": first});
    s.app
        .call("GetTokensFromRefreshToken", rotate.clone())
        .await;
    s.app.advance_clock(5).await;
    assert!(s
        .app
        .call("GetTokensFromRefreshToken", rotate.clone())
        .await["AuthenticationResult"]
        .is_object());
    s.app.advance_clock(10).await;
    let (_, code, _) = s.app.call_err("GetTokensFromRefreshToken", rotate).await;
    assert_eq!(code, "RefreshTokenReuseException");
}

// ---------------------------------------------------------------------------------------------
// Revocation, sign-out and access-token checks
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_token_kills_the_refresh_token_and_its_access_tokens() {
    let s = setup().await;
    let (id, access, refresh_token) = s.tokens().await;
    let (_, other_access, other_refresh) = s.tokens().await;
    let (_, code, _) = s
        .app
        .call_err(
            "RevokeToken",
            json!({"ClientId": s.client_id, "Token": access}),
        )
        .await;
    assert_eq!(code, "UnsupportedTokenTypeException");
    let (_, code, _) = s
        .app
        .call_err("RevokeToken", json!({"ClientId": s.client_id, "Token": id}))
        .await;
    assert_eq!(code, "UnsupportedTokenTypeException");

    s.app
        .client
        .revoke_token()
        .client_id(&s.client_id)
        .token(&refresh_token)
        .send()
        .await
        .expect("RevokeToken succeeds");
    let (_, body) = s.refresh(&refresh_token).await;
    assert_err_pair(
        err_of(&body),
        ("NotAuthorizedException", "Refresh Token has been revoked"),
    );
    assert_err_pair(
        s.get_user_err(&access).await,
        ("NotAuthorizedException", "Access Token has been revoked"),
    );
    // Another sign-in of the same user is untouched.
    assert!(s
        .app
        .call("GetUser", json!({"AccessToken": other_access}))
        .await["Username"]
        .is_string());
    assert!(s.refresh(&other_refresh).await.1["AuthenticationResult"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_token_needs_revocation_enabled_on_the_client() {
    let s = setup().await;
    let client_id = s
        .app
        .create_client_with(json!({
            "UserPoolId": s.pool_id, "ClientName": "no-revoke", "EnableTokenRevocation": false,
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        }))
        .await["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = s
        .app
        .call(
            "InitiateAuth",
            password_auth_body(&client_id, "alice", PASSWORD),
        )
        .await;
    let token = r["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap_or_default();
    let (_, code, _) = s
        .app
        .call_err(
            "RevokeToken",
            json!({"ClientId": client_id, "Token": token}),
        )
        .await;
    assert_eq!(code, "UnsupportedOperationException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_sign_out_revokes_every_token_of_the_user() {
    let s = setup().await;
    let (_, access, refresh_token) = s.tokens().await;
    let (_, access2, refresh2) = s.tokens().await;
    s.app
        .client
        .global_sign_out()
        .access_token(&access)
        .send()
        .await
        .expect("GlobalSignOut succeeds");
    for a in [&access, &access2] {
        assert_err_pair(
            s.get_user_err(a).await,
            ("NotAuthorizedException", "Access Token has been revoked"),
        );
    }
    for r in [&refresh_token, &refresh2] {
        let (_, body) = s.refresh(r).await;
        assert_err_pair(
            err_of(&body),
            ("NotAuthorizedException", "Refresh Token has been revoked"),
        );
    }
    // Signing in again works.
    let (_, fresh, _) = s.tokens().await;
    assert!(s.app.call("GetUser", json!({"AccessToken": fresh})).await["Username"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_user_global_sign_out_revokes_every_token_of_the_user() {
    let s = setup().await;
    let (_, access, refresh_token) = s.tokens().await;
    s.app
        .client
        .admin_user_global_sign_out()
        .user_pool_id(&s.pool_id)
        .username("alice")
        .send()
        .await
        .expect("AdminUserGlobalSignOut succeeds");
    assert_err_pair(
        s.get_user_err(&access).await,
        ("NotAuthorizedException", "Access Token has been revoked"),
    );
    let (_, body) = s.refresh(&refresh_token).await;
    assert_err_pair(
        err_of(&body),
        ("NotAuthorizedException", "Refresh Token has been revoked"),
    );
    s.app
        .assert_call_err(
            "AdminUserGlobalSignOut",
            json!({"UserPoolId": s.pool_id, "Username": "nobody"}),
            "UserNotFoundException",
            "User does not exist.",
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_tokens_expire_by_the_emulator_clock() {
    let s = setup().await;
    let (_, access, _) = s.tokens().await;
    assert!(s.app.call("GetUser", json!({"AccessToken": access})).await["Username"].is_string());
    s.app.advance_clock(3601).await;
    assert_err_pair(
        s.get_user_err(&access).await,
        ("NotAuthorizedException", "Access Token has expired"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_foreign_access_tokens_are_invalid() {
    let s = setup().await;
    let (id, access, _) = s.tokens().await;
    let invalid = ("NotAuthorizedException", "Invalid Access Token");
    let parts: Vec<&str> = access.split('.').collect();

    // A changed payload breaks the signature.
    let mut c = claims(&access);
    c["username"] = json!("mallory");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(c.to_string()),
        parts[2]
    );
    assert_err_pair(s.get_user_err(&tampered).await, invalid);

    // alg none, no signature.
    let none_header = URL_SAFE_NO_PAD
        .encode(json!({"alg": "none", "kid": jwt_header(&access)["kid"]}).to_string());
    assert_err_pair(
        s.get_user_err(&format!("{none_header}.{}.", parts[1]))
            .await,
        invalid,
    );

    // Signed by another pool's key, with this pool's issuer.
    let other_pool = s.app.create_pool("other").await;
    let keys = s.app.state.pool_keys(&other_pool).await.expect("keys");
    let forged = keys.access.sign(&claims(&access)).expect("sign");
    assert_err_pair(s.get_user_err(&forged).await, invalid);
    // Signed with this pool's ID key (an ID token is not an access token).
    assert_err_pair(s.get_user_err(&id).await, invalid);
    // Garbage.
    assert_err_pair(s.get_user_err("abc.def.ghi").await, invalid);
}

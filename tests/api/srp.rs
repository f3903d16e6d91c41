//! USER_SRP_AUTH: PASSWORD_VERIFIER issued and verified for real, the client side computed with
//! `crypto::srp::client` exactly as the JS SDK / pycognito compute it.

use crate::helpers::*;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use cognito_emulator::crypto::srp::client;
use cognito_emulator::domain::secret_hash;
use serde_json::{json, Value};
use std::collections::HashMap;

const PASSWORD: &str = "Passw0rd!";
const NEW_PASSWORD: &str = "N3w-Passw0rd!";
const INCORRECT: (&str, &str) = ("NotAuthorizedException", "Incorrect username or password.");

struct Srp {
    app: TestApp,
    pool_id: String,
    client_id: String,
    secret: Option<String>,
}

/// What a client holds between InitiateAuth and its answer.
struct Challenge {
    a: Vec<u8>,
    params: Value,
}

impl Challenge {
    fn param(&self, name: &str) -> String {
        self.params[name].as_str().unwrap_or_default().to_string()
    }
}

impl Srp {
    /// A default pool, a public client with every flow, and a confirmed user `alice`.
    async fn new() -> Self {
        let app = spawn_app().await;
        let pool_id = app.create_pool("srp").await;
        let client_id = app.create_client(&pool_id).await;
        let s = Srp {
            app,
            pool_id,
            client_id,
            secret: None,
        };
        s.add_user("alice", true).await;
        s
    }

    async fn with_pool(body: Value) -> Self {
        let app = spawn_app().await;
        let pool_id = app.create_pool_with(body).await;
        let client_id = app.create_client(&pool_id).await;
        Srp {
            app,
            pool_id,
            client_id,
            secret: None,
        }
    }

    async fn add_user(&self, username: &str, permanent: bool) {
        self.add_user_with(username, &format!("{username}@example.com"), permanent)
            .await;
    }

    async fn add_user_with(&self, username: &str, email: &str, permanent: bool) {
        let attrs = [("email", email), ("email_verified", "true")];
        if permanent {
            self.app
                .confirmed_user(&self.pool_id, username, PASSWORD, &attrs)
                .await;
        } else {
            self.app
                .create_user(&self.pool_id, username, PASSWORD, &attrs)
                .await;
        }
    }

    fn secret_hash(&self, username: &str) -> Option<String> {
        self.secret
            .as_deref()
            .map(|s| secret_hash::compute(s, username, &self.client_id))
    }

    fn initiate_body(&self, username: &str, srp_a: &str) -> Value {
        let mut params = json!({"USERNAME": username, "SRP_A": srp_a});
        if let Some(h) = self.secret_hash(username) {
            params["SECRET_HASH"] = json!(h);
        }
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": self.client_id, "AuthParameters": params})
    }

    /// InitiateAuth USER_SRP_AUTH; asserts the PASSWORD_VERIFIER shape.
    async fn initiate(&self, username: &str) -> Challenge {
        let a = srp_secret();
        let srp_a = srp_a(&a);
        let resp = self
            .app
            .call("InitiateAuth", self.initiate_body(username, &srp_a))
            .await;
        assert_eq!(resp["ChallengeName"], "PASSWORD_VERIFIER", "{resp}");
        // Real Cognito sends no Session with PASSWORD_VERIFIER (observed: floci-io/floci#1305).
        assert!(resp.get("Session").is_none(), "{resp}");
        assert!(resp.get("AuthenticationResult").is_none(), "{resp}");
        Challenge {
            a,
            params: resp["ChallengeParameters"].clone(),
        }
    }

    async fn initiate_err(&self, username: &str, srp_a: &str) -> (String, String) {
        let (_, code, message) = self
            .app
            .call_err("InitiateAuth", self.initiate_body(username, srp_a))
            .await;
        (code, message)
    }

    /// The ChallengeResponses a client sends, signing `timestamp` with `password`.
    fn responses(&self, c: &Challenge, password: &str, timestamp: &str) -> Value {
        let user_id = c.param("USER_ID_FOR_SRP");
        let block = STANDARD
            .decode(c.param("SECRET_BLOCK"))
            .expect("SECRET_BLOCK is standard base64");
        let signature = client::signature(
            pool_name(&self.pool_id),
            &user_id,
            password,
            &c.param("SALT"),
            &c.param("SRP_B"),
            &c.a,
            &block,
            timestamp,
        );
        let mut r = json!({
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": c.param("SECRET_BLOCK"),
            "PASSWORD_CLAIM_SIGNATURE": signature,
            "TIMESTAMP": timestamp,
        });
        if let Some(h) = self.secret_hash(&user_id) {
            r["SECRET_HASH"] = json!(h);
        }
        r
    }

    fn answer_body(&self, responses: Value) -> Value {
        json!({"ClientId": self.client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": responses})
    }

    fn now(&self) -> DateTime<Utc> {
        self.app.state.clock.now()
    }

    /// The TIMESTAMP a client with a clock in step with the emulator sends.
    fn timestamp(&self) -> String {
        client::timestamp_at(self.now())
    }

    async fn answer(&self, c: &Challenge, password: &str) -> Value {
        let body = self.answer_body(self.responses(c, password, &self.timestamp()));
        self.app.call("RespondToAuthChallenge", body).await
    }

    async fn answer_err(&self, responses: Value) -> (String, String) {
        let (_, code, message) = self
            .app
            .call_err("RespondToAuthChallenge", self.answer_body(responses))
            .await;
        (code, message)
    }

    async fn sign_in(&self, username: &str, password: &str) -> Value {
        let c = self.initiate(username).await;
        self.answer(&c, password).await
    }

    async fn sign_in_err(&self, username: &str, password: &str) -> (String, String) {
        let c = self.initiate(username).await;
        let ts = self.timestamp();
        self.answer_err(self.responses(&c, password, &ts)).await
    }
}

fn assert_tokens(resp: &Value, username: &str) {
    let result = &resp["AuthenticationResult"];
    assert_eq!(resp["ChallengeParameters"], json!({}), "{resp}");
    assert_eq!(result["TokenType"], "Bearer", "{resp}");
    assert!(result["RefreshToken"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    let id = claims(result["IdToken"].as_str().expect("an IdToken"));
    assert_eq!(id["cognito:username"], username);
    let access = claims(result["AccessToken"].as_str().expect("an AccessToken"));
    assert_eq!(access["username"], username);
}

#[tokio::test]
async fn the_sdk_signs_in_with_srp_and_gets_tokens() {
    let s = Srp::new().await;
    let a = srp_secret();
    let init = s
        .app
        .srp_initiate(&s.client_id, "alice", &a)
        .await
        .expect("InitiateAuth USER_SRP_AUTH");
    assert_eq!(
        init.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    assert_eq!(init.session(), None);
    let p = init.challenge_parameters().expect("ChallengeParameters");
    let mut keys: Vec<&str> = p.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "SALT",
            "SECRET_BLOCK",
            "SRP_B",
            "USERNAME",
            "USER_ID_FOR_SRP"
        ]
    );
    assert_eq!(p["USER_ID_FOR_SRP"], "alice");
    assert_eq!(p["USERNAME"], "alice");
    // Canonical SALT: lower-case hex, no redundant leading zero byte (`crypto::srp::salt_param`).
    assert!(!p["SALT"].starts_with("00"), "{}", p["SALT"]);
    assert!(p["SALT"]
        .bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
    assert!(p["SRP_B"]
        .bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
    let block = STANDARD
        .decode(&p["SECRET_BLOCK"])
        .expect("standard base64");
    assert!(block.len() >= 32);

    let out = s
        .app
        .client
        .respond_to_auth_challenge()
        .client_id(&s.client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_challenge_responses(Some(s.app.password_claim(&s.pool_id, p, &a, PASSWORD)))
        .send()
        .await
        .expect("PASSWORD_VERIFIER answer");
    assert_eq!(out.challenge_name(), None);
    let result = out.authentication_result().expect("tokens");
    assert_eq!(result.token_type(), Some("Bearer"));
    assert_eq!(result.expires_in(), 3600);
    let id = claims(result.id_token().unwrap_or_default());
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["aud"], s.client_id.as_str());
    let access = claims(result.access_token().unwrap_or_default());
    assert_eq!(access["client_id"], s.client_id.as_str());
}

#[tokio::test]
async fn the_sdk_gets_incorrect_username_or_password_for_a_wrong_password() {
    let s = Srp::new().await;
    let a = srp_secret();
    let init = s
        .app
        .srp_initiate(&s.client_id, "alice", &a)
        .await
        .expect("InitiateAuth");
    let p: HashMap<String, String> = init.challenge_parameters().cloned().unwrap_or_default();
    let result = s
        .app
        .client
        .respond_to_auth_challenge()
        .client_id(&s.client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_challenge_responses(Some(s.app.password_claim(
            &s.pool_id,
            &p,
            &a,
            "Wr0ng-password",
        )))
        .send()
        .await;
    assert_sdk_err(result, INCORRECT.0, INCORRECT.1);
}

#[tokio::test]
async fn admin_initiate_auth_and_admin_respond_do_srp_too() {
    let s = Srp::new().await;
    let a = srp_secret();
    let init = s
        .app
        .client
        .admin_initiate_auth()
        .user_pool_id(&s.pool_id)
        .client_id(&s.client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", srp_a(&a))
        .send()
        .await
        .expect("AdminInitiateAuth USER_SRP_AUTH");
    assert_eq!(
        init.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let p: HashMap<String, String> = init.challenge_parameters().cloned().unwrap_or_default();
    let out = s
        .app
        .client
        .admin_respond_to_auth_challenge()
        .user_pool_id(&s.pool_id)
        .client_id(&s.client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_challenge_responses(Some(s.app.password_claim(&s.pool_id, &p, &a, PASSWORD)))
        .send()
        .await
        .expect("AdminRespondToAuthChallenge");
    assert!(out
        .authentication_result()
        .and_then(|r| r.id_token())
        .is_some());
}

#[tokio::test]
async fn a_tampered_signature_is_refused() {
    let s = Srp::new().await;
    let c = s.initiate("alice").await;
    let mut r = s.responses(&c, PASSWORD, &s.timestamp());
    let sig = r["PASSWORD_CLAIM_SIGNATURE"].as_str().unwrap_or_default();
    let mut raw = STANDARD.decode(sig).expect("base64");
    raw[7] ^= 0x20;
    r["PASSWORD_CLAIM_SIGNATURE"] = json!(STANDARD.encode(raw));
    assert_err_pair(s.answer_err(r).await, INCORRECT);
    // Garbage that is not even base64 fails the same way, not as a 500.
    let c = s.initiate("alice").await;
    let mut r = s.responses(&c, PASSWORD, &s.timestamp());
    r["PASSWORD_CLAIM_SIGNATURE"] = json!("not base64 at all!");
    assert_err_pair(s.answer_err(r).await, INCORRECT);
}

#[tokio::test]
async fn a_signature_over_another_timestamp_than_the_one_sent_is_refused() {
    let s = Srp::new().await;
    let c = s.initiate("alice").await;
    let signed_at = s.now();
    let mut r = s.responses(&c, PASSWORD, &client::timestamp_at(signed_at));
    r["TIMESTAMP"] = json!(client::timestamp_at(signed_at + Duration::seconds(1)));
    assert_err_pair(s.answer_err(r).await, INCORRECT);
}

#[tokio::test]
async fn a_zero_padded_day_in_timestamp_is_refused_even_with_a_matching_signature() {
    let s = Srp::new().await;
    // A single-digit day, so the padded form differs from what clients send.
    let (status, body) = s
        .app
        .post_json("/_emulator/clock", json!({"set": "2026-12-05T10:20:30Z"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let c = s.initiate("alice").await;
    let ts = client::timestamp_at(s.now());
    assert!(ts.starts_with("Sat Dec 5 10:"), "{ts}");
    let padded = ts.replacen("Dec 5 ", "Dec 05 ", 1);
    assert_err_pair(
        s.answer_err(s.responses(&c, PASSWORD, &padded)).await,
        INCORRECT,
    );
    // The client's own form on a fresh exchange works at the same instant.
    assert_tokens(&s.sign_in("alice", PASSWORD).await, "alice");
}

#[tokio::test]
async fn a_timestamp_more_than_five_minutes_from_the_emulator_clock_is_refused() {
    let s = Srp::new().await;
    // The emulator clock, not the wall clock, is the reference: move it a day ahead.
    s.app.advance_clock(86_400).await;
    for offset in [-360, 360, -86_400] {
        let c = s.initiate("alice").await;
        let ts = client::timestamp_at(s.now() + Duration::seconds(offset));
        let got = s.answer_err(s.responses(&c, PASSWORD, &ts)).await;
        assert_eq!(
            (got.0.as_str(), got.1.as_str()),
            INCORRECT,
            "offset {offset}"
        );
    }
    for offset in [-240, 240] {
        let c = s.initiate("alice").await;
        let ts = client::timestamp_at(s.now() + Duration::seconds(offset));
        let body = s.answer_body(s.responses(&c, PASSWORD, &ts));
        let out = s.app.call("RespondToAuthChallenge", body).await;
        assert_tokens(&out, "alice");
    }
}

#[tokio::test]
async fn srp_a_that_is_zero_mod_n_is_refused_at_initiate_auth() {
    let s = Srp::new().await;
    const N: &str = concat!(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
        "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
        "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
        "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
        "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
        "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
        "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
        "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    );
    let two_n = {
        // 2N = N shifted left by one bit: "1" followed by N's hex doubled is awkward; N·2 in hex
        // is N with every nibble doubled with carries, so build it from bytes.
        let mut bytes = hex::decode(N).expect("hex");
        let mut carry = 0u8;
        for b in bytes.iter_mut().rev() {
            let next = *b >> 7;
            *b = (*b << 1) | carry;
            carry = next;
        }
        let mut out = vec![carry];
        out.extend(bytes);
        hex::encode(out)
    };
    for a in [
        "0",
        "00000000",
        N,
        &N.to_lowercase(),
        &format!("000{N}"),
        &two_n,
    ] {
        assert_err_pair(s.initiate_err("alice", a).await, INCORRECT);
    }
    let (code, _) = s.initiate_err("alice", "xyz").await;
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn srp_a_of_any_case_and_length_is_accepted() {
    let s = Srp::new().await;
    for form in ["upper", "zero-padded"] {
        let a = srp_secret();
        let plain = srp_a(&a);
        let srp_a = match form {
            "upper" => plain.to_uppercase(),
            _ => format!("0000{plain}"),
        };
        let resp = s
            .app
            .call("InitiateAuth", s.initiate_body("alice", &srp_a))
            .await;
        let c = Challenge {
            a,
            params: resp["ChallengeParameters"].clone(),
        };
        assert_tokens(&s.answer(&c, PASSWORD).await, "alice");
    }
}

#[tokio::test]
async fn a_secret_block_answers_once() {
    let s = Srp::new().await;
    let c = s.initiate("alice").await;
    let r = s.responses(&c, PASSWORD, &s.timestamp());
    let out = s
        .app
        .call("RespondToAuthChallenge", s.answer_body(r.clone()))
        .await;
    assert_tokens(&out, "alice");
    assert_err_pair(
        s.answer_err(r).await,
        (
            "NotAuthorizedException",
            "Invalid session for the user, session can only be used once.",
        ),
    );
    // A failed answer uses the block up as well: no second guess on one exchange.
    let c = s.initiate("alice").await;
    assert_err_pair(
        s.answer_err(s.responses(&c, "wrong", &s.timestamp())).await,
        INCORRECT,
    );
    assert_err_pair(
        s.answer_err(s.responses(&c, PASSWORD, &s.timestamp()))
            .await,
        (
            "NotAuthorizedException",
            "Invalid session for the user, session can only be used once.",
        ),
    );
}

#[tokio::test]
async fn an_unknown_or_expired_secret_block_is_an_invalid_session() {
    let s = Srp::new().await;
    let c = s.initiate("alice").await;
    let mut r = s.responses(&c, PASSWORD, &s.timestamp());
    r["PASSWORD_CLAIM_SECRET_BLOCK"] = json!(STANDARD.encode([9u8; 64]));
    assert_err_pair(
        s.answer_err(r).await,
        ("NotAuthorizedException", "Invalid session for the user."),
    );
    let mut r = s.responses(&c, PASSWORD, &s.timestamp());
    r["PASSWORD_CLAIM_SECRET_BLOCK"] = json!("%%% not base64 %%%");
    assert_err_pair(
        s.answer_err(r).await,
        ("NotAuthorizedException", "Invalid session for the user."),
    );
    // The default AuthSessionValidity is 3 minutes.
    s.app.advance_clock(181).await;
    let r = s.responses(&c, PASSWORD, &s.timestamp());
    assert_err_pair(
        s.answer_err(r).await,
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
        ),
    );
}

#[tokio::test]
async fn the_answer_needs_no_session_and_tolerates_one() {
    let s = Srp::new().await;
    // Without Session: what pycognito sends (responses() never adds one).
    assert_tokens(&s.sign_in("alice", PASSWORD).await, "alice");
    // With some Session: ignored, the SECRET_BLOCK names the exchange.
    let c = s.initiate("alice").await;
    let mut body = s.answer_body(s.responses(&c, PASSWORD, &s.timestamp()));
    body["Session"] = json!("x".repeat(64));
    let out = s.app.call("RespondToAuthChallenge", body).await;
    assert_tokens(&out, "alice");
}

#[tokio::test]
async fn missing_members_are_named() {
    let s = Srp::new().await;
    s
        .app.assert_call_err("InitiateAuth", json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": s.client_id, "AuthParameters": {"USERNAME": "alice"}}), "InvalidParameterException", "Missing required parameter SRP_A").await;
    let c = s.initiate("alice").await;
    for name in [
        "USERNAME",
        "PASSWORD_CLAIM_SECRET_BLOCK",
        "PASSWORD_CLAIM_SIGNATURE",
        "TIMESTAMP",
    ] {
        let mut r = s.responses(&c, PASSWORD, &s.timestamp());
        r.as_object_mut().map(|m| m.remove(name));
        assert_err_pair(
            s.answer_err(r).await,
            (
                "InvalidParameterException",
                &format!("Missing required parameter {name}"),
            ),
        );
    }
    // Those refusals did not use the exchange up.
    assert_tokens(&s.answer(&c, PASSWORD).await, "alice");
}

#[tokio::test]
async fn a_client_without_the_srp_flow_is_refused() {
    let s = Srp::new().await;
    let c = s
        .app
        .create_client_with(json!({
            "UserPoolId": s.pool_id, "ClientName": "no-srp",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        }))
        .await;
    s
        .app.assert_call_err("InitiateAuth", json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": c["ClientId"], "AuthParameters": {"USERNAME": "alice", "SRP_A": "02"}}), "InvalidParameterException", "Auth flow not enabled for this client").await;
}

#[tokio::test]
async fn a_force_change_password_user_gets_new_password_required_after_srp() {
    let s = Srp::new().await;
    s.add_user("bob", false).await;
    let out = s.sign_in("bob", PASSWORD).await;
    assert_eq!(out["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{out}");
    assert_eq!(out["ChallengeParameters"]["USER_ID_FOR_SRP"], "bob");
    let session = out["Session"]
        .as_str()
        .expect("a Session for the next challenge");
    let done = s
        .app
        .call(
            "RespondToAuthChallenge",
            json!({
                "ClientId": s.client_id,
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": session,
                "ChallengeResponses": {"USERNAME": "bob", "NEW_PASSWORD": NEW_PASSWORD}
            }),
        )
        .await;
    assert_tokens(&done, "bob");
    // The new password now works with SRP, the temporary one does not.
    assert_tokens(&s.sign_in("bob", NEW_PASSWORD).await, "bob");
    assert_err_pair(s.sign_in_err("bob", PASSWORD).await, INCORRECT);
}

#[tokio::test]
async fn an_unknown_user_with_existence_errors_prevented_fails_only_at_the_signature() {
    let s = Srp::new().await;
    let hiding = s
        .app
        .create_client_with(json!({
            "UserPoolId": s.pool_id, "ClientName": "hiding", "PreventUserExistenceErrors": "ENABLED",
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        }))
        .await;
    let s = Srp {
        client_id: hiding["ClientId"].as_str().unwrap_or_default().to_string(),
        ..s
    };
    let nobody = s.initiate("nobody").await;
    let again = s.initiate("nobody").await;
    let other = s.initiate("somebody-else").await;
    let real = s.initiate("alice").await;
    let id = nobody.param("USER_ID_FOR_SRP");
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_eq!(nobody.param("USERNAME"), id);
    // The same salt and id for the same name, as Cognito promises; others differ.
    assert_eq!(again.param("SALT"), nobody.param("SALT"));
    assert_eq!(again.param("USER_ID_FOR_SRP"), id);
    assert_ne!(again.param("SRP_B"), nobody.param("SRP_B"));
    assert_ne!(other.param("SALT"), nobody.param("SALT"));
    assert_ne!(other.param("USER_ID_FOR_SRP"), id);
    // Shaped like a real challenge.
    let keys = |c: &Challenge| {
        let mut k: Vec<String> = c
            .params
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    };
    assert_eq!(keys(&nobody), keys(&real));
    assert!(!nobody.param("SALT").starts_with("00"));
    for c in [&nobody, &again] {
        assert_err_pair(
            s.answer_err(s.responses(c, PASSWORD, &s.timestamp())).await,
            INCORRECT,
        );
    }
    // Answering with the name typed instead of the id fails the same way.
    let c = s.initiate("nobody").await;
    let mut r = s.responses(&c, PASSWORD, &s.timestamp());
    r["USERNAME"] = json!("nobody");
    assert_err_pair(s.answer_err(r).await, INCORRECT);
    // The real user on the same client still signs in, and fails with the same text.
    assert_tokens(&s.answer(&real, PASSWORD).await, "alice");
    assert_err_pair(s.sign_in_err("alice", "wrong").await, INCORRECT);
}

#[tokio::test]
async fn an_unknown_user_with_legacy_errors_is_refused_at_initiate_auth() {
    let s = Srp::new().await;
    let a = srp_a(&srp_secret());
    assert_err_pair(
        s.initiate_err("nobody", &a).await,
        ("UserNotFoundException", "User does not exist."),
    );
}

#[tokio::test]
async fn unconfirmed_disabled_and_locked_out_users_are_refused_at_initiate_auth() {
    let s = Srp::new().await;
    let a = srp_a(&srp_secret());
    s.app
        .call(
            "SignUp",
            json!({"ClientId": s.client_id, "Username": "carol", "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": "carol@example.com"}]}),
        )
        .await;
    assert_err_pair(
        s.initiate_err("carol", &a).await,
        ("UserNotConfirmedException", "User is not confirmed."),
    );
    s.app
        .call(
            "AdminDisableUser",
            json!({"UserPoolId": s.pool_id, "Username": "alice"}),
        )
        .await;
    assert_err_pair(
        s.initiate_err("alice", &a).await,
        ("NotAuthorizedException", "User is disabled."),
    );
    s.app
        .call(
            "AdminEnableUser",
            json!({"UserPoolId": s.pool_id, "Username": "alice"}),
        )
        .await;
    for _ in 0..5 {
        assert_err_pair(s.sign_in_err("alice", "wrong").await, INCORRECT);
    }
    assert_err_pair(
        s.initiate_err("alice", &a).await,
        ("NotAuthorizedException", "Password attempts exceeded"),
    );
    // The lock after five failures lasts one second; then the right password works.
    s.app.advance_clock(2).await;
    assert_tokens(&s.sign_in("alice", PASSWORD).await, "alice");
}

#[tokio::test]
async fn a_user_disabled_between_challenge_and_answer_is_refused() {
    let s = Srp::new().await;
    let c = s.initiate("alice").await;
    s.app
        .call(
            "AdminDisableUser",
            json!({"UserPoolId": s.pool_id, "Username": "alice"}),
        )
        .await;
    assert_err_pair(
        s.answer_err(s.responses(&c, PASSWORD, &s.timestamp()))
            .await,
        ("NotAuthorizedException", "User is disabled."),
    );
}

#[tokio::test]
async fn an_alias_signs_in_as_the_internal_username() {
    let s = Srp::with_pool(json!({"PoolName": "alias", "AliasAttributes": ["email"]})).await;
    s.add_user_with("alice", "Alice.Smith@example.com", true)
        .await;
    let c = s.initiate("alice.smith@example.com").await;
    assert_eq!(c.param("USER_ID_FOR_SRP"), "alice");
    assert_eq!(c.param("USERNAME"), "alice");
    assert_tokens(&s.answer(&c, PASSWORD).await, "alice");
    // Echoing the alias as USERNAME is accepted too (it resolves to the same user).
    let c = s.initiate("alice.smith@example.com").await;
    let mut r = s.responses(&c, PASSWORD, &s.timestamp());
    r["USERNAME"] = json!("alice.smith@example.com");
    let out = s.app.call("RespondToAuthChallenge", s.answer_body(r)).await;
    assert_tokens(&out, "alice");
    // Another user's name is not.
    s.add_user("bob", true).await;
    let c = s.initiate("alice").await;
    let mut r = s.responses(&c, PASSWORD, &s.timestamp());
    r["USERNAME"] = json!("bob");
    assert_err_pair(
        s.answer_err(r).await,
        ("NotAuthorizedException", "Invalid session for the user."),
    );
}

#[tokio::test]
async fn an_email_username_pool_uses_the_generated_internal_username() {
    let s = Srp::with_pool(json!({"PoolName": "email", "UsernameAttributes": ["email"]})).await;
    s.add_user_with("dave@example.com", "dave@example.com", true)
        .await;
    let c = s.initiate("dave@example.com").await;
    let internal = c.param("USER_ID_FOR_SRP");
    assert!(uuid::Uuid::parse_str(&internal).is_ok(), "{internal}");
    let out = s.answer(&c, PASSWORD).await;
    assert_tokens(&out, &internal);
}

#[tokio::test]
async fn a_client_with_a_secret_needs_secret_hash_on_both_steps() {
    let mut s = Srp::with_pool(json!({"PoolName": "alias", "AliasAttributes": ["email"]})).await;
    s.add_user("alice", true).await;
    let (id, secret) = s.app.create_client_with_secret(&s.pool_id).await;
    s.client_id = id;
    s.secret = Some(secret);
    // Typed as the alias: SECRET_HASH over the alias at InitiateAuth, over USER_ID_FOR_SRP after.
    let c = s.initiate("alice@example.com").await;
    assert_tokens(&s.answer(&c, PASSWORD).await, "alice");

    let a = srp_a(&srp_secret());
    let mut body = s.initiate_body("alice", &a);
    body["AuthParameters"]
        .as_object_mut()
        .map(|m| m.remove("SECRET_HASH"));
    let (_, code, message) = s.app.call_err("InitiateAuth", body).await;
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        message,
        format!(
            "Client {} is configured for secret but secret was not received",
            s.client_id
        )
    );
    let c = s.initiate("alice").await;
    let mut r = s.responses(&c, PASSWORD, &s.timestamp());
    r["SECRET_HASH"] = json!(secret_hash::compute("wrong", "alice", &s.client_id));
    let wrong_hash = format!("Unable to verify secret hash for client {}", s.client_id);
    assert_err_pair(
        s.answer_err(r).await,
        ("NotAuthorizedException", &wrong_hash),
    );
    // A SECRET_HASH refusal comes before the exchange is used.
    assert_tokens(&s.answer(&c, PASSWORD).await, "alice");
}

#[tokio::test]
async fn the_same_password_serves_srp_and_user_password_auth() {
    let s = Srp::new().await;
    assert_tokens(&s.sign_in("alice", PASSWORD).await, "alice");
    let out = s
        .app
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id,
                   "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
        )
        .await;
    assert_tokens(&out, "alice");
}

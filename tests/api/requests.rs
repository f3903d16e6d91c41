//! `/_emulator/requests`: the request log of JSON 1.1 and OAuth 2.0 calls, newest first, with its
//! filters, the fault that applied, and nothing secret in it.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "Sup3r-Secret-Passw0rd!";

async fn log(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, _, body) = app.get(&format!("/_emulator/requests{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["requests"].as_array().cloned().expect("requests")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_logged_newest_first_with_names_outcomes_and_faults_but_no_secrets() {
    let app = spawn_app().await;
    let pool = app.create_pool("logged").await;
    let client = app
        .client_with_flows(
            &pool,
            &["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        .await;
    app.confirmed_user(&pool, "alice", PASSWORD, &[]).await;
    let tokens = app.password_sign_in(&client, "alice", PASSWORD).await;
    let access = tokens.access_token().expect("AccessToken").to_string();
    let refresh = tokens.refresh_token().expect("RefreshToken").to_string();
    let (_, kind, _) = app
        .call_err(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Wr0ng-Passw0rd!"}}),
        )
        .await;
    assert_eq!(kind, "NotAuthorizedException");
    app.call("GetUser", json!({"AccessToken": access})).await;
    let (status, rule) = app
        .post_json(
            "/_emulator/faults",
            json!({"operation": "AdminGetUser", "error": {"type": "TooManyRequestsException"}, "count": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    let (status, _, _) = app
        .raw(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "alice"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // An OAuth 2.0 call: a code that does not exist.
    let resp = app
        .http
        .post(app.url("/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client.as_str()),
            ("code", "not-a-code"),
            ("redirect_uri", "https://example.com/cb"),
        ])
        .send()
        .await
        .expect("token endpoint");
    let token_status = resp.status().as_u16();
    let token_error: Value = resp.json().await.expect("JSON error");

    let all = log(&app, "").await;
    let newest = &all[0];
    assert_eq!(newest["operation"], "oauth2/token");
    assert_eq!(newest["clientId"], client.as_str());
    assert_eq!(newest["userPoolId"], pool.as_str());
    assert_eq!(newest["status"], token_status);
    assert_eq!(newest["errorType"], token_error["error"]);
    assert_eq!(newest["faultId"], Value::Null);

    let faulted = &all[1];
    assert_eq!(faulted["operation"], "AdminGetUser");
    assert_eq!(faulted["userPoolId"], pool.as_str());
    assert_eq!(faulted["username"], "alice");
    assert_eq!(faulted["status"], 400);
    assert_eq!(faulted["errorType"], "TooManyRequestsException");
    assert_eq!(faulted["faultId"], rule["id"]);
    assert_eq!(all[2]["operation"], "GetUser");
    assert_eq!(all[2]["status"], 200);
    assert_eq!(all[2]["errorType"], Value::Null);

    let auth = log(&app, "?operation=InitiateAuth").await;
    assert_eq!(auth.len(), 2, "{auth:?}");
    assert_eq!(
        (&auth[0]["status"], &auth[0]["errorType"]),
        (&json!(400), &json!("NotAuthorizedException"))
    );
    assert_eq!(
        (&auth[1]["status"], &auth[1]["errorType"]),
        (&json!(200), &Value::Null)
    );
    for a in &auth {
        assert_eq!(a["username"], "alice");
        assert_eq!(a["clientId"], client.as_str());
        assert!(a["latencyMs"].is_u64());
        assert!(
            chrono::DateTime::parse_from_rfc3339(a["time"].as_str().unwrap_or_default()).is_ok()
        );
    }
    let errors = log(&app, "?status=400").await;
    assert!(errors.iter().all(|r| r["status"] == 400));
    assert_eq!(
        errors.len(),
        all.iter().filter(|r| r["status"] == 400).count()
    );
    assert_eq!(log(&app, "?limit=2").await, all[..2].to_vec());
    assert_eq!(
        log(&app, "?operation=AdminGetUser&status=400&limit=5").await,
        vec![faulted.clone()]
    );

    // Nothing secret: no password, token or code, in any call.
    let text = serde_json::to_string(&all).expect("JSON");
    for secret in [PASSWORD, "Wr0ng-Passw0rd!", &access, &refresh, "not-a-code"] {
        assert!(!text.contains(secret), "the log holds a secret: {text}");
    }
}

#[tokio::test]
async fn the_log_is_bounded_and_bad_queries_answer_400() {
    let app = spawn_app().await;
    for _ in 0..1005 {
        app.raw("ListUserPools", json!({"MaxResults": 1})).await;
    }
    assert_eq!(log(&app, "?limit=1000").await.len(), 1000);
    assert_eq!(log(&app, "").await.len(), 100);
    for (query, message) in [
        (
            "?stauts=200",
            "unknown query parameter \"stauts\"; the request log knows limit, operation, status",
        ),
        ("?limit=0", "limit \"0\" is not a number from 1 to 1000"),
        (
            "?limit=1001",
            "limit \"1001\" is not a number from 1 to 1000",
        ),
        (
            "?status=abc",
            "status \"abc\" is not an HTTP status (100-599)",
        ),
    ] {
        let (status, _, body) = app.get(&format!("/_emulator/requests{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body, json!({"error": message}), "{query}");
    }
}

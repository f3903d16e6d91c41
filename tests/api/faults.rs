//! `/_emulator/faults`: injected errors and latency, written like real answers, matched by
//! operation, pool, client and user (any name the user goes by), limited by count.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn add_rule(app: &TestApp, rule: Value) -> Value {
    let (status, body) = app.post_json("/_emulator/faults", rule).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

#[tokio::test]
async fn injected_error_is_written_like_a_real_one_and_spends_its_count() {
    let app = spawn_app().await;
    let pool = app.create_pool("faults").await;
    let client = app
        .client_with_flows(
            &pool,
            &["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        .await;
    app.confirmed_user(&pool, "alice", "Passw0rd!", &[]).await;
    let rule = add_rule(
        &app,
        json!({"operation": "InitiateAuth", "error": {"type": "TooManyRequestsException"}, "count": 2}),
    )
    .await;
    assert_eq!(rule["operation"], "InitiateAuth");
    assert_eq!(rule["remaining"], 2);
    let body = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}});
    for _ in 0..2 {
        let (status, headers, resp) = app.raw("InitiateAuth", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            resp,
            json!({"__type": "TooManyRequestsException", "message": "Rate exceeded"})
        );
        assert_eq!(headers["x-amzn-errortype"], "TooManyRequestsException:");
    }
    let ok = app.call("InitiateAuth", body).await;
    assert!(ok["AuthenticationResult"]["AccessToken"].is_string());
    let (_, _, list) = app.get("/_emulator/faults").await;
    assert_eq!(list["faults"][0]["hits"], 2);
    assert_eq!(list["faults"][0]["remaining"], 0);
}

#[tokio::test]
async fn a_5xx_status_and_message_are_taken_as_given() {
    let app = spawn_app().await;
    let pool = app.create_pool("faults5xx").await;
    add_rule(
        &app,
        json!({"operation": "*", "userPoolId": pool,
            "error": {"type": "InternalErrorException", "message": "boom", "status": 503}}),
    )
    .await;
    let (status, headers, resp) = app
        .raw("DescribeUserPool", json!({"UserPoolId": pool}))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        resp,
        json!({"__type": "InternalErrorException", "message": "boom"})
    );
    assert_eq!(headers["x-amzn-errortype"], "InternalErrorException:");
    // Another pool is left alone.
    let other = app.create_pool("untouched").await;
    app.call("DescribeUserPool", json!({"UserPoolId": other}))
        .await;
}

#[tokio::test]
async fn rules_on_one_user_match_every_name_and_leave_others_alone() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({"PoolName": "by-email", "UsernameAttributes": ["email"]}))
        .await;
    let client = app
        .client_with_flows(
            &pool,
            &["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        .await;
    for who in ["alice", "bob"] {
        let email = format!("{who}@example.com");
        app.confirmed_user(
            &pool,
            &email,
            "Passw0rd!",
            &[("email", &email), ("email_verified", "true")],
        )
        .await;
    }
    // The rule names the email; the stored username is the sub.
    add_rule(
        &app,
        json!({"operation": "*", "username": "alice@example.com",
            "error": {"type": "InternalErrorException"}}),
    )
    .await;
    let auth = |who: &str| {
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
            "AuthParameters": {"USERNAME": format!("{who}@example.com"), "PASSWORD": "Passw0rd!"}})
    };
    let bob = app.call("InitiateAuth", auth("bob")).await;
    let (status, code, _) = app.call_err("InitiateAuth", auth("alice")).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, "InternalErrorException")
    );
    // Bob's access token calls pass; Alice's sub, as AdminGetUser's Username, is hers too.
    let token = bob["AuthenticationResult"]["AccessToken"]
        .as_str()
        .expect("token");
    app.call("GetUser", json!({"AccessToken": token})).await;
    let users = app
        .call(
            "ListUsers",
            json!({"UserPoolId": pool, "Filter": "email = \"alice@example.com\""}),
        )
        .await;
    let sub = users["Users"][0]["Username"]
        .as_str()
        .expect("sub")
        .to_string();
    let (_, code, _) = app
        .call_err("AdminGetUser", json!({"UserPoolId": pool, "Username": sub}))
        .await;
    assert_eq!(code, "InternalErrorException");
    // Removing the rule lets Alice in.
    let (_, _, list) = app.get("/_emulator/faults").await;
    let id = list["faults"][0]["id"].as_str().expect("id").to_string();
    let resp = app
        .http
        .delete(app.url(&format!("/_emulator/faults/{id}")))
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status(), StatusCode::OK);
    app.call("InitiateAuth", auth("alice")).await;
    let resp = app
        .http
        .delete(app.url(&format!("/_emulator/faults/{id}")))
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn latency_is_added_before_the_operation() {
    let app = spawn_app().await;
    let pool = app.create_pool("slow").await;
    add_rule(
        &app,
        json!({"operation": "DescribeUserPool", "latencyMs": 400, "count": 1}),
    )
    .await;
    let started = std::time::Instant::now();
    app.call("DescribeUserPool", json!({"UserPoolId": pool}))
        .await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));
    let started = std::time::Instant::now();
    app.call("DescribeUserPool", json!({"UserPoolId": pool}))
        .await;
    assert!(started.elapsed() < std::time::Duration::from_millis(400));
}

#[tokio::test]
async fn oauth_endpoints_take_rules() {
    let app = spawn_app().await;
    add_rule(
        &app,
        json!({"operation": "oauth2/token", "error": {"type": "temporarily_unavailable"}, "count": 1}),
    )
    .await;
    let resp = app
        .http
        .post(app.url("/oauth2/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", "nope")])
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "temporarily_unavailable");
    // Spent: the endpoint's own answer comes back.
    let resp = app
        .http
        .post(app.url("/oauth2/token"))
        .form(&[("grant_type", "client_credentials"), ("client_id", "nope")])
        .send()
        .await
        .expect("token");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn bad_rules_answer_400_with_what_is_wrong() {
    let app = spawn_app().await;
    for (rule, want) in [
        (
            json!({"operation": "InitiateAuthh", "latencyMs": 1}),
            "unknown operation",
        ),
        (
            json!({"operation": "InitiateAuth", "usename": "a", "latencyMs": 1}),
            "unknown field `usename`",
        ),
        (
            json!({"operation": "InitiateAuth", "error": {"type": "GroupExistsException"}}),
            "not an exception of InitiateAuth",
        ),
        (
            json!({"operation": "InitiateAuth", "probability": 2, "latencyMs": 1}),
            "probability",
        ),
        (
            json!({"operation": "InitiateAuth", "error": {"type": "TooManyRequestsException", "status": 200}}),
            "400..=599",
        ),
        (json!([1]), "bad fault rule"),
    ] {
        let (status, body) = app.post_json("/_emulator/faults", rule.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{rule}");
        let msg = body["error"].as_str().unwrap_or_default();
        assert!(msg.contains(want), "{rule}: {msg}");
    }
    // Reset and DELETE /faults clear every rule.
    add_rule(&app, json!({"operation": "GetUser", "latencyMs": 1})).await;
    let resp = app
        .http
        .delete(app.url("/_emulator/faults"))
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status(), StatusCode::OK);
    let (_, _, list) = app.get("/_emulator/faults").await;
    assert_eq!(list["faults"], json!([]));
    add_rule(&app, json!({"operation": "GetUser", "latencyMs": 1})).await;
    app.post_json("/_emulator/reset", json!({})).await;
    let (_, _, list) = app.get("/_emulator/faults").await;
    assert_eq!(list["faults"], json!([]));
}

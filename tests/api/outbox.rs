//! `/_emulator/messages`: filters (an alias or the sub finds a user's messages), 400 on unknown
//! parameters, `latest`, `wait`, and the invitation's `temporaryPassword`.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

async fn email_pool(app: &TestApp) -> (String, String) {
    let pool = app
        .create_pool_with(
            json!({"PoolName": "outbox", "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"]}),
        )
        .await;
    let client = app
        .client_with_flows(
            &pool,
            &["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        .await;
    (pool, client)
}

async fn sign_up(app: &TestApp, client: &str, email: &str) -> String {
    let out = app
        .call(
            "SignUp",
            json!({"ClientId": client, "Username": email, "Password": "Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": email}]}),
        )
        .await;
    out["UserSub"].as_str().expect("UserSub").to_string()
}

#[tokio::test]
async fn username_matches_alias_and_sub_and_filters_combine() {
    let app = spawn_app().await;
    let (pool, client) = email_pool(&app).await;
    let sub = sign_up(&app, &client, "fred@example.com").await;
    sign_up(&app, &client, "ann@example.com").await;
    let by_email = app.messages("username=fred@example.com").await;
    assert_eq!(by_email.len(), 1);
    assert_eq!(by_email[0]["destination"], "fred@example.com");
    assert_eq!(app.messages(&format!("username={sub}")).await, by_email);
    assert_eq!(app.messages("username=FRED@example.com").await, by_email);
    assert_eq!(app.messages("destination=ann@example.com").await.len(), 1);
    assert_eq!(
        app.messages(&format!("userPoolId={pool}&purpose=SIGN_UP"))
            .await
            .len(),
        2
    );
    // since= a message id: only later ones; since= a time.
    let first_id = app.messages("").await[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let later = app.messages(&format!("since={first_id}")).await;
    assert_eq!(later.len(), 1);
    assert_eq!(later[0]["destination"], "ann@example.com");
    assert_eq!(app.messages("since=2000-01-01T00:00:00Z").await.len(), 2);
    assert_eq!(app.messages("since=2999-01-01T00:00:00Z").await.len(), 0);
}

#[tokio::test]
async fn unknown_parameters_and_bad_values_answer_400() {
    let app = spawn_app().await;
    for (q, want) in [
        ("usename=fred", "unknown query parameter \"usename\""),
        ("since=not-an-id", "neither a message id"),
        ("wait=31", "wait must be"),
        ("wait=-1", "wait must be"),
    ] {
        let (status, _, body) = app.get(&format!("/_emulator/messages?{q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
        let msg = body["error"].as_str().unwrap_or_default();
        assert!(msg.contains(want), "{q}: {msg}");
    }
    let (_, _, body) = app.get("/_emulator/messages?usename=fred").await;
    assert!(body["error"]
        .as_str()
        .unwrap_or_default()
        .contains("userPoolId, username"));
    let (status, _, _) = app.get("/_emulator/messages/latest?usename=fred").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn latest_and_wait() {
    let app = spawn_app().await;
    let (_, client) = email_pool(&app).await;
    let (status, _, _) = app
        .get("/_emulator/messages/latest?username=fred@example.com")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    sign_up(&app, &client, "fred@example.com").await;
    app.call(
        "ResendConfirmationCode",
        json!({"ClientId": client, "Username": "fred@example.com"}),
    )
    .await;
    let all = app.messages("username=fred@example.com").await;
    let (status, _, latest) = app
        .get("/_emulator/messages/latest?username=fred@example.com")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(latest, all[1]);
    assert_eq!(latest["purpose"], "RESEND_CONFIRMATION");

    // A waiting reader is woken by the message written meanwhile.
    let waiter = {
        let http = app.http.clone();
        let url = app.url("/_emulator/messages/latest?username=ann@example.com&wait=10");
        tokio::spawn(async move { http.get(url).send().await.expect("answer") })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    sign_up(&app, &client, "ann@example.com").await;
    let resp = waiter.await.expect("joined");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["destination"], "ann@example.com");
    // Nothing comes: the wait ends with the empty answer.
    let (status, _, body) = app.get("/_emulator/messages?username=nobody&wait=1").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"messages": []})));
}

#[tokio::test]
async fn invitations_carry_the_temporary_password() {
    let app = spawn_app().await;
    let pool = app.create_pool("invite").await;
    app.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "ivy", "TemporaryPassword": "Temp-Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": "ivy@example.com"}],
            "DesiredDeliveryMediums": ["EMAIL"]}),
    )
    .await;
    let (_, _, m) = app
        .get("/_emulator/messages/latest?username=ivy&purpose=INVITATION")
        .await;
    assert_eq!(m["temporaryPassword"], "Temp-Passw0rd!");
    assert_eq!(m["code"], serde_json::Value::Null);
}

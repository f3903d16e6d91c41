//! `/_emulator/snapshots`: save → change → restore gives back the state the API shows (users,
//! codes, sessions, the outbox, the clock), list and delete, 400 on bad names and 404 on unknown
//! ones.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "Passw0rd!";

async fn delete(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let resp = app
        .http
        .delete(app.url(path))
        .send()
        .await
        .expect("the emulator answers");
    let status = resp.status();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// Everything the API shows of the pool that a restore must give back exactly.
async fn view(app: &TestApp, pool: &str) -> Value {
    let users = app.call("ListUsers", json!({"UserPoolId": pool})).await;
    let alice = app
        .call(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "alice"}),
        )
        .await;
    let groups = app.call("ListGroups", json!({"UserPoolId": pool})).await;
    let in_group = app
        .call(
            "ListUsersInGroup",
            json!({"UserPoolId": pool, "GroupName": "staff"}),
        )
        .await;
    let clients = app
        .call(
            "ListUserPoolClients",
            json!({"UserPoolId": pool, "MaxResults": 60}),
        )
        .await;
    let pools = app.call("ListUserPools", json!({"MaxResults": 60})).await;
    json!({"users": users, "alice": alice, "groups": groups, "inGroup": in_group,
        "clients": clients, "pools": pools, "messages": app.messages("").await})
}

async fn clock(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    let (_, _, body) = app.get("/_emulator/clock").await;
    chrono::DateTime::parse_from_rfc3339(body["now"].as_str().expect("now"))
        .expect("RFC 3339")
        .with_timezone(&chrono::Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_gives_back_users_codes_sessions_and_the_clock() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({"PoolName": "snap", "AutoVerifiedAttributes": ["email"]}))
        .await;
    let client = app
        .client_with_flows(
            &pool,
            &["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        .await;
    app.confirmed_email_user(&pool, "alice", PASSWORD).await;
    app.call(
        "CreateGroup",
        json!({"UserPoolId": pool, "GroupName": "staff"}),
    )
    .await;
    app.call(
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool, "Username": "alice", "GroupName": "staff"}),
    )
    .await;
    // A pending confirmation code, and a sign-in waiting at NEW_PASSWORD_REQUIRED.
    app.call(
        "SignUp",
        json!({"ClientId": client, "Username": "olive", "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": "olive@example.com"}]}),
    )
    .await;
    let code = app
        .last_code("olive", Some("SIGN_UP"))
        .await
        .expect("a sign-up code");
    app.email_user(&pool, "frank", PASSWORD).await;
    // A clock away from real time, which the restore must bring back.
    app.advance_clock(3600).await;
    let challenge = app
        .call(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "frank", "PASSWORD": PASSWORD}}),
        )
        .await;
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let session = challenge["Session"].as_str().expect("Session").to_string();

    let before = view(&app, &pool).await;
    let clock_before = clock(&app).await;
    let (status, saved) = app
        .post_json("/_emulator/snapshots/before-changes", json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    assert_eq!(saved["name"], "before-changes");

    // Change everything: users deleted, added, confirmed, attributes, the session used, a new
    // pool, the clock two days on (past the code's and the session's lifetimes).
    app.call(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": pool, "Username": "alice",
            "UserAttributes": [{"Name": "name", "Value": "Changed"}]}),
    )
    .await;
    app.call(
        "AdminRemoveUserFromGroup",
        json!({"UserPoolId": pool, "Username": "alice", "GroupName": "staff"}),
    )
    .await;
    app.call(
        "ConfirmSignUp",
        json!({"ClientId": client, "Username": "olive", "ConfirmationCode": code}),
    )
    .await;
    app.call(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session,
            "ChallengeResponses": {"USERNAME": "frank", "NEW_PASSWORD": "N3w-Passw0rd!"}}),
    )
    .await;
    app.call(
        "SignUp",
        json!({"ClientId": client, "Username": "bob", "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}),
    )
    .await;
    app.call("CreateUserPool", json!({"PoolName": "later"}))
        .await;
    app.call(
        "AdminDeleteUser",
        json!({"UserPoolId": pool, "Username": "alice"}),
    )
    .await;
    app.advance_clock(2 * 86400).await;
    let (status, _, _) = app
        .raw(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "alice"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, restored) = app
        .post_json("/_emulator/snapshots/before-changes/restore", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(view(&app, &pool).await, before);
    let drift = (clock(&app).await - clock_before).num_seconds();
    assert!((0..60).contains(&drift), "the clock is back: {drift}s");

    // The code and the session taken before the snapshot work again.
    app.call(
        "ConfirmSignUp",
        json!({"ClientId": client, "Username": "olive", "ConfirmationCode": code}),
    )
    .await;
    let done = app
        .call(
            "RespondToAuthChallenge",
            json!({"ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": session,
                "ChallengeResponses": {"USERNAME": "frank", "NEW_PASSWORD": "N3w-Passw0rd!"}}),
        )
        .await;
    assert!(
        done["AuthenticationResult"]["IdToken"].is_string(),
        "{done}"
    );
    // Tokens are signed with the restored pool's keys.
    app.password_sign_in(&client, "alice", PASSWORD).await;
    // New messages continue the outbox where the snapshot left it.
    app.call(
        "ForgotPassword",
        json!({"ClientId": client, "Username": "alice"}),
    )
    .await;
    let messages = app.messages("").await;
    let ids: std::collections::HashSet<_> = messages.iter().map(|m| m["id"].clone()).collect();
    assert_eq!(ids.len(), messages.len(), "message ids stay unique");

    // Restoring twice gives the same state again.
    let (status, _) = app
        .post_json("/_emulator/snapshots/before-changes/restore", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view(&app, &pool).await, before);
}

#[tokio::test]
async fn snapshots_list_delete_and_refuse_bad_names() {
    let app = spawn_app().await;
    let (_, _, empty) = app.get("/_emulator/snapshots").await;
    assert_eq!(empty, json!({"snapshots": []}));
    for name in ["b.2", "a_1-x"] {
        let (status, body) = app
            .post_json(&format!("/_emulator/snapshots/{name}"), json!({}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert!(body["createdAt"].is_string());
    }
    let (status, _, list) = app.get("/_emulator/snapshots").await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<_> = list["snapshots"]
        .as_array()
        .expect("snapshots")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["a_1-x", "b.2"]);
    assert!(list["snapshots"][0]["createdAt"]
        .as_str()
        .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()));

    assert_eq!(
        delete(&app, "/_emulator/snapshots/b.2").await.0,
        StatusCode::OK
    );
    let (status, body) = delete(&app, "/_emulator/snapshots/b.2").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"error": "no snapshot b.2"}));
    let (status, body) = app
        .post_json("/_emulator/snapshots/nothing/restore", json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let long = "x".repeat(65);
    for bad in ["a%20b", "caf%C3%A9", "a:b", long.as_str()] {
        let (status, body) = app
            .post_json(&format!("/_emulator/snapshots/{bad}"), json!({}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|m| m.contains("1 to 64 characters")),
            "{body}"
        );
        let (status, _) = delete(&app, &format!("/_emulator/snapshots/{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let ok64 = "y".repeat(64);
    let (status, _) = app
        .post_json(&format!("/_emulator/snapshots/{ok64}"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Reset keeps the saved snapshots: a suite can reset and restore.
    app.post_json("/_emulator/reset", json!({})).await;
    let (_, _, list) = app.get("/_emulator/snapshots").await;
    assert_eq!(list["snapshots"].as_array().map(Vec::len), Some(2));
}

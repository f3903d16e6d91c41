//! `/_emulator/reset` with `reseed`, and the clock's bounds: bad input to the state endpoints is
//! a 400 with a message, never a panic or a half-applied change.

use crate::helpers::*;
use cognito_emulator::Config;
use reqwest::StatusCode;
use serde_json::json;
use std::path::PathBuf;

fn seeded() -> Config {
    let mut c = Config::for_tests();
    c.seed = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/example.yaml"));
    c
}

#[tokio::test]
async fn reset_with_reseed_brings_the_seed_back_and_plain_reset_wipes_it() {
    let app = spawn_app_with(seeded()).await;
    let pool = "us-east-1_Example01";
    let before = app.call("ListUsers", json!({"UserPoolId": pool})).await;
    let before_clients = app
        .call(
            "ListUserPoolClients",
            json!({"UserPoolId": pool, "MaxResults": 60}),
        )
        .await;
    app.call("CreateUserPool", json!({"PoolName": "extra"}))
        .await;
    let first = before["Users"][0]["Username"]
        .as_str()
        .expect("a seeded user")
        .to_string();
    app.call(
        "AdminDeleteUser",
        json!({"UserPoolId": pool, "Username": first}),
    )
    .await;

    let (status, body) = app
        .post_json("/_emulator/reset", json!({"reseed": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = app.call("ListUsers", json!({"UserPoolId": pool})).await;
    let names = |v: &serde_json::Value| {
        let mut n: Vec<String> = v["Users"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|u| format!("{}:{}", u["Username"], u["UserStatus"]))
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(&after), names(&before));
    // Cognito promises no order, and clients seeded within one clock tick list by id: compare
    // the sets.
    let clients = |v: &serde_json::Value| {
        let mut c: Vec<String> = v["UserPoolClients"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c.to_string())
            .collect();
        c.sort();
        c
    };
    let after_clients = app
        .call(
            "ListUserPoolClients",
            json!({"UserPoolId": pool, "MaxResults": 60}),
        )
        .await;
    assert_eq!(clients(&after_clients), clients(&before_clients));
    let pools = app.call("ListUserPools", json!({"MaxResults": 60})).await;
    assert!(!pools.to_string().contains("\"extra\""), "{pools}");

    // Plain reset keeps its meaning: everything goes, the seed too.
    let (status, _) = app.post_json("/_emulator/reset", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, code, _) = app
        .call_err("DescribeUserPool", json!({"UserPoolId": pool}))
        .await;
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn reset_rejects_bad_bodies_and_reseed_without_a_seed_file() {
    let app = spawn_app().await;
    let pool = app.create_pool("kept").await;
    for (body, want) in [
        (json!({"reseed": true}), "--seed"),
        (json!({"reseeed": true}), "unknown field"),
        (json!({"reseed": "yes"}), "expected"),
    ] {
        let (status, resp) = app.post_json("/_emulator/reset", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            resp["error"].as_str().unwrap_or_default().contains(want),
            "{body}: {resp}"
        );
    }
    // Nothing was wiped by the refused requests.
    app.call("DescribeUserPool", json!({"UserPoolId": pool}))
        .await;
}

#[tokio::test]
async fn the_clock_stays_between_1970_and_9999() {
    let app = spawn_app().await;
    let (_, _, before) = app.get("/_emulator/clock").await;
    for body in [
        json!({"advanceSeconds": i64::MAX}),
        json!({"advanceSeconds": i64::MIN}),
        json!({"advanceSeconds": -4_000_000_000i64}),
        json!({"set": "-1142-01-01T00:00:00Z"}),
        json!({"set": "1969-12-31T23:59:59Z"}),
        json!({"set": "9999-12-31T23:59:59Z", "advanceSeconds": 1}),
        json!({"set": "yesterday"}),
        json!({"advanceSeconds": 1.5}),
        json!({"speed": 2}),
    ] {
        let (status, resp) = app.post_json("/_emulator/clock", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {resp}");
        assert!(resp["error"].is_string(), "{body}: {resp}");
    }
    let (_, resp) = app
        .post_json("/_emulator/clock", json!({"advanceSeconds": i64::MAX}))
        .await;
    assert!(
        resp["error"]
            .as_str()
            .unwrap_or_default()
            .contains("9999-12-31T23:59:59Z"),
        "{resp}"
    );
    // The refused moves left the clock alone.
    let (_, _, now) = app.get("/_emulator/clock").await;
    let at = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v["now"].as_str().unwrap_or_default())
            .expect("RFC 3339")
    };
    assert!((at(&now) - at(&before)).num_seconds().abs() < 60);
    let (status, resp) = app
        .post_json("/_emulator/clock", json!({"set": "9999-12-31T23:00:00Z"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{resp}");
    assert!(resp["now"]
        .as_str()
        .unwrap_or_default()
        .starts_with("9999-12-31T23:00"));
    let (status, _) = app
        .post_json("/_emulator/clock", json!({"reset": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
}

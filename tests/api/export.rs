//! `GET /_emulator/export`: the state as a seed file; a fresh emulator started with `--seed` on it
//! has the same pools, clients, groups and users, and the users sign in with their passwords
//! (exported as SRP verifiers, never as text).

use crate::helpers::*;
use cognito_emulator::crypto::totp;
use cognito_emulator::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "Passw0rd!";

/// What must come back the same: pools, their clients (secrets included), groups, users with
/// status, attributes and groups.
async fn view(app: &TestApp) -> Value {
    let mut out = Vec::new();
    let pools = app.call("ListUserPools", json!({"MaxResults": 60})).await;
    for p in pools["UserPools"].as_array().into_iter().flatten() {
        let id = p["Id"].as_str().unwrap_or_default();
        let mut pool = app
            .call("DescribeUserPool", json!({"UserPoolId": id}))
            .await["UserPool"]
            .clone();
        for volatile in ["CreationDate", "LastModifiedDate"] {
            pool.as_object_mut().map(|o| o.remove(volatile));
        }
        let mut clients = Vec::new();
        let list = app
            .call(
                "ListUserPoolClients",
                json!({"UserPoolId": id, "MaxResults": 60}),
            )
            .await;
        for c in list["UserPoolClients"].as_array().into_iter().flatten() {
            let mut c = app
                .call(
                    "DescribeUserPoolClient",
                    json!({"UserPoolId": id, "ClientId": c["ClientId"]}),
                )
                .await["UserPoolClient"]
                .clone();
            for volatile in ["CreationDate", "LastModifiedDate"] {
                c.as_object_mut().map(|o| o.remove(volatile));
            }
            clients.push(c);
        }
        let groups: Vec<Value> = app.call("ListGroups", json!({"UserPoolId": id})).await["Groups"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|g| json!([g["GroupName"], g["Description"], g["Precedence"]]))
            .collect();
        let mut users = Vec::new();
        let list = app.call("ListUsers", json!({"UserPoolId": id})).await;
        for u in list["Users"].as_array().into_iter().flatten() {
            let name = u["Username"].as_str().unwrap_or_default();
            let member_of = app
                .call(
                    "AdminListGroupsForUser",
                    json!({"UserPoolId": id, "Username": name}),
                )
                .await["Groups"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|g| g["GroupName"].clone())
                .collect::<Vec<_>>();
            let mut attrs: Vec<Value> = u["Attributes"].as_array().cloned().unwrap_or_default();
            attrs.sort_by_key(|a| a["Name"].as_str().unwrap_or_default().to_string());
            users.push(json!({"Username": name, "UserStatus": u["UserStatus"],
                "Enabled": u["Enabled"], "Attributes": attrs, "Groups": member_of}));
        }
        out.push(json!({"pool": pool, "clients": clients, "groups": groups, "users": users}));
    }
    Value::Array(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_state_seeds_a_fresh_emulator_whose_users_still_sign_in() {
    let app = spawn_app().await;
    let pool = app
        .create_pool_with(json!({"PoolName": "exported",
            "Schema": [{"Name": "team", "AttributeDataType": "String", "Mutable": true}],
            "Policies": {"PasswordPolicy": {"MinimumLength": 9}}}))
        .await;
    let client = app
        .client_with_flows(
            &pool,
            &[
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ],
        )
        .await;
    let (secret_client, client_secret) = app.create_client_with_secret(&pool).await;
    app.call(
        "CreateGroup",
        json!({"UserPoolId": pool, "GroupName": "staff", "Description": "the staff", "Precedence": 3}),
    )
    .await;
    app.confirmed_user(
        &pool,
        "alice",
        PASSWORD,
        &[("email", "alice@example.com"), ("custom:team", "blue")],
    )
    .await;
    app.call(
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool, "Username": "alice", "GroupName": "staff"}),
    )
    .await;
    app.create_user(&pool, "temp", PASSWORD, &[]).await;
    app.confirmed_user(&pool, "off", PASSWORD, &[]).await;
    app.call(
        "AdminDisableUser",
        json!({"UserPoolId": pool, "Username": "off"}),
    )
    .await;
    // A user with a verified software token and TOTP preferred, in a pool where MFA is optional.
    app.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool, "MfaConfiguration": "OPTIONAL",
            "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    )
    .await;
    app.confirmed_user(&pool, "tina", PASSWORD, &[]).await;
    let access = app.password_sign_in(&client, "tina", PASSWORD).await;
    let access = access.access_token().expect("AccessToken");
    let secret = app
        .call("AssociateSoftwareToken", json!({"AccessToken": access}))
        .await["SecretCode"]
        .as_str()
        .expect("SecretCode")
        .to_string();
    let code = totp::code_at(&secret, app.state.clock.unix()).expect("a code");
    app.call(
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": code}),
    )
    .await;
    app.call(
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": pool, "Username": "tina",
            "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    )
    .await;
    let email_pool = app
        .create_pool_with(json!({"PoolName": "by-email", "UsernameAttributes": ["email"]}))
        .await;
    let email_client = app
        .client_with_flows(
            &email_pool,
            &[
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ],
        )
        .await;
    app.confirmed_user(&email_pool, "fred@example.com", PASSWORD, &[])
        .await;

    let (status, headers, _) = app.get("/_emulator/export?format=json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[reqwest::header::CONTENT_TYPE]
        .to_str()
        .is_ok_and(|t| t.starts_with("application/json")));
    let resp = app
        .http
        .get(app.url("/_emulator/export"))
        .send()
        .await
        .expect("export");
    assert_eq!(resp.status(), StatusCode::OK);
    let yaml = resp.text().await.expect("text");
    assert!(
        !yaml.contains(PASSWORD),
        "no plaintext password in the export"
    );
    assert!(yaml.contains("PasswordVerifier"));
    let as_json: Value = serde_yaml::from_str(&yaml).expect("YAML");
    assert_eq!(as_json, app.get("/_emulator/export?format=json").await.2);

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("exported.yaml");
    std::fs::write(&path, &yaml).expect("write");
    let fresh = spawn_app_with(Config {
        seed: Some(path),
        ..Config::for_tests()
    })
    .await;
    assert_eq!(view(&fresh).await, view(&app).await);
    let get_tina = json!({"UserPoolId": pool, "Username": "tina"});
    // Creation and modification dates are not part of a seed file.
    let without_dates = |mut v: Value| {
        for k in ["UserCreateDate", "UserLastModifiedDate"] {
            v.as_object_mut().map(|o| o.remove(k));
        }
        v
    };
    let tina = without_dates(app.call("AdminGetUser", get_tina.clone()).await);
    assert_eq!(tina["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(
        without_dates(fresh.call("AdminGetUser", get_tina).await),
        tina
    );
    // tina's software token still answers her TOTP challenge (in the next 30-second step: the
    // one used at enrolment is spent, and the export keeps that too).
    fresh.advance_clock(60).await;
    let challenge = fresh
        .password_auth(&client, "tina", PASSWORD)
        .await
        .expect("InitiateAuth");
    assert_eq!(
        challenge.challenge_name().map(|c| c.as_str()),
        Some("SOFTWARE_TOKEN_MFA")
    );
    let code = totp::code_at(&secret, fresh.state.clock.unix()).expect("a code");
    let done = fresh
        .call(
            "RespondToAuthChallenge",
            json!({"ClientId": client, "ChallengeName": "SOFTWARE_TOKEN_MFA",
                "Session": challenge.session(),
                "ChallengeResponses": {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code}}),
        )
        .await;
    assert!(
        done["AuthenticationResult"]["AccessToken"].is_string(),
        "{done}"
    );

    // The users sign in with their passwords, by USER_PASSWORD_AUTH and SRP.
    let tokens = fresh.password_sign_in(&client, "alice", PASSWORD).await;
    let id = claims(tokens.id_token().expect("IdToken"));
    assert_eq!(id["custom:team"], "blue");
    assert_eq!(id["cognito:groups"], json!(["staff"]));
    let srp = fresh
        .srp_sign_in(&pool, &client, "alice", PASSWORD)
        .await
        .expect("SRP sign-in");
    assert!(srp.authentication_result().is_some());
    assert_sdk_code(
        fresh
            .password_auth(&client, "alice", "Wrong-Passw0rd")
            .await,
        "NotAuthorizedException",
    );
    let fred = fresh
        .srp_sign_in(&email_pool, &email_client, "fred@example.com", PASSWORD)
        .await
        .expect("SRP sign-in by email");
    let fred_id = claims(
        fred.authentication_result()
            .and_then(|r| r.id_token())
            .expect("IdToken"),
    );
    let original = app
        .call(
            "AdminGetUser",
            json!({"UserPoolId": email_pool, "Username": "fred@example.com"}),
        )
        .await;
    assert_eq!(fred_id["sub"], original["Username"], "the sub is kept");
    let temp = fresh
        .password_auth(&client, "temp", PASSWORD)
        .await
        .expect("temp");
    assert_eq!(
        temp.challenge_name().map(|c| c.as_str()),
        Some("NEW_PASSWORD_REQUIRED")
    );
    // The client secret is the same, so SECRET_HASH computed with it is accepted.
    let described = fresh
        .call(
            "DescribeUserPoolClient",
            json!({"UserPoolId": pool, "ClientId": secret_client}),
        )
        .await;
    assert_eq!(
        described["UserPoolClient"]["ClientSecret"],
        client_secret.as_str()
    );
}

#[tokio::test]
async fn export_refuses_unknown_parameters_and_formats() {
    let app = spawn_app().await;
    let (status, _, body) = app.get("/_emulator/export?fromat=json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["error"],
        "unknown query parameter \"fromat\"; export knows format"
    );
    let (status, _, body) = app.get("/_emulator/export?format=xml").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "format \"xml\" is not yaml or json");
    let (status, _, body) = app.get("/_emulator/export?format=json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"UserPools": []}));
}

#[tokio::test]
async fn a_bad_password_verifier_or_sub_in_a_seed_file_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (user, want) in [
        (
            json!({"Username": "a", "Password": PASSWORD, "PasswordVerifier": {"Salt": "00", "Verifier": "01"}}),
            "give Password or PasswordVerifier, not both",
        ),
        (
            json!({"Username": "a", "PasswordVerifier": {"Salt": "zz", "Verifier": "01"}}),
            "PasswordVerifier Salt: Invalid character 'z' at position 0",
        ),
        (
            json!({"Username": "a", "PasswordVerifier": {"Salt": "", "Verifier": ""}}),
            "PasswordVerifier needs a non-empty Salt and Verifier",
        ),
        (
            json!({"Username": "a", "Sub": "not-a-uuid", "Password": PASSWORD}),
            "Sub not-a-uuid is not a UUID",
        ),
    ] {
        let path = dir.path().join("bad.json");
        let doc = json!({"UserPools": [{"PoolName": "p", "Users": [user]}]});
        std::fs::write(&path, doc.to_string()).expect("write");
        let err = match cognito_emulator::app::Application::build(Config {
            seed: Some(path),
            ..Config::for_tests()
        })
        .await
        {
            Ok(_) => panic!("start-up should fail for {doc}"),
            Err(e) => format!("{e:#}"),
        };
        assert!(err.ends_with(&format!("pool p: user a: {want}")), "{err}");
    }
}

//! The schema's later migrations on databases that already hold users: migration 0013 (users
//! indexed by pool number) must leave every existing user signing in, listed and found by
//! every filter.

use crate::helpers::*;
use cognito_emulator::config::Config;
use serde_json::json;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row};

/// Undoes migration 0013 on a database the current emulator wrote: the indexes of migrations
/// 0001 and 0012 back, the pool numbers gone, the ledger at 0012. The test checks that the
/// result has exactly the schema that migrations 0001-0012 create.
const BEFORE_0013: &str = "
DROP TRIGGER user_pools_no;
DROP TRIGGER users_pool_no;
DROP INDEX user_pools_no;
DROP INDEX users_username;
DROP INDEX users_email;
DROP INDEX users_phone;
DROP INDEX users_preferred_username;
DROP INDEX users_listing;
DROP INDEX users_filter_email;
DROP INDEX users_filter_phone_number;
DROP INDEX users_filter_name;
DROP INDEX users_filter_given_name;
DROP INDEX users_filter_family_name;
DROP INDEX users_filter_preferred_username;
ALTER TABLE users DROP COLUMN pool_no;
ALTER TABLE user_pools DROP COLUMN no;
CREATE UNIQUE INDEX users_username ON users(pool_id, username_key);
CREATE INDEX users_email ON users(pool_id, email_key);
CREATE INDEX users_phone ON users(pool_id, phone_key);
CREATE INDEX users_preferred_username ON users(pool_id, preferred_username_key);
CREATE INDEX users_created ON users(pool_id, created_at, sub);
CREATE INDEX users_filter_email ON users(pool_id, json_extract(attributes, '$.email'));
CREATE INDEX users_filter_phone_number ON users(pool_id, json_extract(attributes, '$.phone_number'));
CREATE INDEX users_filter_name ON users(pool_id, json_extract(attributes, '$.name'));
CREATE INDEX users_filter_given_name ON users(pool_id, json_extract(attributes, '$.given_name'));
CREATE INDEX users_filter_family_name ON users(pool_id, json_extract(attributes, '$.family_name'));
CREATE INDEX users_filter_preferred_username ON users(pool_id, json_extract(attributes, '$.preferred_username'));
CREATE INDEX users_filter_status ON users(pool_id, status, created_at, sub);
CREATE INDEX users_filter_enabled ON users(pool_id, enabled, created_at, sub);
DELETE FROM _sqlx_migrations WHERE version >= 13;
";

async fn open(path: &std::path::Path) -> sqlx::SqliteConnection {
    SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("the database opens")
}

/// The schema as `sqlite_master` holds it, in name order.
async fn schema(conn: &mut sqlx::SqliteConnection) -> Vec<(String, String, Option<String>)> {
    sqlx::query("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .fetch_all(conn)
        .await
        .expect("sqlite_master")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

/// Every username ListUsers gives with `filter`, page by page (`limit` per page), in order.
async fn listed(app: &TestApp, pool: &str, filter: &str, limit: i32) -> Vec<String> {
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = app
            .client
            .list_users()
            .user_pool_id(pool)
            .filter(filter)
            .limit(limit)
            .set_pagination_token(token.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("ListUsers {filter}: {e:?}"));
        assert!(out.users().len() <= limit as usize);
        seen.extend(
            out.users()
                .iter()
                .filter_map(|u| u.username().map(str::to_string)),
        );
        token = out.pagination_token().map(str::to_string);
        if token.is_none() {
            return seen;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_written_before_migration_0013_sign_in_list_and_filter_after_it() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = dir.path().join("emulator.db");
    let config = || Config {
        db: db.to_string_lossy().into_owned(),
        ..Config::for_tests()
    };

    let (first, server) = spawn_server(config()).await;
    let other = first.create_pool("other").await;
    let pool = first
        .create_pool_with(json!({"PoolName": "old", "AliasAttributes": ["email", "phone_number"]}))
        .await;
    let client = first
        .client_with_flows(
            &pool,
            &["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )
        .await;
    for i in 0..7 {
        let name = format!("member{i}");
        first.confirmed_email_user(&pool, &name, "Passw0rd!").await;
    }
    first
        .create_user(
            &pool,
            "newbie",
            "Temp0rary!",
            &[
                ("phone_number", "+48555000001"),
                ("phone_number_verified", "true"),
            ],
        )
        .await;
    first
        .call(
            "AdminDisableUser",
            json!({"UserPoolId": pool, "Username": "member3"}),
        )
        .await;
    // The same username in another pool: the usernames are unique per pool only.
    first
        .confirmed_email_user(&other, "member0", "Other0ne!")
        .await;
    server.abort();
    let _ = server.await;
    drop(first);

    // The database as the emulator before 0013 left it, with every user created in the same
    // instant (the listing order then rests on the sub alone).
    let mut conn = open(&db).await;
    sqlx::raw_sql(BEFORE_0013)
        .execute(&mut conn)
        .await
        .expect("0013 undone");
    sqlx::query("UPDATE users SET created_at = 1700000000.5")
        .execute(&mut conn)
        .await
        .expect("one instant");
    let undone = schema(&mut conn).await;
    let mut subs: Vec<(String, String)> =
        sqlx::query_as("SELECT sub, username FROM users WHERE pool_id = ?")
            .bind(&pool)
            .fetch_all(&mut conn)
            .await
            .expect("subs");
    conn.close().await.expect("closed");
    let fresh_db = dir.path().join("fresh.db");
    let mut fresh = SqliteConnectOptions::new()
        .filename(&fresh_db)
        .create_if_missing(true)
        .connect()
        .await
        .expect("fresh database");
    let mut upto_0012 = sqlx::migrate!("./migrations");
    upto_0012.migrations = upto_0012
        .migrations
        .iter()
        .filter(|m| m.version <= 12)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    upto_0012.run(&mut fresh).await.expect("0001-0012");
    assert_eq!(
        undone,
        schema(&mut fresh).await,
        "the undone database is a 0012 one"
    );
    fresh.close().await.expect("closed");

    // The emulator migrates it again on start.
    let app = spawn_app_with(config()).await;
    subs.sort();
    let by_sub: Vec<String> = subs.into_iter().map(|(_, name)| name).collect();
    assert_eq!(by_sub.len(), 8);
    for limit in [1, 3, 60] {
        assert_eq!(
            listed(&app, &pool, "", limit).await,
            by_sub,
            "pages of {limit}"
        );
    }
    let only = |keep: &[&str]| -> Vec<String> {
        by_sub
            .iter()
            .filter(|n| keep.contains(&n.as_str()))
            .cloned()
            .collect()
    };
    assert_eq!(
        listed(&app, &pool, r#"username = "member5""#, 60).await,
        ["member5"]
    );
    assert_eq!(
        listed(&app, &pool, r#"email ^= "member""#, 2).await,
        only(&["member0", "member1", "member2", "member3", "member4", "member5", "member6"])
    );
    assert_eq!(
        listed(&app, &pool, r#"phone_number = "+48555000001""#, 60).await,
        ["newbie"]
    );
    assert_eq!(
        listed(&app, &pool, r#"status = "Disabled""#, 60).await,
        ["member3"]
    );
    assert_eq!(
        listed(&app, &pool, r#"status = "Enabled""#, 3).await,
        only(&["member0", "member1", "member2", "member4", "member5", "member6", "newbie"])
    );
    assert_eq!(
        listed(
            &app,
            &pool,
            r#"cognito:user_status = "FORCE_CHANGE_PASSWORD""#,
            60
        )
        .await,
        ["newbie"]
    );
    assert_eq!(listed(&app, &other, "", 60).await, ["member0"]);

    // Signing in by username and by each alias, and the username still taken.
    for (username, password) in [
        ("member1", "Passw0rd!"),
        ("member2@example.com", "Passw0rd!"),
    ] {
        let out = app
            .password_auth(&client, username, password)
            .await
            .unwrap_or_else(|e| panic!("{username} signs in: {e:?}"));
        assert!(out
            .authentication_result()
            .and_then(|r| r.access_token())
            .is_some());
    }
    let out = app
        .password_auth(&client, "+48555000001", "Temp0rary!")
        .await
        .expect("the phone alias finds newbie");
    assert_eq!(
        out.challenge_name().map(|c| c.as_str()),
        Some("NEW_PASSWORD_REQUIRED")
    );
    app.assert_call_err(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "member4", "MessageAction": "SUPPRESS"}),
        "UsernameExistsException",
        "User account already exists",
    )
    .await;
    // A user created after the migration is listed with the others.
    app.create_user(&pool, "later", "Temp0rary!", &[]).await;
    assert_eq!(listed(&app, &pool, "", 60).await.len(), 9);
    assert_eq!(
        listed(&app, &pool, r#"username ^= "lat""#, 60).await,
        ["later"]
    );
}

/// Pool numbers are kept by a snapshot and restored with it, and a pool created in between (which
/// may be given a deleted pool's number) is gone with its users; after a reset, new pools and
/// their users start over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_numbers_survive_snapshots_deleted_pools_and_reset() {
    let app = spawn_app().await;
    let kept = app.create_pool("kept").await;
    let doomed = app.create_pool("doomed").await;
    app.create_user(&kept, "ann", "Temp0rary!", &[]).await;
    app.create_user(&doomed, "bea", "Temp0rary!", &[]).await;
    let (status, _) = app.post_json("/_emulator/snapshots/two", json!({})).await;
    assert_eq!(status, reqwest::StatusCode::CREATED);

    app.call("DeleteUserPool", json!({"UserPoolId": doomed}))
        .await;
    let later = app.create_pool("later").await;
    app.create_user(&later, "bea", "Temp0rary!", &[]).await;
    app.create_user(&later, "cid", "Temp0rary!", &[]).await;
    let mut in_later = listed(&app, &later, "", 60).await;
    in_later.sort();
    assert_eq!(in_later, ["bea", "cid"]);
    assert_eq!(listed(&app, &kept, "", 60).await, ["ann"]);

    let (status, _) = app
        .post_json("/_emulator/snapshots/two/restore", json!({}))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(listed(&app, &kept, "", 60).await, ["ann"]);
    assert_eq!(listed(&app, &doomed, "", 60).await, ["bea"]);
    assert_eq!(
        listed(&app, &doomed, r#"username = "bea""#, 60).await,
        ["bea"]
    );
    assert_eq!(
        app.user_status(&doomed, "bea").await,
        "FORCE_CHANGE_PASSWORD"
    );
    app.assert_call_err(
        "ListUsers",
        json!({"UserPoolId": later}),
        "ResourceNotFoundException",
        &format!("User pool {later} does not exist."),
    )
    .await;
    app.create_user(&kept, "dan", "Temp0rary!", &[]).await;
    assert_eq!(listed(&app, &kept, "", 60).await.len(), 2);

    let (status, _) = app.post_json("/_emulator/reset", json!({})).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let fresh = app.create_pool("fresh").await;
    app.create_user(&fresh, "ann", "Temp0rary!", &[]).await;
    assert_eq!(listed(&app, &fresh, "", 60).await, ["ann"]);
    assert_eq!(
        app.user_status(&fresh, "ann").await,
        "FORCE_CHANGE_PASSWORD"
    );
}

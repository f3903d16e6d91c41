//! Seed files (`--seed FILE`): fixtures/example.yaml loads, survives a restart unchanged, and a
//! broken file stops start-up with a message naming the problem.

use crate::helpers::*;
use cognito_emulator::{Application, Config};
use std::path::PathBuf;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/example.yaml")
}

fn seeded_config(seed: PathBuf, db: &str) -> Config {
    let mut c = Config::for_tests();
    c.seed = Some(seed);
    c.db = db.to_string();
    c
}

async fn build_error(config: Config) -> String {
    match Application::build(config).await {
        Ok(_) => panic!("start-up should fail"),
        Err(e) => format!("{e:#}"),
    }
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).expect("write seed file");
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_seed_file_creates_pools_clients_groups_and_users_with_their_ids() {
    let app = spawn_app_with(seeded_config(example(), ":memory:")).await;
    let c = &app.client;

    let pool = c
        .describe_user_pool()
        .user_pool_id("us-east-1_Example01")
        .send()
        .await
        .expect("pool 1");
    let p = pool.user_pool().expect("UserPool");
    assert_eq!(p.name(), Some("example"));
    assert_eq!(
        p.arn(),
        Some("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example01")
    );
    assert_eq!(p.estimated_number_of_users(), 4);
    let mfa = c
        .get_user_pool_mfa_config()
        .user_pool_id("us-east-1_Example01")
        .send()
        .await
        .expect("mfa");
    assert_eq!(
        mfa.mfa_configuration().map(|m| m.as_str()),
        Some("OPTIONAL")
    );

    let web = c
        .describe_user_pool_client()
        .user_pool_id("us-east-1_Example01")
        .client_id("exampleweb0000000000000001")
        .send()
        .await
        .expect("web client");
    assert_eq!(
        web.user_pool_client().and_then(|c| c.client_name()),
        Some("web")
    );
    let backend = c
        .describe_user_pool_client()
        .user_pool_id("us-east-1_Example01")
        .client_id("examplebackend000000000001")
        .send()
        .await
        .expect("backend client");
    assert_eq!(
        backend.user_pool_client().and_then(|c| c.client_secret()),
        Some("examplesecret0000000000000000000000000000000000001")
    );

    let groups = c
        .list_groups()
        .user_pool_id("us-east-1_Example01")
        .send()
        .await
        .expect("groups");
    let names: Vec<_> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["admins", "readers"]);

    let appr = &app;
    let status = |name: &'static str| async move {
        let u = appr
            .client
            .admin_get_user()
            .user_pool_id("us-east-1_Example01")
            .username(name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        (
            u.user_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            u.enabled(),
        )
    };
    assert_eq!(status("alice").await, ("CONFIRMED".to_string(), true));
    assert_eq!(
        status("bob").await,
        ("FORCE_CHANGE_PASSWORD".to_string(), true)
    );
    assert_eq!(status("carol").await, ("UNCONFIRMED".to_string(), true));
    assert_eq!(status("dave").await, ("CONFIRMED".to_string(), false));

    // Attributes, aliases (case-insensitive pool, verified email) and memberships.
    let alice = c
        .admin_get_user()
        .user_pool_id("us-east-1_Example01")
        .username("ALICE@example.com")
        .send()
        .await
        .expect("alice by verified email alias");
    let attrs: std::collections::HashMap<_, _> = alice
        .user_attributes()
        .iter()
        .map(|a| {
            (
                a.name().to_string(),
                a.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(attrs["email_verified"], "true");
    assert_eq!(attrs["custom:tenant"], "acme");
    let alice_groups = c
        .admin_list_groups_for_user()
        .user_pool_id("us-east-1_Example01")
        .username("alice")
        .send()
        .await
        .expect("alice's groups");
    assert_eq!(alice_groups.groups().len(), 2);

    // The password is the one in the file.
    let pool_type = app
        .state
        .store
        .get_pool("us-east-1_Example01")
        .await
        .expect("db")
        .expect("pool");
    let record = app
        .state
        .store
        .get_user_by_key("us-east-1_Example01", "alice")
        .await
        .expect("db")
        .expect("alice");
    let pv = cognito_emulator::crypto::srp::PasswordVerifier {
        salt: record.password_salt.clone().unwrap_or_default(),
        verifier: record.password_verifier.clone().unwrap_or_default(),
    };
    use cognito_emulator::domain::pool::PoolExt;
    assert!(cognito_emulator::crypto::srp::check_password(
        pool_type.pool_name_for_srp(),
        &record.username,
        "Passw0rd!",
        &pv
    ));

    // The email-login pool: the user is found by email, its username is its sub.
    let erin = c
        .admin_get_user()
        .user_pool_id("us-east-1_Example02")
        .username("erin@example.com")
        .send()
        .await
        .expect("erin");
    assert!(uuid::Uuid::parse_str(erin.username()).is_ok());
    // Seeding sends nothing.
    assert!(app.messages("").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeding_again_on_the_same_database_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("seed.db").to_string_lossy().into_owned();
    let (first, server) = spawn_server(seeded_config(example(), &db)).await;
    // A change made through the API must survive the restart.
    first
        .client
        .admin_set_user_password()
        .user_pool_id("us-east-1_Example01")
        .username("alice")
        .password("Changed1!")
        .permanent(true)
        .send()
        .await
        .expect("AdminSetUserPassword");
    server.abort();
    let _ = server.await;
    drop(first);

    let second = spawn_app_with(seeded_config(example(), &db)).await;
    let pools = second
        .client
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .expect("pools");
    assert_eq!(pools.user_pools().len(), 2);
    let clients = second
        .client
        .list_user_pool_clients()
        .user_pool_id("us-east-1_Example01")
        .send()
        .await
        .expect("clients");
    assert_eq!(clients.user_pool_clients().len(), 2);
    let users = second
        .client
        .list_users()
        .user_pool_id("us-east-1_Example01")
        .send()
        .await
        .expect("users");
    assert_eq!(users.users().len(), 4);
    let members = second
        .client
        .list_users_in_group()
        .user_pool_id("us-east-1_Example01")
        .group_name("readers")
        .send()
        .await
        .expect("members");
    assert_eq!(members.users().len(), 2);
    let record = second
        .state
        .store
        .get_user_by_key("us-east-1_Example01", "alice")
        .await
        .expect("db")
        .expect("alice");
    let pv = cognito_emulator::crypto::srp::PasswordVerifier {
        salt: record.password_salt.clone().unwrap_or_default(),
        verifier: record.password_verifier.clone().unwrap_or_default(),
    };
    assert!(
        cognito_emulator::crypto::srp::check_password("Example01", "alice", "Changed1!", &pv),
        "the seed did not reset the password"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_seed_file_works_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(
        &dir,
        "seed.json",
        r#"{"UserPools": [{"PoolName": "json-pool", "Groups": [{"GroupName": "g"}],
            "Users": [{"Username": "u", "Password": "Passw0rd!", "Groups": ["g"]}]}]}"#,
    );
    let app = spawn_app_with(seeded_config(path, ":memory:")).await;
    let pools = app
        .client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect("pools");
    assert_eq!(pools.user_pools().len(), 1);
    assert_eq!(pools.user_pools()[0].name(), Some("json-pool"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_seed_file_stops_start_up_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        ("syntax.yaml", "UserPools: [", "is not valid YAML"),
        ("top.yaml", "Pools: []\n", "unknown field `Pools`"),
        (
            "member.yaml",
            "UserPools:\n  - PoolName: p\n    PoolNmae: typo\n",
            "unknown member PoolNmae",
        ),
        (
            "password.yaml",
            "UserPools:\n  - PoolName: p\n    Users:\n      - Username: weak\n        Password: short\n",
            "user weak: InvalidPasswordException: Password did not conform with password policy: Password not long enough",
        ),
        (
            "group.yaml",
            "UserPools:\n  - PoolName: p\n    Users:\n      - Username: u\n        Password: Passw0rd!\n        Groups: [nope]\n",
            "group nope: ResourceNotFoundException: Group not found.",
        ),
        (
            "status.yaml",
            "UserPools:\n  - PoolName: p\n    Users:\n      - Username: u\n        Status: WEIRD\n",
            "Status WEIRD is not one of",
        ),
        ("id.yaml", "UserPools:\n  - Id: nounderscore\n    PoolName: p\n", "Id nounderscore is not a user pool id"),
    ];
    for (name, text, expected) in cases {
        let path = write(&dir, name, text);
        let message = build_error(seeded_config(path, ":memory:")).await;
        assert!(message.contains(name), "{name}: {message}");
        assert!(message.contains(expected), "{name}: {message}");
    }
    let missing = build_error(seeded_config(dir.path().join("absent.yaml"), ":memory:")).await;
    assert!(missing.contains("cannot read seed file"), "{missing}");
}

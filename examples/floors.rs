//! The floors bench/README.md compares SignUp and InitiateAuth against: the work no
//! implementation of those operations can skip, measured in-process on one thread with this
//! crate's own code.
//!
//! - SignUp: the SRP password verifier (`g^x mod N`) plus one write of the user through the
//!   store, on the same kind of database the server uses (`--db :memory:` or a file).
//! - InitiateAuth USER_PASSWORD_AUTH: the password check (the same verifier computation) plus
//!   the two RS256 signatures of the ID and access tokens.
//!
//!     cargo run --release --example floors [-- DB]      # DB: :memory: (default) or a file path

use cognito_emulator::crypto::{jwt, srp};
use cognito_emulator::domain::records::UserRecord;
use cognito_emulator::model::shapes::{GetUserPoolMfaConfigResponse, UserPoolType};
use cognito_emulator::store::Store;
use std::time::Instant;

const ROUNDS: u32 = 2_000;

/// Wall-clock µs per operation since `start`, and the process's CPU µs per operation since
/// `cpu` (every thread: sqlx's connection thread too).
fn per_op((start, cpu): (Instant, f64), n: u32) -> (f64, f64) {
    let n = f64::from(n);
    (
        start.elapsed().as_secs_f64() * 1e6 / n,
        (process_cpu() - cpu) * 1e6 / n,
    )
}

fn begin() -> (Instant, f64) {
    (Instant::now(), process_cpu())
}

/// User plus system CPU seconds of this process, from /proc/self/stat (Linux; 0 elsewhere).
fn process_cpu() -> f64 {
    let ticks_per_second = 100.0; // USER_HZ, fixed at 100 on Linux
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // The fields after the command name, which is in parentheses and may hold spaces.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(
                (f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?)
                    / ticks_per_second,
            )
        })
        .unwrap_or(0.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let db = std::env::args().nth(1).unwrap_or_else(|| ":memory:".into());
    srp::precompute();

    let start = begin();
    let mut verifiers = Vec::new();
    for i in 0..ROUNDS {
        verifiers.push(srp::new_password_verifier(
            "us-east-1_Floor",
            &format!("user-{i}"),
            "Passw0rd!",
        ));
    }
    let verifier = per_op(start, ROUNDS);

    let store = Store::open(&db).await?;
    let pool = UserPoolType {
        id: Some("us-east-1_Floor".into()),
        name: Some("floor".into()),
        ..Default::default()
    };
    store
        .insert_pool(&pool, &GetUserPoolMfaConfigResponse::default(), &[], 0.0)
        .await?;
    let start = begin();
    for (i, pv) in verifiers.iter().enumerate() {
        let sub = uuid::Uuid::new_v4().to_string();
        store
            .insert_user(&UserRecord {
                pool_id: "us-east-1_Floor".into(),
                sub,
                username: format!("user-{i}"),
                username_key: format!("user-{i}"),
                enabled: true,
                attributes: [("email".to_string(), format!("user-{i}@example.com"))].into(),
                password_salt: Some(pv.salt.clone()),
                password_verifier: Some(pv.verifier.clone()),
                password_history: serde_json::json!([]),
                mfa: serde_json::json!({}),
                ..Default::default()
            })
            .await?;
    }
    let write = per_op(start, ROUNDS);

    let start = begin();
    for (i, pv) in verifiers.iter().enumerate().take(ROUNDS as usize / 2) {
        assert!(srp::check_password(
            "us-east-1_Floor",
            &format!("user-{i}"),
            "Passw0rd!",
            pv
        ));
    }
    let check = per_op(start, ROUNDS / 2);

    // Made here rather than through jwt::KeyFactory, whose background thread would keep
    // generating keys and count in the CPU figures.
    let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048)?;
    let signing = jwt::signing_key(&key, "access").ok_or_else(|| anyhow::anyhow!("key"))?;
    let loaded = jwt::LoadedKey::load(&signing).ok_or_else(|| anyhow::anyhow!("key"))?;
    let claims = serde_json::json!({
        "sub": "00000000-0000-0000-0000-000000000000", "token_use": "access",
        "iss": "http://localhost:9229/us-east-1_Floor", "exp": 2_000_000_000, "iat": 1_700_000_000,
        "client_id": "client", "scope": "aws.cognito.signin.user.admin", "username": "user-0",
    });
    let start = begin();
    for _ in 0..ROUNDS / 4 {
        loaded.sign(&claims)?;
    }
    let sign = per_op(start, ROUNDS / 4);

    let show = |what: &str, (wall, cpu): (f64, f64)| {
        println!("{what}: {wall:.1} µs wall, {cpu:.1} µs CPU");
    };
    println!("db: {db}");
    show("SRP verifier (g^x mod N)", verifier);
    show("one user write through the store", write);
    show("password check", check);
    show("one RS256 signature", sign);
    show(
        "SignUp floor (verifier + write)",
        (verifier.0 + write.0, verifier.1 + write.1),
    );
    show(
        "InitiateAuth USER_PASSWORD_AUTH floor (check + 2 signatures)",
        (check.0 + 2.0 * sign.0, check.1 + 2.0 * sign.1),
    );
    Ok(())
}

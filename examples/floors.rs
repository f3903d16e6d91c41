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

fn per_op(start: Instant, n: u32) -> f64 {
    start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let db = std::env::args().nth(1).unwrap_or_else(|| ":memory:".into());
    srp::precompute();

    let start = Instant::now();
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
    let start = Instant::now();
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

    let start = Instant::now();
    for (i, pv) in verifiers.iter().enumerate().take(ROUNDS as usize / 2) {
        assert!(srp::check_password(
            "us-east-1_Floor",
            &format!("user-{i}"),
            "Passw0rd!",
            pv
        ));
    }
    let check = per_op(start, ROUNDS / 2);

    let key = jwt::KeyFactory::start(0)
        .take()
        .ok_or_else(|| anyhow::anyhow!("RSA key generation failed"))?;
    let signing = jwt::signing_key(&key, "access").ok_or_else(|| anyhow::anyhow!("key"))?;
    let loaded = jwt::LoadedKey::load(&signing).ok_or_else(|| anyhow::anyhow!("key"))?;
    let claims = serde_json::json!({
        "sub": "00000000-0000-0000-0000-000000000000", "token_use": "access",
        "iss": "http://localhost:9229/us-east-1_Floor", "exp": 2_000_000_000, "iat": 1_700_000_000,
        "client_id": "client", "scope": "aws.cognito.signin.user.admin", "username": "user-0",
    });
    let start = Instant::now();
    for _ in 0..ROUNDS / 4 {
        loaded.sign(&claims)?;
    }
    let sign = per_op(start, ROUNDS / 4);

    println!("db: {db}");
    println!("SRP verifier (g^x mod N): {verifier:.1} µs");
    println!("one user write through the store: {write:.1} µs");
    println!("password check: {check:.1} µs");
    println!("one RS256 signature: {sign:.1} µs");
    println!("SignUp floor: {:.1} µs", verifier + write);
    println!(
        "InitiateAuth USER_PASSWORD_AUTH floor: {:.1} µs",
        check + 2.0 * sign
    );
    Ok(())
}

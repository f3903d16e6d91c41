//! Load generator for full SRP sign-ins (InitiateAuth USER_SRP_AUTH + RespondToAuthChallenge
//! PASSWORD_VERIFIER) against a running emulator; `bench/srp_signin.sh` builds and runs it. Not a
//! test: it prints one JSON line with the rate and latency of completed sign-ins, and the CPU
//! time the server and this generator used while measuring.
//!
//! ```text
//! cargo run --release --example srp_signin -- --url http://127.0.0.1:9229 \
//!     [--connections 32] [--seconds 10] [--warmup 2] [--server-pid PID] [--flow password]
//! ```
//!
//! `--flow maths` runs no requests: it times, on one thread of this process, the two SRP calls
//! the server makes per sign-in (`server_ephemeral` at InitiateAuth, `verify_claim` at the
//! answer) over `--seconds` of CPU, to separate the SRP maths from HTTP, SQLite and tokens.
//!
//! `--flow password` measures InitiateAuth USER_PASSWORD_AUTH instead (same users, same
//! generator), the baseline that shows what the SRP exchange itself adds.
//!
//! Each sign-in does the client's real maths (`crypto::srp::client`): A = g^a and the claim
//! signature, which needs one variable-base exponentiation of about the server's cost. The
//! generator shares the machine with the server, so the rate is a floor; the server's CPU time
//! per sign-in says what the server alone would do. Only answers carrying AuthenticationResult
//! count; anything else is an error.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use cognito_emulator::crypto::srp::client;
use rand::RngCore;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TARGET: &str = "AWSCognitoIdentityProviderService.";
const PASSWORD: &str = "Bench-Passw0rd!";

struct Args {
    url: String,
    connections: usize,
    seconds: f64,
    warmup: f64,
    server_pid: Option<u32>,
    password_flow: bool,
    maths_only: bool,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        url: "http://127.0.0.1:9229".into(),
        connections: 32,
        seconds: 10.0,
        warmup: 2.0,
        server_pid: None,
        password_flow: false,
        maths_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |_| format!("bad value for {flag}: {value}");
        match flag.as_str() {
            "--url" => a.url = value.trim_end_matches('/').to_string(),
            "--connections" => {
                a.connections = value
                    .parse()
                    .map_err(|e: std::num::ParseIntError| bad(e.to_string()))?
            }
            "--seconds" => {
                a.seconds = value
                    .parse()
                    .map_err(|e: std::num::ParseFloatError| bad(e.to_string()))?
            }
            "--warmup" => {
                a.warmup = value
                    .parse()
                    .map_err(|e: std::num::ParseFloatError| bad(e.to_string()))?
            }
            "--server-pid" => {
                a.server_pid = Some(
                    value
                        .parse()
                        .map_err(|e: std::num::ParseIntError| bad(e.to_string()))?,
                )
            }
            "--flow" => match value.as_str() {
                "srp" => a.password_flow = false,
                "password" => a.password_flow = true,
                "maths" => a.maths_only = true,
                _ => return Err(format!("--flow is srp, password or maths, not {value}")),
            },
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(a)
}

/// User + system CPU seconds of a process (utime and stime of /proc/PID/stat, in USER_HZ = 100
/// ticks, which is what Linux reports there on every architecture we run on).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// CPU seconds of the server's background RSA key generator (the `rsa-keygen` thread of
/// `crypto::jwt::KeyFactory`): it refills its buffer after the set-up's CreateUserPool took keys,
/// often while the measurement runs, and that work is not part of any sign-in.
fn keygen_cpu_seconds(pid: &str) -> Option<f64> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut total = 0.0;
    for task in tasks.flatten() {
        let tid = task.file_name().to_string_lossy().to_string();
        let comm =
            std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/comm")).unwrap_or_default();
        if comm.trim() == "rsa-keygen" {
            total += cpu_seconds(&format!("{pid}/task/{tid}")).unwrap_or(0.0);
        }
    }
    Some(total)
}

async fn call(http: &reqwest::Client, url: &str, op: &str, body: &Value) -> Result<Value, String> {
    let resp = http
        .post(format!("{url}/"))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", format!("{TARGET}{op}"))
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| format!("{op}: {e}"))?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| format!("{op}: {e}"))?;
    if !status.is_success() {
        return Err(format!("{op}: {status} {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("{op}: {e}"))
}

/// A pool, a client allowing SRP, and one confirmed user per connection (so lock-out counters
/// and row updates never make connections wait for each other).
async fn setup(
    http: &reqwest::Client,
    url: &str,
    users: usize,
) -> Result<(String, String), String> {
    let pool = call(
        http,
        url,
        "CreateUserPool",
        &json!({"PoolName": "bench-srp"}),
    )
    .await?;
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let client = call(
        http,
        url,
        "CreateUserPoolClient",
        &json!({"UserPoolId": pool_id, "ClientName": "bench",
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await?;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for i in 0..users {
        let username = format!("user{i}");
        call(
            http,
            url,
            "AdminCreateUser",
            &json!({"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS",
                    "TemporaryPassword": PASSWORD}),
        )
        .await?;
        call(
            http,
            url,
            "AdminSetUserPassword",
            &json!({"UserPoolId": pool_id, "Username": username, "Password": PASSWORD, "Permanent": true}),
        )
        .await?;
    }
    Ok((pool_id, client_id))
}

/// The baseline: one USER_PASSWORD_AUTH sign-in.
async fn password_sign_in(
    http: &reqwest::Client,
    url: &str,
    client_id: &str,
    username: &str,
) -> Result<(), String> {
    let out = call(
        http,
        url,
        "InitiateAuth",
        &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD}}),
    )
    .await?;
    if out["AuthenticationResult"]["AccessToken"].is_string() {
        Ok(())
    } else {
        Err(format!("no tokens: {out}"))
    }
}

/// One full SRP sign-in; Ok only when the answer carries tokens.
async fn sign_in(
    http: &reqwest::Client,
    url: &str,
    pool_name: &str,
    client_id: &str,
    username: &str,
) -> Result<(), String> {
    // 32 random bytes: A = g^a then goes through the fixed-base table, as the server's B does.
    let mut a = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut a);
    let srp_a = hex::encode(client::srp_a(&a));
    let init = call(
        http,
        url,
        "InitiateAuth",
        &json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client_id,
                "AuthParameters": {"USERNAME": username, "SRP_A": srp_a}}),
    )
    .await?;
    let p = &init["ChallengeParameters"];
    let get = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    let (user_id, block_b64) = (get("USER_ID_FOR_SRP"), get("SECRET_BLOCK"));
    let block = STANDARD
        .decode(&block_b64)
        .map_err(|e| format!("SECRET_BLOCK: {e}"))?;
    let timestamp = client::timestamp_now();
    let signature = client::signature(
        pool_name,
        &user_id,
        PASSWORD,
        &get("SALT"),
        &get("SRP_B"),
        &a,
        &block,
        &timestamp,
    );
    let out = call(
        http,
        url,
        "RespondToAuthChallenge",
        &json!({"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeResponses": {"USERNAME": user_id, "PASSWORD_CLAIM_SECRET_BLOCK": block_b64,
                                       "PASSWORD_CLAIM_SIGNATURE": signature, "TIMESTAMP": timestamp}}),
    )
    .await?;
    if out["AuthenticationResult"]["AccessToken"].is_string() {
        Ok(())
    } else {
        Err(format!("no tokens: {out}"))
    }
}

/// The server's SRP maths alone: CPU milliseconds per `server_ephemeral` and per `verify_claim`.
fn maths(seconds: f64) -> Value {
    use cognito_emulator::crypto::srp;
    let (pool, user) = ("AbCdEfGhI", "user0");
    let pv = srp::new_password_verifier(pool, user, PASSWORD);
    let mut a = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut a);
    let srp_a = client::srp_a(&a);
    let block = [7u8; 64];
    let timestamp = client::timestamp_now();
    let eph = srp::server_ephemeral(&pv.verifier);
    let signature = client::signature(
        pool,
        user,
        PASSWORD,
        &srp::salt_param(&pv.salt),
        &srp::srp_b_param(&eph.srp_b),
        &a,
        &block,
        &timestamp,
    );
    let claim = srp::ClaimCheck {
        pool_name: pool,
        user_id: user,
        verifier: &pv.verifier,
        srp_a: &srp_a,
        eph: &eph,
        secret_block: &block,
        timestamp: &timestamp,
        signature_b64: &signature,
    };
    assert!(srp::verify_claim(&claim).is_ok(), "the claim verifies");
    let thread_cpu = || cpu_seconds("thread-self").unwrap_or(0.0);
    let time = |f: &dyn Fn()| {
        let start = thread_cpu();
        let mut n = 0u32;
        while thread_cpu() - start < seconds / 2.0 {
            for _ in 0..10 {
                f();
            }
            n += 10;
        }
        (thread_cpu() - start) * 1000.0 / f64::from(n)
    };
    let b_ms = time(&|| {
        std::hint::black_box(srp::server_ephemeral(&pv.verifier));
    });
    let verify_ms = time(&|| {
        std::hint::black_box(srp::verify_claim(&claim).is_ok());
    });
    json!({"flow": "maths", "server_ephemeral_cpu_ms": b_ms, "verify_claim_cpu_ms": verify_ms,
           "load_average": std::fs::read_to_string("/proc/loadavg").ok().map(|s| s.trim().to_string())})
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("srp_signin: {e}");
            std::process::exit(2);
        }
    };
    cognito_emulator::crypto::srp::precompute();
    if args.maths_only {
        println!("{}", maths(args.seconds));
        return;
    }
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()
        .unwrap_or_default();
    let (pool_id, client_id) = match setup(&http, &args.url, args.connections).await {
        Ok(ids) => ids,
        Err(e) => {
            eprintln!("srp_signin: setup failed: {e}");
            std::process::exit(1);
        }
    };
    let pool_name = pool_id
        .split_once('_')
        .map(|(_, n)| n.to_string())
        .unwrap_or_default();

    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(Mutex::new(Vec::<f64>::new()));
    let first_error = Arc::new(Mutex::new(None::<String>));
    let mut tasks = Vec::new();
    for i in 0..args.connections {
        let (http, url, pool_name, client_id) = (
            http.clone(),
            args.url.clone(),
            pool_name.clone(),
            client_id.clone(),
        );
        let (measuring, stop, ok, errors, latencies, first_error) = (
            measuring.clone(),
            stop.clone(),
            ok.clone(),
            errors.clone(),
            latencies.clone(),
            first_error.clone(),
        );
        let password_flow = args.password_flow;
        tasks.push(tokio::spawn(async move {
            let username = format!("user{i}");
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let result = if password_flow {
                    password_sign_in(&http, &url, &client_id, &username).await
                } else {
                    sign_in(&http, &url, &pool_name, &client_id, &username).await
                };
                if !measuring.load(Ordering::Relaxed) || stop.load(Ordering::Relaxed) {
                    continue;
                }
                match result {
                    Ok(()) => {
                        ok.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut l) = latencies.lock() {
                            l.push(started.elapsed().as_secs_f64() * 1000.0);
                        }
                    }
                    Err(e) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut f) = first_error.lock() {
                            f.get_or_insert(e);
                        }
                    }
                }
            }
        }));
    }

    tokio::time::sleep(Duration::from_secs_f64(args.warmup)).await;
    let server_pid = args.server_pid.map(|p| p.to_string());
    let cpu = || {
        (
            server_pid.as_deref().and_then(cpu_seconds),
            cpu_seconds("self"),
            server_pid.as_deref().and_then(keygen_cpu_seconds),
        )
    };
    let (server_before, self_before, keygen_before) = cpu();
    let started = Instant::now();
    measuring.store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs_f64(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let (server_after, self_after, keygen_after) = cpu();
    for t in tasks {
        let _ = t.await;
    }

    let done = ok.load(Ordering::Relaxed) as f64;
    let mut lat = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    lat.sort_by(|a, b| a.total_cmp(b));
    let per_signin = |before: Option<f64>, after: Option<f64>| match (before, after) {
        (Some(b), Some(a)) if done > 0.0 => Some((a - b) * 1000.0 / done),
        _ => None,
    };
    let server_ms = per_signin(server_before, server_after);
    let keygen_ms = per_signin(keygen_before, keygen_after);
    let report = json!({
        "flow": if args.password_flow { "USER_PASSWORD_AUTH" } else { "USER_SRP_AUTH" },
        "signins_per_second": (done / elapsed * 10.0).round() / 10.0,
        "signins": done,
        "errors": errors.load(Ordering::Relaxed),
        "first_error": first_error.lock().ok().and_then(|f| f.clone()),
        "connections": args.connections,
        "seconds": (elapsed * 100.0).round() / 100.0,
        "latency_ms": {"p50": percentile(&lat, 0.5), "p90": percentile(&lat, 0.9), "p99": percentile(&lat, 0.99)},
        "server_cpu_ms_per_signin": server_ms,
        // The same without the background key generation (see keygen_cpu_seconds).
        "server_cpu_ms_per_signin_without_keygen": server_ms.zip(keygen_ms).map(|(s, k)| s - k),
        "server_keygen_cpu_ms_per_signin": keygen_ms,
        "server_cpu_share": server_before.zip(server_after).map(|(b, a)| (a - b) / elapsed),
        "generator_cpu_ms_per_signin": per_signin(self_before, self_after),
        "load_average": std::fs::read_to_string("/proc/loadavg").ok().map(|s| s.trim().to_string()),
    });
    println!("{report}");
}

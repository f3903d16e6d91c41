//! AdminGetUser over the HTTPS listener with keep-alive against the plain listener, in one run;
//! `bench/https.sh` builds and runs it. Not a test: it prints one JSON line.
//!
//! ```text
//! cargo run --release --example https_bench -- [--connections 32] [--seconds 5] [--handshakes 200]
//! ```
//!
//! It starts the emulator in this process (`:memory:`, `--tls-port 0`, a throw-away CA folder),
//! makes a pool and a user over http, then for `--seconds` each keeps `--connections` requests in
//! flight over: http/1.1 keep-alive, https/1.1 keep-alive, and https with h2 (ALPN). Only 200
//! answers naming the user count. `handshake_ms` is a fresh connection's TLS handshake plus the
//! first AdminGetUser, one at a time (median and p99 of `--handshakes`). Client and server share
//! the machine (and the client encrypts too), so the https/http ratio is a floor.

use cognito_emulator::{Application, Config};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn call(http: &reqwest::Client, url: &str, op: &str, body: &Value) -> Option<Value> {
    let resp = http
        .post(url)
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .body(body.to_string())
        .send()
        .await
        .ok()?;
    if resp.status() != 200 {
        return None;
    }
    resp.json().await.ok()
}

/// AdminGetUser answers per second with `connections` in flight for `seconds`.
async fn rate(
    http: reqwest::Client,
    url: String,
    body: Value,
    connections: u64,
    seconds: u64,
) -> f64 {
    let ok = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (http, url, body, ok, stop) = (
                http.clone(),
                url.clone(),
                body.clone(),
                ok.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(v) = call(&http, &url, "AdminGetUser", &body).await {
                        if v["Username"] == "bench" {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    ok.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let connections = arg("--connections", 32);
    let seconds = arg("--seconds", 5);
    let handshakes = arg("--handshakes", 200);
    let dir = std::env::temp_dir().join(format!(
        "cognito-emulator-https-bench-{}",
        std::process::id()
    ));
    let app = Application::build(Config {
        tls_port: Some(0),
        tls_dir: Some(dir.clone()),
        ..Config::for_tests()
    })
    .await?;
    let http_url = format!("http://{}/", app.local_addr());
    let tls_addr = app
        .tls_addr()
        .ok_or_else(|| anyhow::anyhow!("no https listener"))?;
    let https_url = format!("https://{tls_addr}/");
    tokio::spawn(async move {
        let _ = app.serve_forever().await;
    });
    let ca = reqwest::Certificate::from_pem(&std::fs::read(dir.join("ca.pem"))?)?;
    let tls_client = |h1: bool| {
        let b = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(ca.clone());
        if h1 { b.http1_only() } else { b }.build()
    };

    let plain = reqwest::Client::builder().http1_only().build()?;
    let pool = call(
        &plain,
        &http_url,
        "CreateUserPool",
        &json!({"PoolName": "bench"}),
    )
    .await
    .ok_or_else(|| anyhow::anyhow!("CreateUserPool failed"))?;
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    call(
        &plain,
        &http_url,
        "AdminCreateUser",
        &json!({"UserPoolId": pool_id, "Username": "bench", "MessageAction": "SUPPRESS"}),
    )
    .await
    .ok_or_else(|| anyhow::anyhow!("AdminCreateUser failed"))?;
    let body = json!({"UserPoolId": pool_id, "Username": "bench"});

    // Warm-up on each path, then the measured runs.
    let https_h1 = tls_client(true)?;
    let https_h2 = tls_client(false)?;
    for (c, u) in [
        (&plain, &http_url),
        (&https_h1, &https_url),
        (&https_h2, &https_url),
    ] {
        rate(c.clone(), u.clone(), body.clone(), connections, 1).await;
    }
    let http_rps = rate(
        plain.clone(),
        http_url.clone(),
        body.clone(),
        connections,
        seconds,
    )
    .await;
    let https_h1_rps = rate(
        https_h1,
        https_url.clone(),
        body.clone(),
        connections,
        seconds,
    )
    .await;
    let https_h2_rps = rate(
        https_h2,
        https_url.clone(),
        body.clone(),
        connections,
        seconds,
    )
    .await;

    let mut times = Vec::new();
    for _ in 0..handshakes {
        let fresh = tls_client(true)?;
        let t = Instant::now();
        if call(&fresh, &https_url, "AdminGetUser", &body)
            .await
            .is_some()
        {
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "{}",
        json!({
            "connections": connections,
            "seconds": seconds,
            "http1_rps": (http_rps * 10.0).round() / 10.0,
            "https1_rps": (https_h1_rps * 10.0).round() / 10.0,
            "https_h2_rps": (https_h2_rps * 10.0).round() / 10.0,
            "https1_over_http": ((https_h1_rps / http_rps) * 1000.0).round() / 1000.0,
            "https_h2_over_http": ((https_h2_rps / http_rps) * 1000.0).round() / 1000.0,
            "handshake_ms_p50": (percentile(&times, 0.5) * 100.0).round() / 100.0,
            "handshake_ms_p99": (percentile(&times, 0.99) * 100.0).round() / 100.0,
            "handshakes_ok": times.len(),
        })
    );
    Ok(())
}

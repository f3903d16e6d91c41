//! Command line and environment (`COGNITO_EMULATOR_<FLAG>`), as the README's "Command line" lists.

use clap::{Parser, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Parser)]
#[command(
    name = "cognito-emulator",
    version,
    about = "A local emulator of Amazon Cognito user pools"
)]
pub struct Config {
    /// Address to bind.
    #[arg(long, env = "COGNITO_EMULATOR_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind; 0 picks a free port (it is logged).
    #[arg(long, env = "COGNITO_EMULATOR_PORT", default_value_t = 9229)]
    pub port: u16,
    /// SQLite database file, or `:memory:` for a throw-away store.
    #[arg(
        long,
        env = "COGNITO_EMULATOR_DB",
        default_value = "cognito-emulator.db"
    )]
    pub db: String,
    /// Seed file (JSON or YAML) with pools, clients, users and groups to create at start-up.
    #[arg(long, env = "COGNITO_EMULATOR_SEED")]
    pub seed: Option<PathBuf>,
    /// Base URL clients reach the emulator under (token issuer is URL/POOL_ID). Default http://HOST:PORT.
    #[arg(long, env = "COGNITO_EMULATOR_EXTERNAL_URL")]
    pub external_url: Option<String>,
    /// Every 6-digit code the emulator "sends" (sign-up, verification, reset, MFA) is this value
    /// instead of a random one.
    #[arg(long, env = "COGNITO_EMULATOR_FIXED_CODE")]
    pub fixed_code: Option<String>,
    /// Every 8-digit one-time sign-in code (USER_AUTH EMAIL_OTP / SMS_OTP) is this value instead
    /// of a random one; `--fixed-code` covers the 6-digit codes.
    #[arg(long, env = "COGNITO_EMULATOR_FIXED_OTP")]
    pub fixed_otp: Option<String>,
    /// Log format.
    #[arg(
        long,
        env = "COGNITO_EMULATOR_LOG_FORMAT",
        value_enum,
        default_value = "pretty"
    )]
    pub log_format: LogFormat,
    /// Lambda Invoke API endpoint (`sam local start-lambda`, LocalStack...) that runs the functions
    /// named in the pools' LambdaConfig: `POST URL/2015-03-31/functions/NAME/invocations`.
    #[arg(long, env = "COGNITO_EMULATOR_LAMBDA_ENDPOINT")]
    pub lambda_endpoint: Option<String>,
    /// `TRIGGER=URL`: post every pool's TRIGGER events (PreSignUp, DefineAuthChallenge...) to URL
    /// and use the JSON answer. Repeatable; the environment variable takes a comma-separated list.
    #[arg(
        long = "trigger-webhook",
        env = "COGNITO_EMULATOR_TRIGGER_WEBHOOK",
        value_delimiter = ',',
        value_parser = crate::domain::triggers::parse_webhook_arg
    )]
    pub trigger_webhooks: Vec<String>,
    /// How long a trigger may take before the operation fails (Cognito gives functions 5 s).
    #[arg(
        long,
        env = "COGNITO_EMULATOR_TRIGGER_TIMEOUT_MS",
        default_value_t = 5000
    )]
    pub trigger_timeout_ms: u64,
    /// Lift the per-user hourly request limits (ForgotPassword 5 an hour, ...; Cognito Developer
    /// Guide, "Quotas in Amazon Cognito"), for test suites that call one user's operations more
    /// often than Cognito allows.
    #[arg(long, env = "COGNITO_EMULATOR_NO_RATE_LIMITS")]
    pub no_rate_limits: bool,
    /// Also serve every endpoint over HTTPS (HTTP/1.1 and h2) on HOST:PORT; 0 picks a free port
    /// (it is logged). The certificate is signed by the emulator's own CA unless --tls-cert.
    #[arg(long, env = "COGNITO_EMULATOR_TLS_PORT")]
    pub tls_port: Option<u16>,
    /// Extra name (or IP address) in the server certificate besides localhost, 127.0.0.1, ::1,
    /// 10.0.2.2 and host.docker.internal, e.g. cognito-idp.us-east-1.amazonaws.com. Repeatable;
    /// the environment variable takes a comma-separated list.
    #[arg(
        long = "tls-hostname",
        env = "COGNITO_EMULATOR_TLS_HOSTNAME",
        value_delimiter = ',',
        requires = "tls_port"
    )]
    pub tls_hostnames: Vec<String>,
    /// Serve this certificate (PEM, the chain leaf first) instead of one from the emulator's CA.
    #[arg(
        long,
        env = "COGNITO_EMULATOR_TLS_CERT",
        requires_all = ["tls_key", "tls_port"]
    )]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, env = "COGNITO_EMULATOR_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Where the emulator's CA (ca.pem, ca-key.pem) is kept. Default: cognito-emulator-tls/ beside
    /// a file database; the user's data directory (cognito-emulator/tls) for `:memory:`.
    #[arg(long, env = "COGNITO_EMULATOR_TLS_DIR")]
    pub tls_dir: Option<PathBuf>,
    /// Instead of serving, ask the emulator on HOST:PORT for /_emulator/health and exit 0 if it
    /// is healthy, 1 otherwise (container HEALTHCHECK: a scratch image has no curl).
    #[arg(long)]
    pub healthcheck: bool,
}

impl Config {
    /// A configuration for tests: in-memory store, free port.
    pub fn for_tests() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 0,
            db: ":memory:".into(),
            seed: None,
            external_url: None,
            fixed_code: None,
            fixed_otp: None,
            log_format: LogFormat::Pretty,
            lambda_endpoint: None,
            trigger_webhooks: Vec::new(),
            trigger_timeout_ms: 5000,
            no_rate_limits: false,
            tls_port: None,
            tls_hostnames: Vec::new(),
            tls_cert: None,
            tls_key: None,
            tls_dir: None,
            healthcheck: false,
        }
    }
}

/// `--healthcheck`: a plain HTTP/1.1 GET of `/_emulator/health` with std only, so the binary can
/// check itself where nothing else is installed. A wildcard bind address is reached on loopback.
pub fn healthcheck(config: &Config) -> Result<(), String> {
    use std::io::{Read, Write};
    use std::net::{TcpStream, ToSocketAddrs};
    use std::time::Duration;

    let host = match config.host.as_str() {
        "0.0.0.0" | "" => "127.0.0.1",
        "::" | "[::]" => "::1",
        h => h,
    };
    let timeout = Duration::from_secs(3);
    let addr = (host.trim_matches(|c| c == '[' || c == ']'), config.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("cannot resolve {host}"))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "GET /_emulator/health HTTP/1.1\r\nHost: {host}:{}\r\nConnection: close\r\n\r\n",
        config.port
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("cannot send to {addr}: {e}"))?;
    let mut head = Vec::new();
    // The status line is all that matters; a capped read keeps a confused peer from hanging us.
    let _ = stream.take(4096).read_to_end(&mut head);
    let text = String::from_utf8_lossy(&head);
    let status = text.lines().next().unwrap_or_default();
    if status.starts_with("HTTP/1.1 200") || status.starts_with("HTTP/1.0 200") {
        Ok(())
    } else if status.is_empty() {
        Err(format!("no answer from {addr}"))
    } else {
        Err(format!("{addr} answered {status}"))
    }
}

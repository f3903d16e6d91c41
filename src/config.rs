//! Command line and environment (`COGNITO_EMULATOR_<FLAG>`), as in design/emulator-interface.md.

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
    #[arg(long, env = "COGNITO_EMULATOR_DB", default_value = "cognito-emulator.db")]
    pub db: String,
    /// Seed file (JSON or YAML) with pools, clients, users and groups to create at start-up.
    #[arg(long, env = "COGNITO_EMULATOR_SEED")]
    pub seed: Option<PathBuf>,
    /// Base URL clients reach the emulator under (token issuer is URL/POOL_ID). Default http://HOST:PORT.
    #[arg(long, env = "COGNITO_EMULATOR_EXTERNAL_URL")]
    pub external_url: Option<String>,
    /// Every code the emulator "sends" is this value instead of a random one.
    #[arg(long, env = "COGNITO_EMULATOR_FIXED_CODE")]
    pub fixed_code: Option<String>,
    /// Log format.
    #[arg(long, env = "COGNITO_EMULATOR_LOG_FORMAT", value_enum, default_value = "pretty")]
    pub log_format: LogFormat,
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
            log_format: LogFormat::Pretty,
        }
    }
}

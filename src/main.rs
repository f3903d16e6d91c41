use clap::Parser;
use cognito_emulator::config::{Config, LogFormat};
use cognito_emulator::Application;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of the system allocator: measured side by side in bench/README.md
/// ("Allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let config = Config::parse();
    if config.healthcheck {
        match cognito_emulator::config::healthcheck(&config) {
            Ok(()) => std::process::exit(0),
            Err(e) => {
                eprintln!("cognito-emulator: unhealthy: {e}");
                std::process::exit(1);
            }
        }
    }
    let filter = EnvFilter::try_from_env("COGNITO_EMULATOR_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    match config.log_format {
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
        // Colour codes only on a terminal: `docker logs` and CI logs show them as junk.
        LogFormat::Pretty => tracing_subscriber::fmt()
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .with_env_filter(filter)
            .init(),
    }
    let db = config.db.clone();
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("cognito-emulator: {e:#}");
            std::process::exit(1);
        }
    };
    let addr = app.local_addr();
    match app.tls_addr() {
        Some(tls_addr) => {
            let ca = match app.tls_ca_file() {
                Some(file) => format!(
                    "; CA at http://{addr}/_emulator/tls/ca.pem ({})",
                    file.display()
                ),
                None => "; certificate from --tls-cert".to_string(),
            };
            tracing::info!(%addr, %tls_addr, db = %db, external_url = %app.state().external_url, "cognito-emulator ready on http://{addr} and https://{tls_addr} (database {db}){ca}");
        }
        None => {
            tracing::info!(%addr, db = %db, external_url = %app.state().external_url, "cognito-emulator ready on http://{addr} (database {db})");
        }
    }
    if let Err(e) = app.serve().await {
        eprintln!("cognito-emulator: {e}");
        std::process::exit(1);
    }
}

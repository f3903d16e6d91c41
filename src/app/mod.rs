//! Application state and the router. `main` only parses the command line and calls
//! [`Application::build`]; tests build the same application on port 0.

pub mod seed;

use crate::config::Config;
use crate::http;
use crate::state::{App, AppState};
use crate::store::Store;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

pub fn router(app: App) -> Router {
    http::router(app)
}

/// A bound, ready-to-serve emulator.
pub struct Application {
    listener: TcpListener,
    app: App,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let addr = format!("{}:{}", config.host, config.port);
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        let local = listener.local_addr()?;
        let external_url = config
            .external_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", display_addr(local)));
        // SRP's fixed-base table (~50 ms to build) on a side thread, so start-up does not wait for it.
        std::thread::spawn(crate::crypto::srp::precompute);
        let store = Store::open(&config.db).await?;
        let app = Arc::new(AppState::new(config, store, external_url));
        if let Some(seed) = app.config.seed.clone() {
            seed::load(&app, &seed).await?;
            let reseed: crate::state::Reseeder = Arc::new(move |app: App| {
                let path = seed.clone();
                Box::pin(async move { seed::load(&app, &path).await.map_err(|e| format!("{e:#}")) })
            });
            let _ = app.reseed.set(reseed);
        }
        Ok(Self { listener, app })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn state(&self) -> App {
        self.app.clone()
    }

    pub async fn serve(self) -> std::io::Result<()> {
        axum::serve(self.listener, router(self.app))
            .with_graceful_shutdown(shutdown_signal())
            .await
    }

    /// Serve until the future completes (tests drop the task instead).
    pub async fn serve_forever(self) -> std::io::Result<()> {
        axum::serve(self.listener, router(self.app)).await
    }
}

fn display_addr(a: SocketAddr) -> String {
    if a.ip().is_unspecified() {
        format!("localhost:{}", a.port())
    } else {
        a.to_string()
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

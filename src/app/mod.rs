//! Application state and the router. `main` only parses the command line and calls
//! [`Application::build`]; tests build the same application on port 0.

pub mod export;
mod linger;
pub mod seed;
pub mod tls;

use crate::config::Config;
use crate::http;
use crate::http::tls::TlsCa;
use crate::state::{App, AppState};
use crate::store::Store;
use axum::{Extension, Router};
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;

pub fn router(app: App) -> Router {
    // Export writes the seed format, which this layer owns, so its route is added here.
    http::router(app.clone()).route(
        "/_emulator/export",
        axum::routing::get(export::export).with_state(app),
    )
}

/// A bound, ready-to-serve emulator.
pub struct Application {
    listener: TcpListener,
    app: App,
    /// The HTTPS listener (`--tls-port`).
    tls: Option<tls::TlsListener>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let addr = format!("{}:{}", config.host, config.port);
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        let local = listener.local_addr()?;
        let tls = tls::bind(&config).await?;
        let external_url = config
            .external_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", display_addr(local)));
        let store = Store::open(&config.db).await?;
        // A database that already holds pools will see passwords: build SRP's table now, on a
        // side thread (CreateUserPool does it for a new pool).
        if !store.list_pools(None, 1).await?.is_empty() {
            crate::crypto::srp::precompute_in_background();
        }
        let app = Arc::new(AppState::new(config, store, external_url));
        if let Some(seed) = app.config.seed.clone() {
            seed::load(&app, &seed).await?;
            let reseed: crate::state::Reseeder = Arc::new(move |app: App| {
                let path = seed.clone();
                Box::pin(async move { seed::load(&app, &path).await.map_err(|e| format!("{e:#}")) })
            });
            let _ = app.reseed.set(reseed);
        }
        Ok(Self { listener, app, tls })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The HTTPS listener's address, with `--tls-port`.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls.as_ref().map(|t| t.local_addr())
    }

    /// The emulator's CA certificate file, when HTTPS is on without `--tls-cert`.
    pub fn tls_ca_file(&self) -> Option<&Path> {
        self.tls.as_ref().and_then(|t| t.ca_file.as_deref())
    }

    pub fn state(&self) -> App {
        self.app.clone()
    }

    /// Both listeners serve one router (and so one state); `GET /_emulator/tls/ca.pem` on each.
    fn routes(app: App, tls: Option<&tls::TlsListener>) -> Router {
        let ca = tls.map_or(TlsCa::Off, |t| t.ca.clone());
        router(app).layer(Extension(ca))
    }

    pub async fn serve(self) -> std::io::Result<()> {
        let routes = Self::routes(self.app, self.tls.as_ref());
        let plain = axum::serve(linger::LingeringListener(self.listener), routes.clone())
            .with_graceful_shutdown(shutdown_signal())
            .into_future();
        match self.tls {
            // The HTTPS accept loop ends with the plain listener's graceful shutdown.
            Some(tls) => tokio::select! { r = plain => r, r = tls.serve(routes) => r },
            None => plain.await,
        }
    }

    /// Serve until the future completes (tests drop the task instead).
    pub async fn serve_forever(self) -> std::io::Result<()> {
        let routes = Self::routes(self.app, self.tls.as_ref());
        let plain =
            axum::serve(linger::LingeringListener(self.listener), routes.clone()).into_future();
        match self.tls {
            Some(tls) => tokio::select! { r = plain => r, r = tls.serve(routes) => r },
            None => plain.await,
        }
    }
}

pub(crate) fn display_addr(a: SocketAddr) -> String {
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

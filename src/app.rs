//! Application state and the router. `main` only parses the command line and calls
//! [`Application::build`]; tests build the same application on port 0.

use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::jwt::{self, KeyFactory, LoadedKey};
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::store::Store;
use axum::Router;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use tokio::net::TcpListener;

pub type App = Arc<AppState>;

/// A pool's two signing keys, loaded once.
pub struct PoolKeys {
    pub id: LoadedKey,
    pub access: LoadedKey,
}

pub struct AppState {
    pub config: Config,
    pub store: Store,
    pub clock: Clock,
    /// Base URL clients reach us under; issuer = `{external_url}/{pool_id}`.
    pub external_url: String,
    /// Per-pool trigger webhooks and Lambda endpoints (seed file, `/_emulator/triggers`).
    pub triggers: crate::triggers::Registry,
    key_factory: Arc<KeyFactory>,
    keys: RwLock<HashMap<String, Arc<PoolKeys>>>,
    key_creation: tokio::sync::Mutex<()>,
}

impl AppState {
    pub fn new(config: Config, store: Store, external_url: String) -> Self {
        Self {
            config,
            store,
            clock: Clock::default(),
            external_url: external_url.trim_end_matches('/').to_string(),
            triggers: Default::default(),
            key_factory: Arc::new(KeyFactory::start(2)),
            keys: RwLock::new(HashMap::new()),
            key_creation: tokio::sync::Mutex::new(()),
        }
    }

    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{}", self.external_url, pool_id)
    }

    /// The pool's signing keys, created on first use and persisted.
    pub async fn pool_keys(&self, pool_id: &str) -> ApiResult<Arc<PoolKeys>> {
        if let Some(k) = self.cached_keys(pool_id) {
            return Ok(k);
        }
        let _guard = self.key_creation.lock().await;
        if let Some(k) = self.cached_keys(pool_id) {
            return Ok(k);
        }
        let mut stored = self.store.signing_keys(pool_id).await?;
        if stored.len() < 2 {
            let mut fresh = Vec::new();
            for token_use in ["id", "access"] {
                // RSA generation is CPU-bound: keep it off the async workers.
                let factory = self.key_factory.clone();
                let factory_key = tokio::task::spawn_blocking(move || factory.take())
                    .await
                    .map_err(ApiError::internal)?;
                let key =
                    factory_key.ok_or_else(|| ApiError::internal("RSA key generation failed"))?;
                fresh.push(
                    jwt::signing_key(&key, token_use)
                        .ok_or_else(|| ApiError::internal("RSA key encoding failed"))?,
                );
            }
            self.store.insert_signing_keys(pool_id, &fresh).await?;
            stored = self.store.signing_keys(pool_id).await?;
        }
        let find = |use_: &str| {
            stored
                .iter()
                .find(|k| k.token_use == use_)
                .and_then(LoadedKey::load)
                .ok_or_else(|| ApiError::internal("signing key missing"))
        };
        let keys = Arc::new(PoolKeys {
            id: find("id")?,
            access: find("access")?,
        });
        if let Ok(mut map) = self.keys.write() {
            map.insert(pool_id.to_string(), keys.clone());
        }
        Ok(keys)
    }

    fn cached_keys(&self, pool_id: &str) -> Option<Arc<PoolKeys>> {
        self.keys.read().ok()?.get(pool_id).cloned()
    }

    /// Forget cached keys (pool deleted, emulator reset).
    pub fn drop_keys(&self, pool_id: Option<&str>) {
        if let Ok(mut map) = self.keys.write() {
            match pool_id {
                Some(id) => {
                    map.remove(id);
                }
                None => map.clear(),
            }
        }
    }
}

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
            crate::seed::load(&app, &seed).await?;
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

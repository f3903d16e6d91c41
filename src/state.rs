//! The emulator's shared state ([`AppState`]) and the context every operation runs in ([`Ctx`]):
//! below the I/O helpers (`delivery`, `triggers`, `tokens`), the operations and the HTTP layer,
//! which all take them.

use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::jwt::{self, KeyFactory, LoadedKey};
use crate::domain::faults::FaultSet;
use crate::domain::triggers::PoolTriggers;
use crate::error::{ApiError, ApiResult};
use crate::store::Store;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub type App = Arc<AppState>;

/// Loads the seed file into the state; Err is what is wrong with it.
pub type Reseeder = Arc<
    dyn Fn(App) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send>>
        + Send
        + Sync,
>;

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
    pub triggers: Registry,
    /// Fault rules (`/_emulator/faults`), cleared by `/_emulator/reset`.
    pub faults: Faults,
    /// Signalled whenever a message is written to the outbox (`/_emulator/messages?wait=`).
    pub outbox_written: tokio::sync::Notify,
    /// Applies the `--seed` file again (`/_emulator/reset` with `reseed`); set by the application
    /// assembly, which owns the seed format.
    pub reseed: std::sync::OnceLock<Reseeder>,
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
            faults: Default::default(),
            outbox_written: tokio::sync::Notify::new(),
            reseed: std::sync::OnceLock::new(),
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

/// What every operation gets besides its input.
#[derive(Clone)]
pub struct Ctx {
    pub app: App,
    pub request_id: String,
    pub operation: &'static str,
    /// What the request said that triggers see (operation, ClientMetadata, client id), passed
    /// explicitly so that a trigger deep in token minting or message delivery gets it too.
    pub request: Arc<RequestInfo>,
}

impl Ctx {
    /// The context of an operation run from outside an API request (the OAuth 2.0 endpoints,
    /// seeding): `request` says what its triggers see.
    pub fn new(app: &App, operation: &'static str, request: RequestInfo) -> Self {
        Ctx {
            app: app.clone(),
            request_id: uuid::Uuid::new_v4().to_string(),
            operation,
            request: Arc::new(request),
        }
    }
}

/// What the API request that runs a trigger said, kept for the whole request so every trigger
/// (some run deep in token minting or message delivery) sees the operation and ClientMetadata.
#[derive(Debug, Clone, Default)]
pub struct RequestInfo {
    pub operation: String,
    pub auth_flow: Option<String>,
    pub challenge_name: Option<String>,
    pub client_metadata: Option<Value>,
    pub client_id: Option<String>,
    /// Seeding creates users without running the pool's triggers.
    pub suppressed: bool,
}

impl RequestInfo {
    /// What triggers need from an API request body.
    pub fn of(operation: &str, body: &Value) -> Self {
        let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
        RequestInfo {
            operation: operation.to_string(),
            auth_flow: text("AuthFlow"),
            challenge_name: text("ChallengeName"),
            client_metadata: body
                .get("ClientMetadata")
                .filter(|m| m.is_object())
                .cloned(),
            client_id: text("ClientId"),
            suppressed: false,
        }
    }
}

/// Per-pool settings, kept in memory: the seed file sets them again at every start, and
/// `/_emulator/reset` clears them.
#[derive(Default)]
pub struct Registry {
    pools: RwLock<HashMap<String, PoolTriggers>>,
}

impl Registry {
    pub fn set(&self, pool_id: &str, triggers: PoolTriggers) {
        if let Ok(mut m) = self.pools.write() {
            m.insert(pool_id.to_string(), triggers);
        }
    }

    pub fn get(&self, pool_id: &str) -> PoolTriggers {
        self.pools
            .read()
            .ok()
            .and_then(|m| m.get(pool_id).cloned())
            .unwrap_or_default()
    }

    pub fn clear(&self) {
        if let Ok(mut m) = self.pools.write() {
            m.clear();
        }
    }
}

/// The fault rules, behind a flag read without locking so that calls pay nothing while no rule
/// exists.
#[derive(Default)]
pub struct Faults {
    active: std::sync::atomic::AtomicBool,
    next_id: std::sync::atomic::AtomicU64,
    set: std::sync::Mutex<FaultSet>,
}

impl Faults {
    /// Whether any rule exists (spent ones included); the one check on the hot path.
    pub fn active(&self) -> bool {
        self.active.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs `f` on the rule set and keeps the flag in step with it.
    pub fn with<T>(&self, f: impl FnOnce(&mut FaultSet) -> T) -> T {
        let mut set = match self.set.lock() {
            Ok(s) => s,
            // A panic while holding the lock leaves a set that is still consistent (every
            // method finishes its change in one statement).
            Err(poisoned) => poisoned.into_inner(),
        };
        let out = f(&mut set);
        self.active
            .store(!set.is_empty(), std::sync::atomic::Ordering::Relaxed);
        out
    }

    pub fn next_id(&self) -> String {
        let n = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        format!("fault-{n}")
    }
}

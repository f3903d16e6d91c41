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

/// The base URL a request arrived under when it is not `external_url`: over the HTTPS listener
/// without `--external-url`, `https://HOST` as the client called it. The HTTP layer puts it in
/// the request's extensions (`http::tls::request_base`); handlers pass it on in [`RequestInfo`],
/// so what a request answers (issuers, discovery and OAuth URLs) follows the listener it used.
#[derive(Debug, Clone)]
pub struct RequestBase(pub Arc<str>);

/// Whether `s` can stand between `https://` and the path of one of our URLs: a host name, an IPv4
/// address or a bracketed IPv6 address, with an optional port (RFC 3986 section 3.2), and nothing
/// that could break out of a URL or a JSON string.
pub fn is_url_authority(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']')
        })
}
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
    /// Hosted-UI sign-ins waiting for an identity provider, and the emulator's stand-in provider.
    pub federation: Federation,
    /// Fault rules (`/_emulator/faults`), cleared by `/_emulator/reset`.
    pub faults: Faults,
    /// Signalled whenever a message is written to the outbox (`/_emulator/messages?wait=`).
    pub outbox_written: tokio::sync::Notify,
    /// Applies the `--seed` file again (`/_emulator/reset` with `reseed`); set by the application
    /// assembly, which owns the seed format.
    pub reseed: std::sync::OnceLock<Reseeder>,
    /// Saved states by name (`/_emulator/snapshots`); a tokio mutex so that saving and
    /// restoring, which wait on the database, never run at the same time.
    pub snapshots: tokio::sync::Mutex<std::collections::BTreeMap<String, Arc<Snapshot>>>,
    /// The most recent API and OAuth calls (`/_emulator/requests`).
    pub requests: RequestLog,
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
            federation: Default::default(),
            faults: Default::default(),
            outbox_written: tokio::sync::Notify::new(),
            reseed: std::sync::OnceLock::new(),
            snapshots: Default::default(),
            requests: Default::default(),
            key_factory: Arc::new(KeyFactory::start(2)),
            keys: RwLock::new(HashMap::new()),
            key_creation: tokio::sync::Mutex::new(()),
        }
    }

    /// The base URL an answer names: the request's own (`base`, see [`RequestBase`]), else
    /// `external_url`.
    pub fn base_url(&self, base: Option<&str>) -> String {
        base.unwrap_or(&self.external_url).to_string()
    }

    /// The pool's issuer (`iss` of the tokens it mints) for a request that arrived under `base`.
    pub fn issuer(&self, base: Option<&str>, pool_id: &str) -> String {
        format!("{}/{}", self.base_url(base), pool_id)
    }

    /// Whether `iss` is an issuer this emulator gives the pool: the `external_url` form, or
    /// without `--external-url` and with the HTTPS listener on, `https://HOST/POOL_ID` for any
    /// host a client reached it under. A token signed in over https is then still good for
    /// GetUser over http (a backend and an app seldom use the same listener); the signature
    /// check with the pool's own key is what keeps foreign tokens out.
    pub fn is_own_issuer(&self, iss: &str, pool_id: &str, request_base: Option<&str>) -> bool {
        let Some(base) = iss.strip_suffix(pool_id).and_then(|b| b.strip_suffix('/')) else {
            return false;
        };
        if base == self.external_url || base == self.base_url(request_base) {
            return true;
        }
        self.config.external_url.is_none()
            && self.config.tls_port.is_some()
            && base.strip_prefix("https://").is_some_and(is_url_authority)
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

    /// The region a new pool is made in: the one the request was signed for, else the default.
    pub fn region(&self) -> &str {
        self.request.region.as_deref().unwrap_or(crate::ids::REGION)
    }

    /// The base URL this request's answers name (see [`RequestBase`]).
    pub fn base_url(&self) -> String {
        self.app.base_url(self.request.base_url.as_deref())
    }

    /// The pool's issuer as this request sees it.
    pub fn issuer(&self, pool_id: &str) -> String {
        self.app.issuer(self.request.base_url.as_deref(), pool_id)
    }

    /// Whether `iss` is one of this emulator's issuers for the pool (see
    /// [`AppState::is_own_issuer`]).
    pub fn is_own_issuer(&self, iss: &str, pool_id: &str) -> bool {
        self.app
            .is_own_issuer(iss, pool_id, self.request.base_url.as_deref())
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
    /// A sign-in step taken on the hosted UI pages: it ends in an authorization code, so a
    /// finished sign-in records the user and leaves the tokens to the token endpoint.
    pub hosted_ui: bool,
    /// The region of the request's SigV4 credential scope, when it was signed.
    pub region: Option<String>,
    /// The base URL the request arrived under, when it is not `external_url` ([`RequestBase`]).
    pub base_url: Option<Arc<str>>,
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
            hosted_ui: false,
            region: None,
            base_url: None,
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

    /// Every pool's settings (what a snapshot keeps).
    pub fn all(&self) -> HashMap<String, PoolTriggers> {
        self.pools.read().map(|m| m.clone()).unwrap_or_default()
    }

    /// Replaces every pool's settings with `all`.
    pub fn replace_all(&self, all: HashMap<String, PoolTriggers>) {
        if let Ok(mut m) = self.pools.write() {
            *m = all;
        }
    }
}

/// A saved state (`/_emulator/snapshots/{name}`): the database, and what lives in memory beside
/// it (the clock's offset, the per-pool trigger settings).
pub struct Snapshot {
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub tables: crate::store::snapshots::Tables,
    pub clock_offset: chrono::Duration,
    pub triggers: HashMap<String, PoolTriggers>,
}

/// A hosted-UI sign-in sent to an identity provider, until the provider answers at
/// `/oauth2/idpresponse` with the `state` it was given.
#[derive(Debug, Clone)]
pub struct PendingFederation {
    pub pool_id: String,
    pub provider_name: String,
    /// The app's `/oauth2/authorize` query, replayed when the provider answers.
    pub authorize_query: String,
    pub expires_at: f64,
    /// A real OIDC provider's endpoints; `None` when the stand-in provider answers.
    pub upstream: Option<OidcEndpoints>,
}

/// Where a real OIDC provider is reached (its discovery document, or the provider's
/// `authorize_url` / `token_url` / `jwks_uri` / `attributes_url` details).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcEndpoints {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub userinfo_endpoint: Option<String>,
}

/// An identity the emulator's stand-in provider signs in as: the subject and its claims.
#[derive(Debug, Clone, PartialEq)]
pub struct MockIdentity {
    pub subject: String,
    pub claims: serde_json::Map<String, Value>,
}

/// What the stand-in provider's authorization code stands for.
#[derive(Debug, Clone)]
pub struct MockCode {
    pub pool_id: String,
    pub provider_name: String,
    pub identity: MockIdentity,
    pub expires_at: f64,
}

/// Federation state kept in memory: sign-ins last minutes, and a restart ends them as it would
/// end a browser's round trip to a provider.
#[derive(Default)]
pub struct Federation {
    pub pending: std::sync::Mutex<HashMap<String, PendingFederation>>,
    /// `(pool id, provider name)` → the identity the next authorization through that provider
    /// signs in as (`POST /_emulator/idp/{userPoolId}/{providerName}/next`).
    pub next: std::sync::Mutex<HashMap<(String, String), MockIdentity>>,
    pub codes: std::sync::Mutex<HashMap<String, MockCode>>,
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

/// One call in the request log. Only names and outcomes: never a password, code, token, SRP
/// value or session.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    /// When the call arrived, on the emulator clock; written as RFC 3339 with milliseconds when
    /// the log is read, not on every call.
    #[serde(serialize_with = "rfc3339_millis")]
    pub time: chrono::DateTime<chrono::Utc>,
    /// The API operation (`InitiateAuth`) or the OAuth 2.0 endpoint (`oauth2/token`, `login`...).
    pub operation: String,
    pub user_pool_id: Option<String>,
    pub client_id: Option<String>,
    pub username: Option<String>,
    pub status: u16,
    pub error_type: Option<String>,
    pub latency_ms: u64,
    /// The fault rule that applied, if one did.
    pub fault_id: Option<String>,
}

fn rfc3339_millis<S: serde::Serializer>(
    t: &chrono::DateTime<chrono::Utc>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// The most recent calls, at most [`RequestLog::CAPACITY`]; the oldest go first.
#[derive(Default)]
pub struct RequestLog {
    ring: std::sync::Mutex<std::collections::VecDeque<RequestRecord>>,
}

impl RequestLog {
    pub const CAPACITY: usize = 1000;

    pub fn push(&self, record: RequestRecord) {
        let mut ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        if ring.len() >= Self::CAPACITY {
            ring.pop_front();
        }
        ring.push_back(record);
    }

    /// Newest first, the ones `keep` accepts, at most `limit`.
    pub fn recent(
        &self,
        limit: usize,
        keep: impl Fn(&RequestRecord) -> bool,
    ) -> Vec<RequestRecord> {
        let ring = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        ring.iter()
            .rev()
            .filter(|r| keep(r))
            .take(limit)
            .cloned()
            .collect()
    }
}

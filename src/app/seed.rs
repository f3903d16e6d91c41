//! Seed files (`--seed FILE`, JSON, or YAML for any other extension): pools, app clients, groups,
//! users and the pool MFA configuration created at start-up. See `fixtures/README.md`.
//!
//! Everything goes through the same operation functions as the API (model validation included),
//! so a seeded pool is exactly what CreateUserPool would have made. Loading is idempotent: a pool,
//! client, group or user that already exists (by the id given, else by name) is left as it is and
//! only what is missing is added, so restarting on the same database changes nothing.

use crate::domain::user_status::UserStatus;
use crate::error::ApiError;
use crate::model::shapes::*;
use crate::model::{catalog, validate};
use crate::ops;
use crate::state::{App, Ctx, RequestInfo};
use anyhow::{anyhow, bail, Context};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The statuses a seed file may give a user, in the order the error message lists them.
const USER_STATUSES: &[UserStatus] = &[
    UserStatus::Confirmed,
    UserStatus::ForceChangePassword,
    UserStatus::Unconfirmed,
    UserStatus::ResetRequired,
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(rename = "UserPools", default)]
    user_pools: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct SeedUser {
    username: String,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    attributes: Option<SeedAttributes>,
    #[serde(default)]
    groups: Vec<String>,
    /// The user's `sub`, kept as given (an exported user keeps its identity, and in pools whose
    /// usernames are emails or phone numbers its SRP username, which is the sub).
    #[serde(default)]
    sub: Option<String>,
    /// The password as SRP salt and verifier, hex (what `/_emulator/export` writes).
    #[serde(default)]
    password_verifier: Option<SeedVerifier>,
    /// The user's MFA settings as `/_emulator/export` writes them.
    #[serde(default)]
    mfa_settings: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct SeedVerifier {
    salt: String,
    verifier: String,
}

/// Attributes as a map (`email: a@b.c`) or as the API's list of `{Name, Value}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum SeedAttributes {
    Map(BTreeMap<String, Value>),
    List(Vec<AttributeType>),
}

impl SeedAttributes {
    fn into_api(self) -> Vec<AttributeType> {
        match self {
            SeedAttributes::List(l) => l,
            SeedAttributes::Map(m) => m
                .into_iter()
                .map(|(name, v)| AttributeType {
                    name: Some(name),
                    value: Some(match v {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        other => other.to_string(),
                    }),
                })
                .collect(),
        }
    }
}

/// Loads `path` into the store. Any problem is an error naming the file and the entry.
pub async fn load(app: &App, path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow!("cannot read seed file {}: {e}", path.display()))?;
    let doc: Value = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        serde_json::from_str(&text)
            .map_err(|e| anyhow!("seed file {} is not valid JSON: {e}", path.display()))?
    } else {
        serde_yaml::from_str(&text)
            .map_err(|e| anyhow!("seed file {} is not valid YAML: {e}", path.display()))?
    };
    apply(app, doc)
        .await
        .with_context(|| format!("seed file {}", path.display()))
}

/// Applies an already parsed seed document (tests and `load`).
pub async fn apply(app: &App, doc: Value) -> anyhow::Result<()> {
    let file: SeedFile = serde_json::from_value(doc)
        .map_err(|e| anyhow!("{e} (the top level has one member, UserPools)"))?;
    // Seeded users are created as they are: the pool's triggers (whose functions may not be
    // running yet) do not see them.
    let suppressed = RequestInfo {
        suppressed: true,
        ..Default::default()
    };
    let ctx = Ctx::new(app, "Seed", suppressed);
    for (i, entry) in file.user_pools.into_iter().enumerate() {
        let label = entry
            .get("Id")
            .or_else(|| entry.get("PoolName"))
            .and_then(Value::as_str)
            .map(|s| format!("pool {s}"))
            .unwrap_or_else(|| format!("pool #{}", i + 1));
        seed_pool(&ctx, entry).await.with_context(|| label)?;
    }
    Ok(())
}

fn api(e: ApiError) -> anyhow::Error {
    anyhow!("{}: {}", e.code, e.message.unwrap_or_default())
}

/// Takes the members that belong to `shape` out of `obj` after checking there are no others,
/// validates them as the API would and deserialises the request.
fn request<T: serde::de::DeserializeOwned>(
    operation: &str,
    body: Map<String, Value>,
) -> anyhow::Result<T> {
    let op =
        catalog::operation(operation).ok_or_else(|| anyhow!("unknown operation {operation}"))?;
    if let Some(shape) = op.input.and_then(catalog::shape) {
        for key in body.keys() {
            if !shape.members.iter().any(|m| m.name == key) {
                bail!(
                    "unknown member {key} (expected {} members or the seed file's own keys)",
                    operation
                );
            }
        }
    }
    let body = Value::Object(body);
    validate::validate_input(op, &body).map_err(|e| anyhow!("{e}"))?;
    serde_json::from_value(body).map_err(|e| anyhow!("{e}"))
}

fn take_list(obj: &mut Map<String, Value>, key: &str) -> anyhow::Result<Vec<Value>> {
    match obj.remove(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => bail!("{key} must be a list"),
    }
}

fn take_string(obj: &mut Map<String, Value>, key: &str) -> anyhow::Result<Option<String>> {
    match obj.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => bail!("{key} must be a string"),
    }
}

/// The pool entry's `LambdaEndpoint` and `TriggerWebhooks` (where the triggers of the pool's
/// LambdaConfig run; see `triggers::config`).
fn take_triggers(
    obj: &mut Map<String, Value>,
) -> anyhow::Result<crate::domain::triggers::PoolTriggers> {
    let mut settings = Map::new();
    for key in ["LambdaEndpoint", "TriggerWebhooks"] {
        if let Some(v) = obj.remove(key) {
            settings.insert(key.to_string(), v);
        }
    }
    let triggers: crate::domain::triggers::PoolTriggers =
        serde_json::from_value(Value::Object(settings)).map_err(|e| anyhow!("{e}"))?;
    triggers.validate().map_err(|e| anyhow!("{e}"))?;
    Ok(triggers)
}

fn object(v: Value, what: &str) -> anyhow::Result<Map<String, Value>> {
    match v {
        Value::Object(o) => Ok(o),
        _ => bail!("{what} must be a mapping"),
    }
}

fn valid_pool_id(id: &str) -> bool {
    match id.split_once('_') {
        Some((region, name)) => {
            !region.is_empty()
                && region
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric())
                && id.len() <= 55
        }
        None => false,
    }
}

async fn seed_pool(ctx: &Ctx, entry: Value) -> anyhow::Result<()> {
    let mut obj = object(entry, "a UserPools entry")?;
    let id = take_string(&mut obj, "Id")?;
    let mfa = obj.remove("MfaConfig");
    let clients = take_list(&mut obj, "Clients")?;
    let groups = take_list(&mut obj, "Groups")?;
    let users = take_list(&mut obj, "Users")?;
    let triggers = take_triggers(&mut obj)?;
    let store = &ctx.app.store;

    let existing = match &id {
        Some(id) => {
            if !valid_pool_id(id) {
                bail!(
                    "Id {id} is not a user pool id (REGION_ALPHANUMERIC, e.g. us-east-1_Example01)"
                );
            }
            store.get_pool(id).await?.map(Arc::unwrap_or_clone)
        }
        None => {
            let name = obj
                .get("PoolName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            store
                .list_pools(None, i64::MAX)
                .await?
                .into_iter()
                .find(|p| p.name.as_deref() == Some(name))
        }
    };
    let pool_id = match existing {
        Some(p) => p.id.unwrap_or_default(),
        None => {
            let req: CreateUserPoolRequest = request("CreateUserPool", obj)?;
            let created = ops::pools::create_user_pool(ctx.clone(), req)
                .await
                .map_err(api)?;
            let mut pool = created.user_pool.unwrap_or_default();
            let generated = pool.id.clone().unwrap_or_default();
            let pool_id = match id {
                Some(fixed) => {
                    // Nothing refers to the new pool yet (its keys are made on first use), so
                    // re-inserting it under the requested id is the same as having created it so.
                    let mfa_doc = store.get_pool_mfa(&generated).await?.unwrap_or_default();
                    store.delete_pool(&generated).await?;
                    pool.id = Some(fixed.clone());
                    pool.arn = Some(crate::ids::user_pool_arn(&fixed));
                    let created_at = pool.creation_date.unwrap_or_else(|| ctx.app.clock.epoch());
                    store.insert_pool(&pool, &mfa_doc, &[], created_at).await?;
                    fixed
                }
                None => generated,
            };
            tracing::info!(pool_id = %pool_id, "seed: created user pool");
            // The MFA configuration only applies to a new pool: changes made later through the
            // API survive a restart.
            if let Some(m) = mfa {
                let mut body = object(m, "MfaConfig")?;
                body.insert("UserPoolId".into(), Value::String(pool_id.clone()));
                let req: SetUserPoolMfaConfigRequest =
                    request("SetUserPoolMfaConfig", body).context("MfaConfig")?;
                ops::pools::set_user_pool_mfa_config(ctx.clone(), req)
                    .await
                    .map_err(api)
                    .context("MfaConfig")?;
            }
            pool_id
        }
    };

    // Emulator-only settings are set at every start, so editing them in the file takes effect on
    // an existing database too.
    ctx.app.triggers.set(&pool_id, triggers);
    for (i, c) in clients.into_iter().enumerate() {
        seed_client(ctx, &pool_id, c)
            .await
            .with_context(|| format!("Clients #{}", i + 1))?;
    }
    for (i, g) in groups.into_iter().enumerate() {
        seed_group(ctx, &pool_id, g)
            .await
            .with_context(|| format!("Groups #{}", i + 1))?;
    }
    for (i, u) in users.into_iter().enumerate() {
        let label = u
            .get("Username")
            .and_then(Value::as_str)
            .map(|s| format!("user {s}"))
            .unwrap_or_else(|| format!("Users #{}", i + 1));
        seed_user(ctx, &pool_id, u).await.with_context(|| label)?;
    }
    Ok(())
}

async fn seed_client(ctx: &Ctx, pool_id: &str, entry: Value) -> anyhow::Result<()> {
    let mut obj = object(entry, "a Clients entry")?;
    let fixed_id = take_string(&mut obj, "ClientId")?;
    let store = &ctx.app.store;
    if let Some(id) = &fixed_id {
        if id.is_empty()
            || id.len() > 128
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
        {
            bail!("ClientId {id} is not a client id (1-128 letters, digits, _ or +)");
        }
        if let Some(c) = store.get_client(id).await? {
            if c.user_pool_id.as_deref() != Some(pool_id) {
                bail!(
                    "ClientId {id} already belongs to pool {}",
                    c.user_pool_id.as_deref().unwrap_or_default()
                );
            }
            return Ok(());
        }
    } else {
        let name = obj
            .get("ClientName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let existing = store.list_clients(pool_id, None, i64::MAX).await?;
        if existing
            .iter()
            .any(|c| c.client_name.as_deref() == Some(name))
        {
            return Ok(());
        }
    }
    obj.insert("UserPoolId".into(), Value::String(pool_id.to_string()));
    let req: CreateUserPoolClientRequest = request("CreateUserPoolClient", obj)?;
    let created = ops::clients::create_user_pool_client(ctx.clone(), req)
        .await
        .map_err(api)?;
    let mut client = created.user_pool_client.unwrap_or_default();
    if let Some(id) = fixed_id {
        let generated = client.client_id.clone().unwrap_or_default();
        store.delete_client(pool_id, &generated).await?;
        client.client_id = Some(id);
        let created_at = client
            .creation_date
            .unwrap_or_else(|| ctx.app.clock.epoch());
        store.insert_client(&client, created_at).await?;
    }
    tracing::info!(
        pool_id,
        client_id = client.client_id.as_deref().unwrap_or_default(),
        "seed: created app client"
    );
    Ok(())
}

async fn seed_group(ctx: &Ctx, pool_id: &str, entry: Value) -> anyhow::Result<()> {
    let mut obj = object(entry, "a Groups entry")?;
    let name = obj
        .get("GroupName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if ctx.app.store.get_group(pool_id, &name).await?.is_some() {
        return Ok(());
    }
    obj.insert("UserPoolId".into(), Value::String(pool_id.to_string()));
    let req: CreateGroupRequest = request("CreateGroup", obj)?;
    ops::groups::create_group(ctx.clone(), req)
        .await
        .map_err(api)?;
    Ok(())
}

async fn seed_user(ctx: &Ctx, pool_id: &str, entry: Value) -> anyhow::Result<()> {
    let u: SeedUser = serde_json::from_value(entry).map_err(|e| anyhow!("{e}"))?;
    let status = match u.status.as_deref() {
        None => UserStatus::Confirmed,
        Some(text) => match UserStatus::parse(text) {
            Some(s) if USER_STATUSES.contains(&s) => s,
            _ => bail!(
                "Status {text} is not one of {}",
                USER_STATUSES
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    };
    let pool = ops::common::load_pool(ctx, pool_id).await.map_err(api)?;
    let user = match ops::common::resolve_user(ctx, &pool, &u.username)
        .await
        .map_err(api)?
    {
        Some(existing) => existing,
        None => create_seed_user(ctx, pool_id, &u, status).await?,
    };
    for g in &u.groups {
        ops::groups::admin_add_user_to_group(
            ctx.clone(),
            AdminAddUserToGroupRequest {
                user_pool_id: Some(pool_id.to_string()),
                username: Some(user.username.clone()),
                group_name: Some(g.clone()),
            },
        )
        .await
        .map_err(api)
        .with_context(|| format!("group {g}"))?;
    }
    Ok(())
}

async fn create_seed_user(
    ctx: &Ctx,
    pool_id: &str,
    u: &SeedUser,
    status: UserStatus,
) -> anyhow::Result<crate::domain::records::UserRecord> {
    // Checked before anything is created, so a bad entry leaves nothing half made.
    let verifier = match &u.password_verifier {
        Some(v) => {
            if u.password.is_some() {
                bail!("give Password or PasswordVerifier, not both");
            }
            let salt = hex::decode(&v.salt).map_err(|e| anyhow!("PasswordVerifier Salt: {e}"))?;
            let verifier =
                hex::decode(&v.verifier).map_err(|e| anyhow!("PasswordVerifier Verifier: {e}"))?;
            if salt.is_empty() || verifier.is_empty() {
                bail!("PasswordVerifier needs a non-empty Salt and Verifier");
            }
            Some((salt, verifier))
        }
        None => None,
    };
    if let Some(sub) = &u.sub {
        if uuid::Uuid::parse_str(sub).is_err() {
            bail!("Sub {sub} is not a UUID");
        }
        if ctx.app.store.get_user_by_sub(pool_id, sub).await?.is_some() {
            bail!("Sub {sub} belongs to another user of the pool");
        }
    }
    let attributes = u.attributes.clone();
    let mut body = Map::new();
    body.insert("UserPoolId".into(), pool_id.into());
    body.insert("Username".into(), u.username.clone().into());
    body.insert("MessageAction".into(), "SUPPRESS".into());
    if let Some(a) = attributes {
        body.insert("UserAttributes".into(), serde_json::to_value(a.into_api())?);
    }
    if let Some(pw) = &u.password {
        body.insert("TemporaryPassword".into(), pw.clone().into());
    }
    let req: AdminCreateUserRequest = request("AdminCreateUser", body)?;
    let created = ops::admin_users::admin_create_user(ctx.clone(), req)
        .await
        .map_err(api)?;
    let mut internal = created.user.and_then(|t| t.username).unwrap_or_default();
    match status {
        _ if verifier.is_some() => {}
        UserStatus::Confirmed => {
            let Some(pw) = &u.password else {
                bail!("Status CONFIRMED needs a Password");
            };
            ops::admin_users::admin_set_user_password(
                ctx.clone(),
                AdminSetUserPasswordRequest {
                    user_pool_id: Some(pool_id.to_string()),
                    username: Some(internal.clone()),
                    password: Some(pw.clone()),
                    permanent: Some(true),
                },
            )
            .await
            .map_err(api)?;
        }
        UserStatus::ForceChangePassword => {}
        other => {
            // No operation leaves a user in these states from the admin side; set it directly.
            let store = &ctx.app.store;
            let pool = ops::common::load_pool(ctx, pool_id).await.map_err(api)?;
            let mut user = ops::common::load_user(ctx, &pool, &internal)
                .await
                .map_err(api)?;
            user.status = other;
            store.update_user(&user).await?;
        }
    }
    if verifier.is_some() || u.sub.is_some() || u.mfa_settings.is_some() {
        // What no operation sets: the stored password, the sub, the MFA settings as exported.
        let store = &ctx.app.store;
        let pool = ops::common::load_pool(ctx, pool_id).await.map_err(api)?;
        let mut user = ops::common::load_user(ctx, &pool, &internal)
            .await
            .map_err(api)?;
        if let Some((salt, v)) = verifier {
            user.password_salt = Some(salt);
            user.password_verifier = Some(v);
            user.password_set_at = Some(ctx.app.clock.epoch());
            user.status = status;
        }
        if let Some(m) = &u.mfa_settings {
            user.mfa = m.clone();
        }
        match u.sub.as_ref().filter(|s| **s != user.sub) {
            Some(sub) => {
                // Nothing refers to the new user yet (no groups, codes or tokens), so putting it
                // back under the given sub is the same as having created it so.
                store.delete_user(pool_id, &user.sub).await?;
                if user.username == user.sub {
                    user.username = sub.clone();
                    user.username_key = sub.clone();
                }
                user.sub = sub.clone();
                store.insert_user(&user).await?;
            }
            None => {
                store.update_user(&user).await?;
            }
        }
        internal = user.username.clone();
    }
    if u.enabled == Some(false) {
        ops::admin_users::admin_disable_user(
            ctx.clone(),
            AdminDisableUserRequest {
                user_pool_id: Some(pool_id.to_string()),
                username: Some(internal.clone()),
            },
        )
        .await
        .map_err(api)?;
    }
    let pool = ops::common::load_pool(ctx, pool_id).await.map_err(api)?;
    let user = ops::common::load_user(ctx, &pool, &internal)
        .await
        .map_err(api)?;
    tracing::info!(pool_id, username = %user.username, status = %user.status, "seed: created user");
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_ids() {
        assert!(valid_pool_id("us-east-1_Example01"));
        assert!(!valid_pool_id("example"));
        assert!(!valid_pool_id("us-east-1_"));
        assert!(!valid_pool_id("us-east-1_a-b"));
    }

    #[test]
    fn attribute_maps_stringify_scalars() {
        let a: SeedAttributes =
            serde_json::from_value(serde_json::json!({"email": "a@b.c", "email_verified": true}))
                .unwrap();
        let list = a.into_api();
        assert_eq!(list[0].name.as_deref(), Some("email"));
        assert_eq!(list[1].value.as_deref(), Some("true"));
    }
}

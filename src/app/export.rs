//! `GET /_emulator/export`: the state as a seed file (`fixtures/README.md`) that `--seed` loads
//! back into the same pools, clients, groups and users. Passwords leave as SRP verifiers
//! (`PasswordVerifier`), never as text: the emulator does not have the text.

use crate::model::catalog;
use crate::model::shapes::GetUserPoolMfaConfigRequest;
use crate::ops;
use crate::state::{App, Ctx, RequestInfo};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Only the members `operation`'s input has: what describes a resource that its create call
/// takes back (DescribeUserPool's `Id`, `Arn`, dates and counts are not inputs).
fn inputs_of(operation: &str, doc: Value) -> Map<String, Value> {
    let members: Vec<&str> = catalog::operation(operation)
        .and_then(|op| op.input)
        .and_then(catalog::shape)
        .map(|s| s.members.iter().map(|m| m.name).collect())
        .unwrap_or_default();
    match doc {
        Value::Object(o) => o
            .into_iter()
            .filter(|(k, v)| members.contains(&k.as_str()) && !v.is_null())
            .collect(),
        _ => Map::new(),
    }
}

fn failure(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

pub async fn export(State(app): State<App>, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Some(bad) = q.keys().find(|k| k.as_str() != "format") {
        return failure(
            StatusCode::BAD_REQUEST,
            format!("unknown query parameter {bad:?}; export knows format"),
        );
    }
    let json_format = match q.get("format").map(String::as_str) {
        None | Some("yaml") => false,
        Some("json") => true,
        Some(other) => {
            return failure(
                StatusCode::BAD_REQUEST,
                format!("format {other:?} is not yaml or json"),
            )
        }
    };
    let doc = match document(&app).await {
        Ok(d) => d,
        Err(e) => return failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    if json_format {
        return Json(doc).into_response();
    }
    match serde_yaml::to_string(&doc) {
        Ok(text) => ([(header::CONTENT_TYPE, "application/yaml")], text).into_response(),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// The seed document of the whole state.
pub async fn document(app: &App) -> anyhow::Result<Value> {
    let ctx = Ctx::new(app, "Export", RequestInfo::default());
    let store = &app.store;
    let mut pools = Vec::new();
    for pool in store.list_pools(None, i64::MAX).await? {
        let pool_id = pool.id.clone().unwrap_or_default();
        let mut doc = serde_json::to_value(&pool)?;
        // DescribeUserPool's SchemaAttributes is CreateUserPool's Schema: custom attributes
        // without their `custom:` prefix, and the standard ones a pool requires.
        let schema: Vec<Value> = doc
            .get("SchemaAttributes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| {
                let name = a.get("Name").and_then(Value::as_str)?;
                let mut a = a.clone();
                if let Some(custom) = name.strip_prefix("custom:") {
                    a["Name"] = Value::String(custom.to_string());
                    Some(a)
                } else if a.get("Required") == Some(&Value::Bool(true)) {
                    Some(a)
                } else {
                    None
                }
            })
            .collect();
        let mut entry = Map::new();
        entry.insert("Id".into(), Value::String(pool_id.clone()));
        if let Value::Object(o) = &mut doc {
            o.remove("SchemaAttributes");
            // DescribeUserPool's Name is CreateUserPool's PoolName.
            if let Some(name) = o.remove("Name") {
                o.insert("PoolName".into(), name);
            }
        }
        entry.extend(inputs_of("CreateUserPool", doc));
        if !schema.is_empty() {
            entry.insert("Schema".into(), Value::Array(schema));
        }
        let mfa = ops::pools::get_user_pool_mfa_config(
            ctx.clone(),
            GetUserPoolMfaConfigRequest {
                user_pool_id: Some(pool_id.clone()),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message.unwrap_or_default()))?;
        let mfa = inputs_of("SetUserPoolMfaConfig", serde_json::to_value(&mfa)?);
        if !mfa.is_empty() {
            entry.insert("MfaConfig".into(), Value::Object(mfa));
        }
        let triggers = app.triggers.get(&pool_id);
        if triggers != Default::default() {
            if let Value::Object(t) = serde_json::to_value(&triggers)? {
                entry.extend(t);
            }
        }

        let mut clients = Vec::new();
        for c in store.list_clients(&pool_id, None, i64::MAX).await? {
            let client_id = c.client_id.clone();
            let secret = c.client_secret.clone();
            let mut m = Map::new();
            m.insert("ClientId".into(), json!(client_id));
            let mut body = inputs_of("CreateUserPoolClient", serde_json::to_value(&c)?);
            body.remove("UserPoolId");
            m.extend(body);
            if let Some(s) = secret {
                m.insert("ClientSecret".into(), Value::String(s));
            }
            clients.push(Value::Object(m));
        }
        entry.insert("Clients".into(), Value::Array(clients));

        let mut groups = Vec::new();
        for g in store.list_groups(&pool_id, None, i64::MAX).await? {
            let mut body = inputs_of("CreateGroup", serde_json::to_value(&g)?);
            body.remove("UserPoolId");
            groups.push(Value::Object(body));
        }
        entry.insert("Groups".into(), Value::Array(groups));

        let username_attributes: Vec<String> = pool.username_attributes.clone().unwrap_or_default();
        let mut users = Vec::new();
        for u in store.list_users_page(&pool_id, None, i64::MAX).await? {
            let mut m = Map::new();
            // In pools whose usernames are emails or phone numbers, the seed names a user by
            // that attribute (the stored username is the sub, kept with `Sub`).
            let name = if username_attributes.is_empty() {
                u.username.clone()
            } else {
                username_attributes
                    .iter()
                    .find_map(|a| u.attributes.get(a).cloned())
                    .unwrap_or_else(|| u.username.clone())
            };
            m.insert("Username".into(), Value::String(name));
            m.insert("Sub".into(), Value::String(u.sub.clone()));
            m.insert(
                "Status".into(),
                Value::String(u.status.as_str().to_string()),
            );
            m.insert("Enabled".into(), Value::Bool(u.enabled));
            let attributes: Map<String, Value> = u
                .attributes
                .iter()
                .filter(|(k, _)| k.as_str() != "sub")
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            m.insert("Attributes".into(), Value::Object(attributes));
            if let (Some(salt), Some(verifier)) = (&u.password_salt, &u.password_verifier) {
                m.insert(
                    "PasswordVerifier".into(),
                    json!({"Salt": hex::encode(salt), "Verifier": hex::encode(verifier)}),
                );
            }
            if !u.mfa.is_null() && u.mfa != json!({}) {
                m.insert("MfaSettings".into(), u.mfa.clone());
            }
            let member_of: Vec<Value> = store
                .groups_for_user(&pool_id, &u.sub)
                .await?
                .into_iter()
                .filter_map(|g| g.group_name.map(Value::String))
                .collect();
            if !member_of.is_empty() {
                m.insert("Groups".into(), Value::Array(member_of));
            }
            users.push(Value::Object(m));
        }
        entry.insert("Users".into(), Value::Array(users));
        pools.push(Value::Object(entry));
    }
    Ok(json!({ "UserPools": pools }))
}

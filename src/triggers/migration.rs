//! UserMigration (DG "Migrate user Lambda trigger"): a sign-in with a password
//! (`UserMigration_Authentication`) or a forgotten password (`UserMigration_ForgotPassword`) for a
//! user the pool does not have asks the function, which may answer with the user's attributes;
//! the user is then created (with that password when there is one) and the operation goes on.

use super::{initiate_validation_data, run, Call};
use crate::domain::attributes::{self, WriteMode};
use crate::domain::triggers::Trigger;
use crate::domain::user_status::UserStatus;
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::{AttributeType, UserPoolClientType, UserPoolType};
use crate::state::Ctx;
use serde_json::{Map, Value};

/// What the function says about a user the pool does not have: the caller (`ops::common::
/// migrate_user`) creates the user from it, with the password typed at sign-in when there is one.
#[derive(Debug)]
pub struct MigratedUser {
    pub attributes: std::collections::BTreeMap<String, String>,
    pub status: UserStatus,
    pub force_alias_creation: bool,
}

/// Statuses a migrated user may end in.
const FINAL_STATUSES: &[UserStatus] = &[UserStatus::Confirmed, UserStatus::ResetRequired];

/// Asks the pool's UserMigration function about `username`. `password` is the one typed at
/// sign-in; `None` for ForgotPassword. Returns what the function answered, or `None` when the pool
/// has no UserMigration trigger (the caller answers as for any unknown user).
pub async fn user_migration(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    username: &str,
    password: Option<&str>,
) -> ApiResult<Option<MigratedUser>> {
    if !super::configured(ctx, pool, Trigger::UserMigration) {
        return Ok(None);
    }
    let info = &ctx.request;
    let mut req = Map::new();
    req.insert(
        "password".into(),
        password.map_or(Value::Null, |p| Value::String(p.to_string())),
    );
    req.insert("validationData".into(), initiate_validation_data(info));
    let client_id = client.client_id.clone().unwrap_or_default();
    let Some(response) = run(
        ctx,
        Call {
            trigger: Trigger::UserMigration,
            source: if password.is_some() {
                "UserMigration_Authentication"
            } else {
                "UserMigration_ForgotPassword"
            },
            pool,
            client_id: Some(&client_id),
            user_name: username,
            request: req,
            version: "1",
        },
    )
    .await?
    else {
        return Ok(None);
    };
    // A function that found nobody returns no attributes: the user stays unknown (the text
    // Cognito gives then, for LEGACY clients).
    let given: Vec<AttributeType> = match response.get("userAttributes") {
        Some(Value::Object(m)) if !m.is_empty() => m
            .iter()
            .map(|(k, v)| AttributeType {
                name: Some(k.clone()),
                value: Some(match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
            })
            .collect(),
        None | Some(Value::Null) | Some(Value::Object(_)) => {
            return Err(ApiError::user_not_found(format!(
                "Exception migrating user in app client {client_id}"
            )))
        }
        Some(_) => return Err(super::invoke::unrecognizable()),
    };
    // `sub` and other values Cognito owns are not the function's to set.
    let given: Vec<AttributeType> = given
        .into_iter()
        .filter(|a| !matches!(a.name.as_deref(), Some("sub" | "cognito:user_status")))
        .collect();
    let status = match response.get("finalUserStatus").and_then(Value::as_str) {
        Some(s) => match UserStatus::parse(s) {
            Some(status) if FINAL_STATUSES.contains(&status) => status,
            _ => return Err(super::invoke::unrecognizable()),
        },
        None => UserStatus::ResetRequired,
    };
    let force_alias = matches!(response.get("forceAliasCreation"), Some(Value::Bool(true)));
    let attributes = attributes::check_write(pool, None, &given, WriteMode::AdminCreate)?;
    Ok(Some(MigratedUser {
        attributes,
        status,
        force_alias_creation: force_alias,
    }))
}

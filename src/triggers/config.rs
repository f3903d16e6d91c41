//! Which triggers a pool has and where their events go.
//!
//! A trigger runs when the pool's `LambdaConfig` names a function for it, or when a webhook is
//! configured for it. Where the event goes, first match wins:
//! 1. the pool's webhook for that trigger (seed file `TriggerWebhooks`, or
//!    `PUT /_emulator/triggers/{poolId}`);
//! 2. `--trigger-webhook TRIGGER=URL` (every pool);
//! 3. the function named in LambdaConfig, through the Lambda Invoke API at the pool's
//!    `LambdaEndpoint`, else `--lambda-endpoint`.
//!
//! A function named in LambdaConfig with no way to run it fails the operation
//! (UnexpectedLambdaException naming the missing setting) instead of being skipped: a trigger
//! that silently does nothing hides exactly what the tests are about.

use super::invoke::{check_url, function_of_arn, Target};
use super::Trigger;
use crate::app::AppState;
use crate::error::ApiError;
use crate::model::shapes::UserPoolType;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

/// A pool's trigger settings that are not part of the Cognito API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PoolTriggers {
    /// Lambda Invoke API endpoint for this pool's functions (overrides `--lambda-endpoint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_endpoint: Option<String>,
    /// Trigger name (a LambdaConfig member: `PreSignUp`, `DefineAuthChallenge`...) → URL.
    #[serde(default)]
    pub trigger_webhooks: BTreeMap<String, String>,
}

impl PoolTriggers {
    /// Unknown trigger names and URLs the emulator cannot post to are refused where written.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(e) = &self.lambda_endpoint {
            check_url(e).map_err(|m| format!("LambdaEndpoint: {m}"))?;
        }
        for (name, url) in &self.trigger_webhooks {
            if Trigger::from_name(name).is_none() {
                return Err(format!(
                    "TriggerWebhooks: {name} is not a trigger (one of {})",
                    Trigger::names().join(", ")
                ));
            }
            check_url(url).map_err(|m| format!("TriggerWebhooks.{name}: {m}"))?;
        }
        Ok(())
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

/// clap's check of one `--trigger-webhook` value: `TRIGGER=http://...`.
pub fn parse_webhook_arg(value: &str) -> Result<String, String> {
    let (name, url) = value
        .split_once('=')
        .ok_or_else(|| format!("expected TRIGGER=URL, got {value}"))?;
    if Trigger::from_name(name.trim()).is_none() {
        return Err(format!(
            "{name} is not a trigger (one of {})",
            Trigger::names().join(", ")
        ));
    }
    check_url(url.trim())?;
    Ok(value.to_string())
}

fn global_webhook(app: &AppState, trigger: Trigger) -> Option<String> {
    app.config.trigger_webhooks.iter().find_map(|w| {
        let (name, url) = w.split_once('=')?;
        (name.trim() == trigger.name()).then(|| url.trim().to_string())
    })
}

/// Where `trigger`'s events for `pool` go; `None` when the pool has no such trigger.
pub fn target(
    app: &AppState,
    pool: &UserPoolType,
    trigger: Trigger,
) -> Result<Option<Target>, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let settings = app.triggers.get(pool_id);
    if let Some(url) = settings.trigger_webhooks.get(trigger.name()) {
        return Ok(Some(Target::Webhook { url: url.clone() }));
    }
    if let Some(url) = global_webhook(app, trigger) {
        return Ok(Some(Target::Webhook { url }));
    }
    let Some(arn) = trigger.arn(pool) else {
        return Ok(None);
    };
    let Some(endpoint) = settings
        .lambda_endpoint
        .or_else(|| app.config.lambda_endpoint.clone())
        .filter(|e| !e.is_empty())
    else {
        return Err(ApiError::new(
            "UnexpectedLambdaException",
            format!(
                "{} invocation failed due to error cognito-emulator cannot run {arn}: start it with \
                 --lambda-endpoint URL (a Lambda Invoke API such as `sam local start-lambda`) or \
                 configure a webhook for {}.",
                trigger.name(),
                trigger.name()
            ),
        ));
    };
    let (function, qualifier, arn_region) = function_of_arn(arn);
    let region = arn_region.unwrap_or_else(|| super::region_of(pool_id).to_string());
    Ok(Some(Target::Lambda {
        endpoint,
        function,
        qualifier,
        region,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_arguments_are_checked() {
        assert!(parse_webhook_arg("DefineAuthChallenge=http://127.0.0.1:8080/define").is_ok());
        assert!(parse_webhook_arg("Define=http://x/").is_err());
        assert!(parse_webhook_arg("PreSignUp").is_err());
        assert!(parse_webhook_arg("PreSignUp=https://x/").is_err());
    }

    #[test]
    fn pool_settings_are_checked() {
        let mut t = PoolTriggers::default();
        t.trigger_webhooks
            .insert("PreSignUp".into(), "http://localhost:1/x".into());
        assert_eq!(t.validate(), Ok(()));
        t.trigger_webhooks.insert("Nope".into(), "http://x/".into());
        assert!(t.validate().is_err());
    }
}

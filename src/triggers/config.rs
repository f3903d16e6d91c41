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

use super::invoke::Target;
use crate::domain::triggers::function_of_arn;
use crate::domain::triggers::Trigger;
use crate::error::ApiError;
use crate::model::shapes::UserPoolType;
use crate::state::AppState;

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

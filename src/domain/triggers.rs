//! User-pool triggers as configuration: which triggers exist, which function a pool's
//! `LambdaConfig` names for each, and the emulator's own per-pool trigger settings (webhooks, a
//! Lambda endpoint). Running them is `triggers`.

use crate::model::shapes::UserPoolType;
use crate::outbound::check_url;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// The function name and qualifier in a Lambda ARN
/// (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`); anything else is used as the name.
pub fn function_of_arn(arn: &str) -> (String, Option<String>, Option<String>) {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() >= 7 && parts[0] == "arn" && parts[5] == "function" {
        let region = Some(parts[3].to_string()).filter(|r| !r.is_empty());
        let qualifier = parts.get(7).map(|q| q.to_string());
        return (parts[6].to_string(), qualifier, region);
    }
    (arn.to_string(), None, None)
}

const ALL: [Trigger; 10] = [
    Trigger::PreSignUp,
    Trigger::PostConfirmation,
    Trigger::PreAuthentication,
    Trigger::PostAuthentication,
    Trigger::DefineAuthChallenge,
    Trigger::CreateAuthChallenge,
    Trigger::VerifyAuthChallengeResponse,
    Trigger::PreTokenGeneration,
    Trigger::CustomMessage,
    Trigger::UserMigration,
];

/// A user-pool trigger, named as the LambdaConfig member that configures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    PreSignUp,
    PostConfirmation,
    PreAuthentication,
    PostAuthentication,
    DefineAuthChallenge,
    CreateAuthChallenge,
    VerifyAuthChallengeResponse,
    PreTokenGeneration,
    CustomMessage,
    UserMigration,
}

impl Trigger {
    /// The LambdaConfig member, which is also how Cognito names the trigger in its error texts.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp",
            Trigger::PostConfirmation => "PostConfirmation",
            Trigger::PreAuthentication => "PreAuthentication",
            Trigger::PostAuthentication => "PostAuthentication",
            Trigger::DefineAuthChallenge => "DefineAuthChallenge",
            Trigger::CreateAuthChallenge => "CreateAuthChallenge",
            Trigger::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Trigger::PreTokenGeneration => "PreTokenGeneration",
            Trigger::CustomMessage => "CustomMessage",
            Trigger::UserMigration => "UserMigration",
        }
    }

    pub fn from_name(name: &str) -> Option<Trigger> {
        ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn names() -> Vec<&'static str> {
        ALL.iter().map(|t| t.name()).collect()
    }

    /// The function LambdaConfig names for this trigger (PreTokenGeneration: the versioned
    /// `PreTokenGenerationConfig.LambdaArn` first, as Cognito does).
    pub fn arn(self, pool: &UserPoolType) -> Option<&str> {
        let lc = pool.lambda_config.as_ref()?;
        let arn = match self {
            Trigger::PreSignUp => lc.pre_sign_up.as_deref(),
            Trigger::PostConfirmation => lc.post_confirmation.as_deref(),
            Trigger::PreAuthentication => lc.pre_authentication.as_deref(),
            Trigger::PostAuthentication => lc.post_authentication.as_deref(),
            Trigger::DefineAuthChallenge => lc.define_auth_challenge.as_deref(),
            Trigger::CreateAuthChallenge => lc.create_auth_challenge.as_deref(),
            Trigger::VerifyAuthChallengeResponse => lc.verify_auth_challenge_response.as_deref(),
            Trigger::PreTokenGeneration => lc
                .pre_token_generation_config
                .as_ref()
                .and_then(|c| c.lambda_arn.as_deref())
                .filter(|a| !a.is_empty())
                .or(lc.pre_token_generation.as_deref()),
            Trigger::CustomMessage => lc.custom_message.as_deref(),
            Trigger::UserMigration => lc.user_migration.as_deref(),
        };
        arn.filter(|a| !a.is_empty())
    }
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

    #[test]
    fn function_names_come_from_the_arn() {
        assert_eq!(
            function_of_arn("arn:aws:lambda:eu-west-1:123456789012:function:pre-sign-up"),
            ("pre-sign-up".into(), None, Some("eu-west-1".into()))
        );
        assert_eq!(
            function_of_arn("arn:aws:lambda:us-east-1:123456789012:function:define:live"),
            (
                "define".into(),
                Some("live".into()),
                Some("us-east-1".into())
            )
        );
        assert_eq!(
            function_of_arn("plain-name"),
            ("plain-name".into(), None, None)
        );
    }
}

//! NEW_PASSWORD_REQUIRED (API Reference, RespondToAuthChallenge): the challenge a
//! FORCE_CHANGE_PASSWORD user gets after proving the temporary password, and the checks on its
//! answer.

use super::{Challenge, Env, Pending};
use crate::domain::password::{self, PolicyContext};
use crate::domain::pool::PoolExt;
use crate::domain::records::UserRecord;
use crate::error::ApiError;
use std::collections::BTreeMap;

pub const NAME: &str = "NEW_PASSWORD_REQUIRED";
const ATTRIBUTE_PREFIX: &str = "userAttributes.";

/// Attributes a client may not send back although they appear in `userAttributes` (clients are
/// told to delete them before answering [OBS amazon-cognito-identity-js README, ember-cognito#87]).
const VERIFICATION_FLAGS: &[&str] = &["email_verified", "phone_number_verified"];

fn has_value(user: &UserRecord, name: &str) -> bool {
    user.attributes.get(name).is_some_and(|v| !v.is_empty())
}

/// Required attributes of the pool the user has no value for, in schema order.
pub fn missing_required(env: &Env, user: &UserRecord) -> Vec<String> {
    env.pool
        .required_attributes()
        .into_iter()
        .filter(|a| !has_value(user, a))
        .collect()
}

pub fn challenge(env: &Env, user: &UserRecord) -> Challenge {
    let required: Vec<String> = missing_required(env, user)
        .iter()
        .map(|a| format!("{ATTRIBUTE_PREFIX}{a}"))
        .collect();
    // The stored attributes never hold `sub`; everything else the user has is shown, including
    // the *_verified flags, as Cognito does.
    let current: serde_json::Map<String, serde_json::Value> = user
        .attributes
        .iter()
        .filter(|(k, _)| k.as_str() != "sub")
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let mut parameters = BTreeMap::new();
    parameters.insert("USER_ID_FOR_SRP".to_string(), user.username.clone());
    // Not in captured Cognito output, but Amplify echoes USERNAME back when present (amplify-js
    // `signInHelpers.ts`).
    parameters.insert("USERNAME".to_string(), user.username.clone());
    parameters.insert(
        "requiredAttributes".to_string(),
        serde_json::to_string(&required).unwrap_or_else(|_| "[]".into()),
    );
    parameters.insert(
        "userAttributes".to_string(),
        serde_json::Value::Object(current).to_string(),
    );
    Challenge {
        parameters,
        pending: Pending::NewPasswordRequired,
    }
}

/// A checked answer: the new password and the attributes to store with it.
pub struct NewPasswordAnswer {
    pub password: String,
    pub attributes: BTreeMap<String, String>,
}

impl std::fmt::Debug for NewPasswordAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewPasswordAnswer")
            .field("attributes", &self.attributes)
            .finish_non_exhaustive()
    }
}

/// Checks the ChallengeResponses of a NEW_PASSWORD_REQUIRED answer.
pub fn read_answer(
    env: &Env,
    user: &UserRecord,
    responses: &BTreeMap<String, String>,
) -> Result<NewPasswordAnswer, ApiError> {
    let password = responses
        .get("NEW_PASSWORD")
        .ok_or_else(|| ApiError::missing_parameter("NEW_PASSWORD"))?
        .clone();
    let mut attributes = BTreeMap::new();
    for (key, value) in responses {
        let Some(name) = key.strip_prefix(ATTRIBUTE_PREFIX) else {
            continue;
        };
        if VERIFICATION_FLAGS.contains(&name) {
            // [B] exception and text: clients are told the API refuses these.
            return Err(ApiError::not_authorized(format!(
                "Cannot modify the non-mutable attribute {name}"
            )));
        }
        let schema = env
            .pool
            .schema_attribute(name)
            .filter(|a| name != "sub" && a.developer_only_attribute != Some(true));
        let Some(schema) = schema else {
            return Err(ApiError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: Attribute does not exist in the schema."
            )));
        };
        // "In a NEW_PASSWORD_REQUIRED challenge response, you can't modify a required attribute that
        // already has a value" [M]; real text seen for email [OBS aws-saas-factory-bootcamp#67].
        let fixed = schema.required == Some(true) || schema.mutable == Some(false);
        if fixed && has_value(user, name) {
            return Err(ApiError::not_authorized(format!(
                "Cannot modify an already provided {name}"
            )));
        }
        attributes.insert(name.to_string(), value.clone());
    }
    if let Some(missing) = missing_required(env, user)
        .into_iter()
        .find(|a| attributes.get(a).is_none_or(|v| v.is_empty()))
    {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid attributes given, {missing} is missing"
        )));
    }
    password::check(&env.pool.password_policy(), &password, PolicyContext::Other)?;
    Ok(NewPasswordAnswer {
        password,
        attributes,
    })
}

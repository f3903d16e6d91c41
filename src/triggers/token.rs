//! PreTokenGeneration (DG "Pre token generation Lambda trigger"): event versions 1
//! (`claimsOverrideDetails`: ID token claims and groups) and 2 / 3
//! (`claimsAndScopeOverrideDetails`: ID and access token claims, access token scopes, groups).
//! The version is the pool's `PreTokenGenerationConfig.LambdaVersion` (V1_0 when only the legacy
//! `PreTokenGeneration` ARN is set). Version 3 only adds machine-to-machine tokens, which this
//! emulator does not issue, so for user sign-ins it behaves as version 2.

use super::{invoke, run, user_attributes, Call};
use crate::domain::triggers::Trigger;
use crate::error::ApiResult;
use crate::state::{Ctx, RequestInfo};
use crate::tokens::Subject;
use serde_json::{Map, Value};

/// Claims a function may not add, change or suppress; Cognito keeps its own values
/// **[B: silently ignored here]**.
const PROTECTED_ID: &[&str] = &[
    "acr",
    "amr",
    "at_hash",
    "aud",
    "auth_time",
    "azp",
    "cognito:username",
    "event_id",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
];
const PROTECTED_ACCESS: &[&str] = &[
    "acr",
    "amr",
    "auth_time",
    "client_id",
    "device_key",
    "event_id",
    "exp",
    "iat",
    "iss",
    "jti",
    "nbf",
    "origin_jti",
    "scope",
    "sub",
    "token_use",
    "username",
    "version",
];

/// The event `version` for this pool.
fn version(s: &Subject) -> &'static str {
    let configured = s
        .pool
        .lambda_config
        .as_ref()
        .and_then(|lc| lc.pre_token_generation_config.as_ref())
        .filter(|c| c.lambda_arn.as_deref().is_some_and(|a| !a.is_empty()))
        .and_then(|c| c.lambda_version.as_deref());
    match configured {
        Some("V2_0") => "2",
        Some("V3_0") => "3",
        _ => "1",
    }
}

/// Which sign-in step the tokens are for, from the request that asks for them. `hosted`: a
/// sign-in through the hosted UI / OAuth endpoints, which AWS reports as
/// `TokenGeneration_HostedAuth` (DG, pre token generation trigger sources).
fn source(r: &RequestInfo, hosted: bool) -> &'static str {
    if r.operation == "GetTokensFromRefreshToken"
        || matches!(
            r.auth_flow.as_deref(),
            Some("REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN")
        )
    {
        return "TokenGeneration_RefreshTokens";
    }
    if hosted {
        return "TokenGeneration_HostedAuth";
    }
    match r.challenge_name.as_deref() {
        Some("NEW_PASSWORD_REQUIRED") => "TokenGeneration_NewPasswordChallenge",
        Some("DEVICE_PASSWORD_VERIFIER") => "TokenGeneration_AuthenticateDevice",
        _ => "TokenGeneration_Authentication",
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs the trigger (when the pool has one) and applies its answer to the claims about to be
/// signed.
pub async fn pre_token_generation(
    ctx: &Ctx,
    s: &Subject<'_>,
    id: &mut Value,
    access: &mut Value,
    hosted: bool,
) -> ApiResult<()> {
    if !super::configured(ctx, s.pool, Trigger::PreTokenGeneration) {
        return Ok(());
    }
    let version = version(s);
    let mut request = Map::new();
    request.insert(
        "userAttributes".into(),
        Value::Object(user_attributes(s.user)),
    );
    let roles: Vec<Value> = s
        .groups
        .iter()
        .filter_map(|g| g.role_arn.clone().map(Value::String))
        .collect();
    let mut group_configuration = Map::new();
    group_configuration.insert(
        "groupsToOverride".into(),
        Value::Array(
            s.groups
                .iter()
                .filter_map(|g| g.group_name.clone().map(Value::String))
                .collect(),
        ),
    );
    group_configuration.insert(
        "preferredRole".into(),
        roles.first().cloned().unwrap_or(Value::Null),
    );
    group_configuration.insert("iamRolesToOverride".into(), Value::Array(roles));
    request.insert(
        "groupConfiguration".into(),
        Value::Object(group_configuration),
    );
    if version != "1" {
        let scopes: Vec<Value> = access
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .split_whitespace()
            .map(|x| Value::String(x.to_string()))
            .collect();
        request.insert("scopes".into(), Value::Array(scopes));
    }
    let Some(response) = run(
        ctx,
        Call {
            trigger: Trigger::PreTokenGeneration,
            source: source(&ctx.request, hosted),
            pool: s.pool,
            client_id: s.client.client_id.as_deref(),
            user_name: &s.user.username,
            request,
            version,
        },
    )
    .await?
    else {
        return Ok(());
    };
    apply(version, &response, id, access)
}

fn object(v: Option<&Value>) -> ApiResult<Option<&Map<String, Value>>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(invoke::unrecognizable()),
    }
}

fn claims_mut(token: &mut Value) -> Option<&mut Map<String, Value>> {
    token.as_object_mut()
}

/// Adds / overrides then suppresses claims of one token.
fn edit_claims(
    details: &Map<String, Value>,
    token: &mut Value,
    protected: &[&str],
    strings_only: bool,
) -> ApiResult<()> {
    let Some(claims) = claims_mut(token) else {
        return Ok(());
    };
    if let Some(add) = object(details.get("claimsToAddOrOverride"))? {
        for (name, value) in add {
            if protected.contains(&name.as_str()) {
                continue;
            }
            let value = match value {
                Value::String(_) => value.clone(),
                Value::Null => continue,
                // Version 1 claims are strings (the event's StringMap).
                other if strings_only => Value::String(other.to_string()),
                other => other.clone(),
            };
            claims.insert(name.clone(), value);
        }
    }
    for name in strings(details.get("claimsToSuppress")) {
        if !protected.contains(&name.as_str()) {
            claims.remove(&name);
        }
    }
    Ok(())
}

fn edit_groups(details: &Map<String, Value>, id: &mut Value, access: &mut Value) -> ApiResult<()> {
    let Some(groups) = object(details.get("groupOverrideDetails"))? else {
        return Ok(());
    };
    let set = |token: &mut Value, claim: &str, list: &[String]| {
        if let Some(c) = claims_mut(token) {
            if list.is_empty() {
                c.remove(claim);
            } else {
                c.insert(
                    claim.to_string(),
                    Value::Array(list.iter().cloned().map(Value::String).collect()),
                );
            }
        }
    };
    if groups.get("groupsToOverride").is_some_and(Value::is_array) {
        let list = strings(groups.get("groupsToOverride"));
        set(id, "cognito:groups", &list);
        set(access, "cognito:groups", &list);
    }
    if groups
        .get("iamRolesToOverride")
        .is_some_and(Value::is_array)
    {
        set(
            id,
            "cognito:roles",
            &strings(groups.get("iamRolesToOverride")),
        );
    }
    if let Some(role) = groups.get("preferredRole").and_then(Value::as_str) {
        if let Some(c) = claims_mut(id) {
            c.insert("cognito:preferred_role".into(), Value::String(role.into()));
        }
    }
    Ok(())
}

fn edit_scopes(details: &Map<String, Value>, access: &mut Value) {
    let Some(claims) = claims_mut(access) else {
        return;
    };
    let mut scopes: Vec<String> = claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    for s in strings(details.get("scopesToAdd")) {
        if !s.is_empty() && !s.contains(char::is_whitespace) && !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    let suppress = strings(details.get("scopesToSuppress"));
    scopes.retain(|s| !suppress.contains(s));
    if scopes.is_empty() {
        claims.remove("scope");
    } else {
        claims.insert("scope".into(), Value::String(scopes.join(" ")));
    }
}

/// Applies a PreTokenGeneration `response` of event version `version` to the claims.
pub fn apply(
    version: &str,
    response: &Map<String, Value>,
    id: &mut Value,
    access: &mut Value,
) -> ApiResult<()> {
    if version == "1" {
        let Some(details) = object(response.get("claimsOverrideDetails"))? else {
            return Ok(());
        };
        edit_claims(details, id, PROTECTED_ID, true)?;
        return edit_groups(details, id, access);
    }
    let Some(details) = object(response.get("claimsAndScopeOverrideDetails"))? else {
        return Ok(());
    };
    if let Some(idt) = object(details.get("idTokenGeneration"))? {
        edit_claims(idt, id, PROTECTED_ID, false)?;
    }
    if let Some(at) = object(details.get("accessTokenGeneration"))? {
        edit_claims(at, access, PROTECTED_ACCESS, false)?;
        edit_scopes(at, access);
    }
    edit_groups(details, id, access)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn tokens() -> (Value, Value) {
        (
            json!({"sub": "s", "email": "a@b.c", "cognito:groups": ["g1"], "token_use": "id"}),
            json!({"sub": "s", "scope": "aws.cognito.signin.user.admin", "cognito:groups": ["g1"], "token_use": "access"}),
        )
    }

    #[test]
    fn version_1_edits_the_id_token_and_groups() {
        let (mut id, mut access) = tokens();
        let r = obj(json!({"claimsOverrideDetails": {
            "claimsToAddOrOverride": {"tenant": "acme", "level": 3, "sub": "evil"},
            "claimsToSuppress": ["email"],
            "groupOverrideDetails": {"groupsToOverride": ["admins"], "iamRolesToOverride": ["arn:aws:iam::1:role/a"], "preferredRole": "arn:aws:iam::1:role/a"}
        }}));
        apply("1", &r, &mut id, &mut access).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(id["tenant"], "acme");
        assert_eq!(id["level"], "3");
        assert_eq!(id["sub"], "s");
        assert!(id.get("email").is_none());
        assert_eq!(id["cognito:groups"], json!(["admins"]));
        assert_eq!(access["cognito:groups"], json!(["admins"]));
        assert_eq!(id["cognito:roles"], json!(["arn:aws:iam::1:role/a"]));
        assert_eq!(id["cognito:preferred_role"], "arn:aws:iam::1:role/a");
        assert!(access.get("tenant").is_none());
    }

    #[test]
    fn version_2_edits_both_tokens_and_scopes() {
        let (mut id, mut access) = tokens();
        let r = obj(json!({"claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {"claimsToAddOrOverride": {"roles": ["a", "b"]}, "claimsToSuppress": ["email"]},
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"tenant": {"id": 7}, "client_id": "x"},
                "scopesToAdd": ["orders/read"],
                "scopesToSuppress": ["aws.cognito.signin.user.admin"]
            },
            "groupOverrideDetails": {"groupsToOverride": []}
        }}));
        apply("2", &r, &mut id, &mut access).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(id["roles"], json!(["a", "b"]));
        assert!(id.get("email").is_none());
        assert_eq!(access["tenant"], json!({"id": 7}));
        assert!(access.get("client_id").is_none());
        assert_eq!(access["scope"], "orders/read");
        assert!(id.get("cognito:groups").is_none());
        assert!(access.get("cognito:groups").is_none());
    }

    #[test]
    fn an_untouched_response_changes_nothing_and_a_malformed_one_is_refused() {
        let (mut id, mut access) = tokens();
        let before = (id.clone(), access.clone());
        apply(
            "1",
            &obj(json!({"claimsOverrideDetails": null})),
            &mut id,
            &mut access,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((id.clone(), access.clone()), before);
        let bad = obj(json!({"claimsAndScopeOverrideDetails": {"idTokenGeneration": []}}));
        assert!(apply("2", &bad, &mut id, &mut access).is_err());
    }
}

//! Fault rules (`/_emulator/faults`): which calls an injected error or delay applies to. Pure:
//! the HTTP layer gathers what a request names (operation, pool, client, user names) and asks
//! [`FaultSet::take`] which rule, if any, applies.

use crate::model::catalog;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// The hosted-UI / OAuth 2.0 endpoints that take rules, named by their path.
pub const OAUTH_OPERATIONS: &[&str] = &[
    "oauth2/token",
    "oauth2/revoke",
    "oauth2/authorize",
    "oauth2/userInfo",
    "login",
    "logout",
];

/// The error codes of the token endpoint (RFC 6749 section 5.2, as the Cognito Developer Guide's
/// "Token endpoint" page lists them) plus the two RFC 6749 4.1.2.1 codes a server may answer
/// with when it fails or is overloaded.
pub const OAUTH_ERRORS: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "invalid_token",
    "server_error",
    "temporarily_unavailable",
];

/// Exceptions a rule may inject into every API operation, whether or not the model lists them.
pub const ANYWHERE: &[&str] = &["InternalErrorException", "TooManyRequestsException"];

/// Longest delay a rule may add (the SDKs' default socket timeouts are far shorter anyway).
pub const MAX_LATENCY_MS: u64 = 300_000;

/// A rule as posted: only the match fields that are given apply.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSpec {
    pub operation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_pool_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<FaultError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultError {
    #[serde(rename = "type")]
    pub error_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// What a matching call gets.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub rule_id: String,
    pub latency_ms: u64,
    pub error: Option<InjectedError>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InjectedError {
    /// A model exception name (API operations) or an OAuth error code (OAuth endpoints).
    pub error_type: &'static str,
    pub message: String,
    pub status: u16,
}

/// What one call names, as far as the rules care.
#[derive(Debug, Default)]
pub struct Call<'a> {
    pub operation: &'a str,
    pub user_pool_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    /// Every name the call's user goes by: what the request said, the username, the sub and
    /// the aliases of the user it resolves to.
    pub names: &'a [String],
}

/// Checks a posted rule against the model; Err is the 400's message.
pub fn validate(spec: &FaultSpec) -> Result<Option<&'static str>, String> {
    let op = spec.operation.as_str();
    let oauth = OAUTH_OPERATIONS.contains(&op);
    let api = if op == "*" || oauth {
        None
    } else {
        Some(catalog::operation(op).ok_or_else(|| {
            format!(
                "unknown operation {op:?}: use an operation of the Cognito user pools API (e.g. \"InitiateAuth\"), \"*\", or one of {}",
                OAUTH_OPERATIONS.join(", ")
            )
        })?)
    };
    if let Some(p) = spec.probability {
        if !(0.0..=1.0).contains(&p) || p.is_nan() {
            return Err(format!("probability must be between 0 and 1, got {p}"));
        }
    }
    if spec.count == Some(0) {
        return Err("count must be at least 1 (leave it out to match every call)".into());
    }
    if let Some(ms) = spec.latency_ms {
        if ms > MAX_LATENCY_MS {
            return Err(format!(
                "latencyMs must be at most {MAX_LATENCY_MS}, got {ms}"
            ));
        }
    }
    for (name, value) in [
        ("userPoolId", &spec.user_pool_id),
        ("clientId", &spec.client_id),
        ("username", &spec.username),
    ] {
        if value.as_deref() == Some("") {
            return Err(format!("{name} must not be empty"));
        }
    }
    let Some(error) = &spec.error else {
        if spec.latency_ms.is_none() {
            return Err("a rule needs \"error\", \"latencyMs\" or both".into());
        }
        return Ok(None);
    };
    if let Some(s) = error.status {
        if !(400..=599).contains(&s) {
            return Err(format!("error.status must be 400..=599, got {s}"));
        }
    }
    let t = error.error_type.as_str();
    let found = if oauth {
        OAUTH_ERRORS
            .iter()
            .find(|e| **e == t)
            .copied()
            .ok_or_else(|| {
                format!(
                    "error.type {t:?} is not an error of {op}: use one of {}",
                    OAUTH_ERRORS.join(", ")
                )
            })?
    } else if let Some(any) = ANYWHERE.iter().find(|e| **e == t) {
        any
    } else if let Some(info) = api {
        info.errors
            .iter()
            .find(|e| **e == t)
            .copied()
            .ok_or_else(|| {
                format!(
                    "error.type {t:?} is not an exception of {op} in the model: use one of {}",
                    info.errors.join(", ")
                )
            })?
    } else {
        return Err(format!(
            "error.type {t:?} cannot apply to every operation: with \"*\" use {}",
            ANYWHERE.join(" or ")
        ));
    };
    Ok(Some(found))
}

/// The status a real answer with this error carries: Cognito answers modelled exceptions with
/// 400 and internal failures with 500 (API Reference, each operation's Errors list).
fn default_status(error_type: &str) -> u16 {
    match error_type {
        "InternalErrorException" | "InternalServerException" | "server_error" => 500,
        "temporarily_unavailable" => 503,
        "invalid_token" => 401,
        _ => 400,
    }
}

fn default_message(error_type: &str) -> String {
    match error_type {
        // The texts Cognito answers throttled and failed calls with.
        "TooManyRequestsException" => "Rate exceeded".into(),
        "InternalErrorException" => "Internal server error.".into(),
        other => format!("{other} injected by a cognito-emulator fault rule"),
    }
}

pub struct Rule {
    pub id: String,
    pub spec: FaultSpec,
    error_type: Option<&'static str>,
    pub hits: u64,
    rng: StdRng,
}

impl Rule {
    pub fn remaining(&self) -> Option<u64> {
        self.spec.count.map(|c| c.saturating_sub(self.hits))
    }

    fn spent(&self) -> bool {
        self.remaining() == Some(0)
    }

    /// The rule as listed: the spec plus `id`, `hits` and `remaining` (null: no limit).
    pub fn view(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(&self.spec).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            m.insert("id".into(), self.id.clone().into());
            m.insert("hits".into(), self.hits.into());
            m.insert("remaining".into(), self.remaining().into());
        }
        v
    }

    fn matches(&self, call: &Call) -> bool {
        let s = &self.spec;
        (s.operation == "*" && !OAUTH_OPERATIONS.contains(&call.operation)
            || s.operation == call.operation)
            && s.user_pool_id
                .as_deref()
                .is_none_or(|p| call.user_pool_id == Some(p))
            && s.client_id
                .as_deref()
                .is_none_or(|c| call.client_id == Some(c))
            && s.username
                .as_deref()
                .is_none_or(|u| call.names.iter().any(|n| n == u))
    }
}

/// What the caller must look up before [`FaultSet::take`] can decide.
#[derive(Debug, Default, PartialEq)]
pub struct Needs {
    pub any: bool,
    pub pool: bool,
    pub names: bool,
}

#[derive(Default)]
pub struct FaultSet {
    rules: Vec<Rule>,
}

impl FaultSet {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Adds a validated rule.
    pub fn add(&mut self, id: String, spec: FaultSpec) -> Result<&Rule, String> {
        let error_type = validate(&spec)?;
        let rng = match spec.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_entropy(),
        };
        self.rules.push(Rule {
            id,
            spec,
            error_type,
            hits: 0,
            rng,
        });
        Ok(&self.rules[self.rules.len() - 1])
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        self.rules.len() != before
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Whether any live rule could apply to `operation`, and which facts it needs.
    pub fn needs(&self, operation: &str) -> Needs {
        let mut n = Needs::default();
        let oauth = OAUTH_OPERATIONS.contains(&operation);
        for r in self.rules.iter().filter(|r| !r.spent()) {
            let op = &r.spec.operation;
            if op == operation || (op == "*" && !oauth) {
                n.any = true;
                n.pool |= r.spec.user_pool_id.is_some();
                n.names |= r.spec.username.is_some();
            }
        }
        n
    }

    /// The first live rule that matches the call and wins its probability draw; counts its hit.
    pub fn take(&mut self, call: &Call) -> Option<Applied> {
        for r in self.rules.iter_mut() {
            if r.spent() || !r.matches(call) {
                continue;
            }
            if let Some(p) = r.spec.probability {
                if r.rng.gen::<f64>() >= p {
                    continue;
                }
            }
            r.hits += 1;
            let error = r.error_type.map(|t| {
                let given = r.spec.error.as_ref();
                InjectedError {
                    error_type: t,
                    message: given
                        .and_then(|e| e.message.clone())
                        .unwrap_or_else(|| default_message(t)),
                    status: given
                        .and_then(|e| e.status)
                        .unwrap_or_else(|| default_status(t)),
                }
            });
            return Some(Applied {
                rule_id: r.id.clone(),
                latency_ms: r.spec.latency_ms.unwrap_or(0),
                error,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> FaultSpec {
        serde_json::from_value(json).expect("spec")
    }

    fn call<'a>(op: &'a str, names: &'a [String]) -> Call<'a> {
        Call {
            operation: op,
            user_pool_id: Some("us-east-1_A"),
            client_id: Some("c1"),
            names,
        }
    }

    #[test]
    fn validation_names_what_is_wrong() {
        let bad = |j| validate(&spec(j)).unwrap_err();
        assert!(
            bad(serde_json::json!({"operation": "Nope", "latencyMs": 1}))
                .contains("unknown operation")
        );
        assert!(bad(serde_json::json!({"operation": "InitiateAuth", "error": {"type": "GroupExistsException"}}))
            .contains("not an exception of InitiateAuth"));
        assert!(bad(
            serde_json::json!({"operation": "*", "error": {"type": "CodeMismatchException"}})
        )
        .contains("every operation"));
        assert!(
            bad(serde_json::json!({"operation": "InitiateAuth", "count": 0, "latencyMs": 1}))
                .contains("count")
        );
        assert!(bad(
            serde_json::json!({"operation": "InitiateAuth", "probability": 1.5, "latencyMs": 1})
        )
        .contains("probability"));
        assert!(bad(serde_json::json!({"operation": "oauth2/token", "error": {"type": "NotAuthorizedException"}}))
            .contains("invalid_grant"));
        assert!(bad(serde_json::json!({"operation": "InitiateAuth"})).contains("needs"));
        assert!(serde_json::from_value::<FaultSpec>(
            serde_json::json!({"operation": "X", "usename": "a"})
        )
        .unwrap_err()
        .to_string()
        .contains("unknown field `usename`"));
        assert_eq!(
            validate(&spec(
                serde_json::json!({"operation": "GetUser", "error": {"type": "TooManyRequestsException"}})
            )),
            Ok(Some("TooManyRequestsException"))
        );
        assert_eq!(
            validate(&spec(
                serde_json::json!({"operation": "oauth2/token", "error": {"type": "invalid_grant"}})
            )),
            Ok(Some("invalid_grant"))
        );
    }

    #[test]
    fn count_limits_hits_and_other_users_are_left_alone() {
        let mut set = FaultSet::default();
        set.add(
            "r1".into(),
            spec(
                serde_json::json!({"operation": "InitiateAuth", "username": "alice",
                "error": {"type": "TooManyRequestsException"}, "count": 2}),
            ),
        )
        .expect("add");
        let alice = vec!["alice@example.com".to_string(), "alice".to_string()];
        let bob = vec!["bob".to_string()];
        assert_eq!(set.take(&call("InitiateAuth", &bob)), None);
        assert_eq!(set.take(&call("SignUp", &alice)), None);
        let first = set.take(&call("InitiateAuth", &alice)).expect("hit");
        assert_eq!(
            first.error,
            Some(InjectedError {
                error_type: "TooManyRequestsException",
                message: "Rate exceeded".into(),
                status: 400
            })
        );
        assert!(set.take(&call("InitiateAuth", &alice)).is_some());
        assert_eq!(set.take(&call("InitiateAuth", &alice)), None);
        assert_eq!(set.rules()[0].remaining(), Some(0));
        assert!(!set.needs("InitiateAuth").any);
    }

    #[test]
    fn star_matches_api_operations_only_and_needs_reports_lookups() {
        let mut set = FaultSet::default();
        set.add(
            "r".into(),
            spec(
                serde_json::json!({"operation": "*", "userPoolId": "us-east-1_A", "latencyMs": 5}),
            ),
        )
        .expect("add");
        assert_eq!(
            set.needs("GetUser"),
            Needs {
                any: true,
                pool: true,
                names: false
            }
        );
        assert!(!set.needs("oauth2/token").any);
        let applied = set.take(&call("GetUser", &[])).expect("hit");
        assert_eq!((applied.latency_ms, applied.error), (5, None));
        let other = Call {
            user_pool_id: Some("us-east-1_B"),
            ..call("GetUser", &[])
        };
        assert_eq!(set.take(&other), None);
    }

    #[test]
    fn seeded_probability_repeats() {
        let run = || {
            let mut set = FaultSet::default();
            set.add(
                "r".into(),
                spec(
                    serde_json::json!({"operation": "GetUser", "probability": 0.5, "seed": 7,
                    "error": {"type": "InternalErrorException"}}),
                ),
            )
            .expect("add");
            (0..64)
                .map(|_| set.take(&call("GetUser", &[])).is_some())
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let hits = a.iter().filter(|h| **h).count();
        assert!((10..=54).contains(&hits), "{hits} of 64");
    }
}

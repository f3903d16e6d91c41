//! CUSTOM_AUTH (API Reference, InitiateAuth; CUSTOM_CHALLENGE in RespondToAuthChallenge): the pure
//! half of the Define → Create → Verify loop. The triggers decide everything; this module reads
//! their answers and keeps the `session` history they are given, so `ops::auth::custom` only does
//! the calls.
//!
//! History entries are `{challengeName, challengeResult, challengeMetadata}` in order. With SRP
//! first (Amplify's CUSTOM_WITH_SRP) the history starts with `SRP_A: true`, Define answers
//! PASSWORD_VERIFIER, and after a correct password signature Define is asked again with
//! `[SRP_A: true, PASSWORD_VERIFIER: true]` (DG "Define auth challenge"). A wrong password ends
//! the sign-in like any other ("Incorrect username or password.") without asking Define.
//!
//! Unknown users in a client that hides user existence (PreventUserExistenceErrors ENABLED) go
//! through the same loop: the triggers get `userNotFound: true` (DG "Define/Create/Verify Auth
//! challenge Lambda trigger": "true means the user ID ... did not match any existing users") and
//! the challenges come with a session like any other, so a caller cannot tell the two apart; the
//! sign-in can only end in the answer a known user with wrong answers gets ([`unknown_user_next`]).

use super::{Challenge, Pending};
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub const NAME: &str = "CUSTOM_CHALLENGE";

/// Challenges one sign-in may go through before it fails regardless of Define, so a Define that
/// never decides cannot loop forever **[B: no public record of Cognito's own limit]**.
pub const MAX_ROUNDS: usize = 16;

/// One entry of the `session` array the challenge triggers receive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeResult {
    pub challenge_name: String,
    pub challenge_result: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_metadata: Option<String>,
}

impl ChallengeResult {
    pub fn new(name: &str, result: bool) -> Self {
        Self {
            challenge_name: name.to_string(),
            challenge_result: result,
            challenge_metadata: None,
        }
    }
}

/// The history after a correct SRP password in a CUSTOM_AUTH sign-in.
pub fn after_srp() -> Vec<ChallengeResult> {
    vec![
        ChallengeResult::new("SRP_A", true),
        ChallengeResult::new("PASSWORD_VERIFIER", true),
    ]
}

/// What a CUSTOM_CHALLENGE session keeps until it is answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomPending {
    /// The history so far, without the challenge being answered.
    pub session: Vec<ChallengeResult>,
    /// CreateAuthChallenge's `privateChallengeParameters`, handed to Verify as they came.
    pub private_parameters: Map<String, Value>,
    /// CreateAuthChallenge's `challengeMetadata`, recorded with the answer.
    pub challenge_metadata: Option<String>,
    /// The sign-in is for a username that matched no user (hidden by PreventUserExistenceErrors):
    /// the session names no user and can never end in tokens.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub user_not_found: bool,
}

/// Whether a session's pending step is a custom challenge shown to an unknown user.
pub fn is_for_unknown_user(pending: &Pending) -> bool {
    matches!(pending, Pending::CustomChallenge(c) if c.user_not_found)
}

/// What Define's answer means for an unknown user: another challenge goes on as for anybody;
/// tokens, like `failAuthentication`, end with the error a known user's failed sign-in gets,
/// so a Define that does not look at `userNotFound` still cannot sign a nobody in. PASSWORD_VERIFIER
/// without SRP_A is the same unusable answer as for a known user.
pub fn unknown_user_next(next: Next) -> Result<Next, ApiError> {
    match next {
        Next::Tokens | Next::Fail => Err(fail()),
        Next::CustomChallenge | Next::PasswordVerifier => Ok(next),
    }
}

/// What DefineAuthChallenge decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Tokens,
    Fail,
    CustomChallenge,
    PasswordVerifier,
}

/// Cognito's answer to trigger output it cannot use.
pub fn unrecognizable() -> ApiError {
    ApiError::new(
        "InvalidLambdaResponseException",
        "Unrecognizable lambda output",
    )
}

/// `failAuthentication: true`, or too many rounds.
pub fn fail() -> ApiError {
    ApiError::not_authorized("Incorrect username or password.")
}

pub fn not_configured() -> ApiError {
    ApiError::invalid_parameter("Custom auth lambda trigger is not configured for the user pool.")
}

fn flag(response: &Map<String, Value>, key: &str) -> Result<bool, ApiError> {
    match response.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
        Some(_) => Err(unrecognizable()),
    }
}

/// DefineAuthChallenge's `response`: failing wins over tokens, tokens over a next challenge.
pub fn read_define(response: &Map<String, Value>) -> Result<Next, ApiError> {
    if flag(response, "failAuthentication")? {
        return Ok(Next::Fail);
    }
    if flag(response, "issueTokens")? {
        return Ok(Next::Tokens);
    }
    match response.get("challengeName").and_then(Value::as_str) {
        Some(NAME) => Ok(Next::CustomChallenge),
        Some("PASSWORD_VERIFIER") => Ok(Next::PasswordVerifier),
        _ => Err(unrecognizable()),
    }
}

/// CreateAuthChallenge's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub public: BTreeMap<String, String>,
    pub private: Map<String, Value>,
    pub metadata: Option<String>,
}

/// ChallengeParameters are strings on the wire: other JSON values are sent as their JSON text.
fn as_parameter(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn read_create(response: &Map<String, Value>) -> Result<Created, ApiError> {
    let object = |key: &str| match response.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(unrecognizable()),
    };
    let public = object("publicChallengeParameters")?
        .iter()
        .map(|(k, v)| (k.clone(), as_parameter(v)))
        .collect();
    let private = object("privateChallengeParameters")?;
    let metadata = match response.get("challengeMetadata") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(unrecognizable()),
    };
    Ok(Created {
        public,
        private,
        metadata,
    })
}

/// The CUSTOM_CHALLENGE to send: Create's public parameters plus `USERNAME` (the internal name,
/// which clients echo back), and the session that remembers the rest.
pub fn challenge(created: Created, session: Vec<ChallengeResult>, username: &str) -> Challenge {
    let mut parameters = created.public;
    parameters
        .entry("USERNAME".to_string())
        .or_insert_with(|| username.to_string());
    Challenge {
        parameters,
        pending: Pending::CustomChallenge(CustomPending {
            session,
            private_parameters: created.private,
            challenge_metadata: created.metadata,
            user_not_found: false,
        }),
    }
}

/// [`challenge`] for a username that matched no user.
pub fn challenge_for_unknown_user(
    created: Created,
    session: Vec<ChallengeResult>,
    username: &str,
) -> Challenge {
    let mut c = challenge(created, session, username);
    if let Pending::CustomChallenge(p) = &mut c.pending {
        p.user_not_found = true;
    }
    c
}

/// VerifyAuthChallengeResponse's `answerCorrect` (absent or null = wrong).
pub fn read_verify(response: &Map<String, Value>) -> Result<bool, ApiError> {
    flag(response, "answerCorrect")
}

/// The history Define sees after an answer.
pub fn record_answer(pending: &CustomPending, correct: bool) -> Vec<ChallengeResult> {
    let mut session = pending.session.clone();
    session.push(ChallengeResult {
        challenge_name: NAME.to_string(),
        challenge_result: correct,
        challenge_metadata: pending.challenge_metadata.clone(),
    });
    session
}

pub fn too_many_rounds(session: &[ChallengeResult]) -> bool {
    session.len() >= MAX_ROUNDS
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn define_answers() {
        let cases = [
            (
                json!({"issueTokens": true, "failAuthentication": false}),
                Ok(Next::Tokens),
            ),
            (
                json!({"issueTokens": true, "failAuthentication": true}),
                Ok(Next::Fail),
            ),
            (
                json!({"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false}),
                Ok(Next::CustomChallenge),
            ),
            (
                json!({"challengeName": "PASSWORD_VERIFIER"}),
                Ok(Next::PasswordVerifier),
            ),
            (json!({"challengeName": "SMS_MFA"}), Err(unrecognizable())),
            (json!({}), Err(unrecognizable())),
            (json!({"issueTokens": "yes"}), Err(unrecognizable())),
        ];
        for (response, want) in cases {
            assert_eq!(read_define(&obj(response.clone())), want, "{response}");
        }
    }

    #[test]
    fn create_answers_become_a_challenge() {
        let created = read_create(&obj(json!({
            "publicChallengeParameters": {"question": "2+2?", "n": 4},
            "privateChallengeParameters": {"answer": "4"},
            "challengeMetadata": "MATH"
        })))
        .unwrap_or_else(|e| panic!("{e:?}"));
        let c = challenge(created, vec![], "alice");
        assert_eq!(c.name(), "CUSTOM_CHALLENGE");
        assert_eq!(
            c.parameters.get("question").map(String::as_str),
            Some("2+2?")
        );
        assert_eq!(c.parameters.get("n").map(String::as_str), Some("4"));
        assert_eq!(
            c.parameters.get("USERNAME").map(String::as_str),
            Some("alice")
        );
        let Pending::CustomChallenge(p) = c.pending else {
            panic!("a custom challenge")
        };
        let session = record_answer(&p, false);
        assert_eq!(
            serde_json::to_value(&session).unwrap_or_default(),
            json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "MATH"}])
        );
        assert_eq!(
            serde_json::to_value(after_srp()).unwrap_or_default(),
            json!([{"challengeName": "SRP_A", "challengeResult": true},
                   {"challengeName": "PASSWORD_VERIFIER", "challengeResult": true}])
        );
    }

    #[test]
    fn an_unknown_user_can_only_be_challenged_again_or_fail() {
        let cases = [
            (Next::CustomChallenge, Ok(Next::CustomChallenge)),
            (Next::PasswordVerifier, Ok(Next::PasswordVerifier)),
            (Next::Tokens, Err(fail())),
            (Next::Fail, Err(fail())),
        ];
        for (next, want) in cases {
            assert_eq!(unknown_user_next(next), want, "{next:?}");
        }
        let created = Created {
            public: BTreeMap::new(),
            private: Map::new(),
            metadata: None,
        };
        let c = challenge_for_unknown_user(created.clone(), vec![], "nobody");
        assert!(is_for_unknown_user(&c.pending));
        assert!(!is_for_unknown_user(
            &challenge(created, vec![], "carol").pending
        ));
        // Sessions written before the flag existed read back as a known user's.
        let old: Pending = serde_json::from_value(json!({
            "challenge": "CUSTOM_CHALLENGE", "session": [], "private_parameters": {},
            "challenge_metadata": null
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!is_for_unknown_user(&old));
    }

    #[test]
    fn verify_answers() {
        assert_eq!(read_verify(&obj(json!({"answerCorrect": true}))), Ok(true));
        assert_eq!(read_verify(&obj(json!({"answerCorrect": null}))), Ok(false));
        assert!(read_verify(&obj(json!({"answerCorrect": 1}))).is_err());
    }
}

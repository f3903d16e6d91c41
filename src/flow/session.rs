//! The `Session` between challenges (API Reference, RespondToAuthChallenge; the app client's
//! AuthSessionValidity): what it carries and when it is no longer valid.
//!
//! On the wire a session is an opaque random id; the row it names (`store::sessions`) holds the
//! pool, client, user, expiry, single-use flag, wrong-code counter and this module's
//! [`SessionState`] as JSON. Checking a row is pure so the rules sit in one table-tested place.

use super::Pending;
use crate::domain::records::AuthSession;
use crate::error::ApiError;
use serde::{Deserialize, Serialize};

/// The row of a new session: unused, no wrong codes yet, valid for `seconds` (the client's
/// AuthSessionValidity for sign-ins) from `now`. The one place a session row is made, so every
/// flow stores the same fields the same way.
pub fn new_row(
    id: String,
    pool_id: &str,
    client_id: &str,
    sub: Option<String>,
    state: &impl Serialize,
    now: f64,
    seconds: f64,
) -> Result<AuthSession, serde_json::Error> {
    Ok(AuthSession {
        id,
        pool_id: pool_id.to_string(),
        client_id: client_id.to_string(),
        sub,
        state: serde_json::to_string(state)?,
        expires_at: now + seconds,
        consumed: false,
        attempts: 0,
        created_at: now,
    })
}

/// Wrong codes accepted in one session; the next answer finds the session invalid **[B]**.
pub const MAX_WRONG_CODES: i64 = 3;

/// What a session remembers between two calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionState {
    /// The AuthFlow the sign-in started with (admin flows never track devices: Cognito Developer
    /// Guide, "Working with user devices in your user pool").
    pub flow: String,
    /// The user's internal name, so the answer's USERNAME is checked without another lookup.
    pub username: String,
    /// The challenge the next answer must be for, and its private data.
    pub pending: Pending,
}

impl SessionState {
    pub fn challenge_name(&self) -> &'static str {
        self.pending.challenge_name()
    }
}

pub fn invalid() -> ApiError {
    ApiError::not_authorized("Invalid session for the user.")
}

pub fn reused() -> ApiError {
    ApiError::not_authorized("Invalid session for the user, session can only be used once.")
}

pub fn expired() -> ApiError {
    ApiError::not_authorized("Invalid session for the user, session is expired.")
}

pub fn missing() -> ApiError {
    ApiError::missing_parameter("Session")
}

/// Decides whether `row` (the row the request's Session named, if any) may answer
/// `challenge_name` for this pool and client at `now`.
pub fn check(
    row: Option<&AuthSession>,
    pool_id: &str,
    client_id: &str,
    challenge_name: &str,
    now: f64,
) -> Result<SessionState, ApiError> {
    let row = row.ok_or_else(invalid)?;
    if row.pool_id != pool_id || row.client_id != client_id {
        return Err(invalid());
    }
    if row.consumed {
        return Err(reused());
    }
    if row.attempts >= MAX_WRONG_CODES {
        return Err(invalid());
    }
    if now >= row.expires_at {
        return Err(expired());
    }
    // A row we cannot read back (written by another emulator version) is as good as unknown.
    let state: SessionState = serde_json::from_str(&row.state).map_err(|_| invalid())?;
    if state.challenge_name() != challenge_name {
        return Err(invalid());
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(state: &SessionState) -> AuthSession {
        AuthSession {
            id: "s".repeat(64),
            pool_id: "us-east-1_pool".into(),
            client_id: "client".into(),
            sub: Some("sub".into()),
            state: serde_json::to_string(state).unwrap_or_default(),
            expires_at: 1180.0,
            consumed: false,
            attempts: 0,
            created_at: 1000.0,
        }
    }

    fn state() -> SessionState {
        SessionState {
            flow: "USER_PASSWORD_AUTH".into(),
            username: "alice".into(),
            pending: Pending::NewPasswordRequired,
        }
    }

    fn msg(r: Result<SessionState, ApiError>) -> String {
        match r {
            Ok(_) => "ok".into(),
            Err(e) => format!("{}: {}", e.code, e.message.unwrap_or_default()),
        }
    }

    /// (case, row, pool, client, challenge answered, now, expected).
    type Case<'a> = (
        &'a str,
        Option<AuthSession>,
        &'a str,
        &'a str,
        &'a str,
        f64,
        &'a str,
    );

    #[test]
    fn every_way_a_session_can_be_wrong_has_its_own_answer() {
        let s = state();
        let good = row(&s);
        let cases: Vec<Case> = vec![
            ("valid", Some(good.clone()), "us-east-1_pool", "client", "NEW_PASSWORD_REQUIRED", 1100.0, "ok"),
            ("unknown id", None, "us-east-1_pool", "client", "NEW_PASSWORD_REQUIRED", 1100.0,
             "NotAuthorizedException: Invalid session for the user."),
            ("other client", Some(good.clone()), "us-east-1_pool", "other", "NEW_PASSWORD_REQUIRED", 1100.0,
             "NotAuthorizedException: Invalid session for the user."),
            ("other pool", Some(good.clone()), "us-east-1_other", "client", "NEW_PASSWORD_REQUIRED", 1100.0,
             "NotAuthorizedException: Invalid session for the user."),
            ("used", Some(AuthSession { consumed: true, ..good.clone() }), "us-east-1_pool", "client",
             "NEW_PASSWORD_REQUIRED", 1100.0,
             "NotAuthorizedException: Invalid session for the user, session can only be used once."),
            ("expired", Some(good.clone()), "us-east-1_pool", "client", "NEW_PASSWORD_REQUIRED", 1180.0,
             "NotAuthorizedException: Invalid session for the user, session is expired."),
            ("other challenge", Some(good.clone()), "us-east-1_pool", "client", "SMS_MFA", 1100.0,
             "NotAuthorizedException: Invalid session for the user."),
            ("too many wrong codes", Some(AuthSession { attempts: MAX_WRONG_CODES, ..good.clone() }),
             "us-east-1_pool", "client", "NEW_PASSWORD_REQUIRED", 1100.0,
             "NotAuthorizedException: Invalid session for the user."),
            ("unreadable state", Some(AuthSession { state: "{".into(), ..good.clone() }), "us-east-1_pool",
             "client", "NEW_PASSWORD_REQUIRED", 1100.0, "NotAuthorizedException: Invalid session for the user."),
        ];
        for (name, r, pool, client, challenge, now, want) in cases {
            assert_eq!(
                msg(check(r.as_ref(), pool, client, challenge, now)),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn the_state_round_trips_through_json() {
        let s = state();
        let back: SessionState =
            serde_json::from_str(&serde_json::to_string(&s).unwrap_or_default())
                .unwrap_or_else(|_| panic!("state parses"));
        assert_eq!(back, s);
    }
}

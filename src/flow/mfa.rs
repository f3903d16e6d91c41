//! MFA after the first factor (spec 2.5): the hook every sign-in passes through before tokens.
//!
//! This is the seam for the MFA work: `decide` gets the pool's MFA configuration and the user and
//! answers "no MFA" or the challenge to send (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP,
//! SELECT_MFA_TYPE, MFA_SETUP). Only the cases that need no second factor are decided so far;
//! every other case refuses clearly instead of silently skipping MFA.

use super::{Challenge, Env};
use crate::error::ApiError;
use crate::store::users::UserRecord;

pub enum MfaDecision {
    /// No second factor: issue tokens.
    NotRequired,
    /// Send this challenge (codes are generated and delivered by the caller).
    Challenge(Challenge),
    Refuse(ApiError),
}

/// The pool's `MfaConfiguration`: OFF, ON or OPTIONAL.
pub fn pool_level<'a>(env: &Env<'a>) -> &'a str {
    env.pool_mfa
        .mfa_configuration
        .as_deref()
        .or(env.pool.mfa_configuration.as_deref())
        .unwrap_or("OFF")
}

/// Whether the user has any MFA setting at all. `users.mfa` is owned by the MFA work; until it
/// defines the format, an empty document means "no factor enabled".
fn user_has_mfa_settings(user: &UserRecord) -> bool {
    match &user.mfa {
        serde_json::Value::Null => false,
        serde_json::Value::Object(m) => !m.is_empty(),
        _ => true,
    }
}

pub fn decide(env: &Env, user: &UserRecord) -> MfaDecision {
    match pool_level(env) {
        "OFF" => MfaDecision::NotRequired,
        "OPTIONAL" if !user_has_mfa_settings(user) => MfaDecision::NotRequired,
        _ => MfaDecision::Refuse(ApiError::unsupported_operation(
            "cognito-emulator does not implement MFA challenges (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, \
             SELECT_MFA_TYPE, MFA_SETUP) yet. See the README for what sign-in supports.",
        )),
    }
}

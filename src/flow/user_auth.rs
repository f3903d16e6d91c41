//! USER_AUTH, choice-based sign-in (API Reference, InitiateAuth), pure: which first factors a user
//! may choose, what a PREFERRED_CHALLENGE leads to, and the state of the SELECT_CHALLENGE,
//! first-factor OTP and WEB_AUTHN challenges. The I/O side (sending codes, passkeys, SRP) is
//! `ops::auth::user_auth`.
//!
//! Eligibility **[B: no public capture of the real rules]**: a factor is available when the pool
//! allows it (`Policies.SignInPolicy.AllowedFirstAuthFactors`, default PASSWORD) and the user can
//! satisfy it: PASSWORD and PASSWORD_SRP with a password, EMAIL_OTP with an email address, SMS_OTP
//! with a phone number, WEB_AUTHN with at least one passkey. Passwordless factors are not followed
//! by MFA (API Reference, WebAuthnConfigurationType), so while the pool requires MFA the OTP
//! factors are unavailable and WEB_AUTHN is only offered when a verified passkey counts as MFA
//! (`FactorConfiguration = MULTI_FACTOR_WITH_USER_VERIFICATION`) and the user turned passkey MFA
//! on (`WebAuthnMfaSettings`), in which case the assertion must carry user verification.

use super::{mfa, Env};
use crate::domain::attributes::{EMAIL, PHONE};
use crate::domain::records::UserRecord;
use crate::error::ApiError;
use serde::{Deserialize, Serialize};

pub const SELECT_CHALLENGE: &str = "SELECT_CHALLENGE";
pub const PASSWORD: &str = "PASSWORD";
pub const PASSWORD_SRP: &str = "PASSWORD_SRP";
pub const EMAIL_OTP: &str = "EMAIL_OTP";
pub const SMS_OTP: &str = "SMS_OTP";
pub const WEB_AUTHN: &str = "WEB_AUTHN";

/// Passwordless one-time codes are 8 digits, fixed (API Reference, RespondToAuthChallenge example;
/// observed: aws-amplify/amplify-js#14428).
pub const OTP_LENGTH: usize = 8;

/// `AllowedFirstAuthFactors` of the pool; a pool that never set it allows PASSWORD only.
pub fn allowed_first_factors(env: &Env) -> Vec<String> {
    env.pool
        .policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.clone())
        .unwrap_or_else(|| vec![PASSWORD.to_string()])
}

pub fn pool_allows(env: &Env, factor: &str) -> bool {
    allowed_first_factors(env).iter().any(|f| f == factor)
}

/// `WebAuthnConfiguration.FactorConfiguration` says a verified passkey satisfies MFA.
pub fn passkey_is_multi_factor(env: &Env) -> bool {
    env.pool_mfa
        .web_authn_configuration
        .as_ref()
        .and_then(|w| w.factor_configuration.as_deref())
        == Some("MULTI_FACTOR_WITH_USER_VERIFICATION")
}

/// `WebAuthnConfiguration.UserVerification`: `required` or (default) `preferred`.
pub fn user_verification(env: &Env) -> &'static str {
    match env
        .pool_mfa
        .web_authn_configuration
        .as_ref()
        .and_then(|w| w.user_verification.as_deref())
    {
        Some("required") => "required",
        _ => "preferred",
    }
}

/// Whether a passkey sign-in must carry the UV flag: the pool requires it, the passkey stands in
/// for MFA, or the user turned passkey MFA on ("When activated, the user's passkey authentication
/// requires user verification": API Reference, WebAuthnMfaSettingsType).
pub fn user_verification_required(env: &Env, user: &UserRecord) -> bool {
    user_verification(env) == "required"
        || mfa::pool_level(env) == "ON"
        || passkey_mfa_enabled(env, user)
}

/// The user's `WebAuthnMfaSettings.Enabled`, honoured while the pool counts a verified passkey as
/// MFA (`FactorConfiguration = MULTI_FACTOR_WITH_USER_VERIFICATION`).
pub fn passkey_mfa_enabled(env: &Env, user: &UserRecord) -> bool {
    passkey_is_multi_factor(env) && crate::domain::mfa::UserMfa::of(user).web_authn_enabled
}

fn has_value(user: &UserRecord, name: &str) -> bool {
    user.attributes.get(name).is_some_and(|v| !v.is_empty())
}

pub fn has_password(user: &UserRecord) -> bool {
    user.password_verifier
        .as_ref()
        .is_some_and(|v| !v.is_empty())
}

/// The factors `user` can sign in with, in the order Cognito lists them (API Reference,
/// InitiateAuth example: PASSWORD_SRP, PASSWORD, EMAIL_OTP, then WEB_AUTHN).
pub fn available(env: &Env, user: &UserRecord, passkeys: usize) -> Vec<String> {
    let allowed = allowed_first_factors(env);
    let allows = |f: &str| allowed.iter().any(|a| a == f);
    let mfa_required = mfa::pool_level(env) == "ON";
    let mut out = Vec::new();
    if allows(PASSWORD) && has_password(user) {
        out.push(PASSWORD_SRP.to_string());
        out.push(PASSWORD.to_string());
    }
    if !mfa_required && allows(EMAIL_OTP) && has_value(user, EMAIL) {
        out.push(EMAIL_OTP.to_string());
    }
    if !mfa_required && allows(SMS_OTP) && has_value(user, PHONE) {
        out.push(SMS_OTP.to_string());
    }
    // "passkey sign-in is available when MFA is required" only for a user with passkey MFA on
    // (API Reference, WebAuthnMfaSettingsType).
    if allows(WEB_AUTHN) && passkeys > 0 && (!mfa_required || passkey_mfa_enabled(env, user)) {
        out.push(WEB_AUTHN.to_string());
    }
    out
}

/// What InitiateAuth USER_AUTH answers: the preferred factor when the user can use it, else the
/// choice **[B: an unavailable preference falls back to SELECT_CHALLENGE]**.
pub fn choose<'a>(
    available: &'a [String],
    preferred: Option<&str>,
) -> Result<Choice<'a>, ApiError> {
    if available.is_empty() {
        // Nothing the user can sign in with (e.g. no password in a password-only pool) **[B]**.
        return Err(super::incorrect_password());
    }
    match preferred.and_then(|p| available.iter().find(|a| a.as_str() == p)) {
        Some(f) => Ok(Choice::Factor(f.as_str())),
        None => Ok(Choice::Select),
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Choice<'a> {
    Factor(&'a str),
    Select,
}

/// The SELECT_CHALLENGE answer: ANSWER must be one of the factors offered.
pub fn read_selection<'a>(
    offered: &[String],
    answer: Option<&'a str>,
) -> Result<&'a str, ApiError> {
    let answer = answer.ok_or_else(|| ApiError::missing_parameter("ANSWER"))?;
    if offered.iter().any(|o| o == answer) {
        Ok(answer)
    } else {
        // [B] text: Cognito's answer to a factor it did not offer is not on record.
        Err(ApiError::invalid_parameter(format!(
            "The challenge {answer} is not available for this user."
        )))
    }
}

/// The first-factor code waiting in a session (EMAIL_OTP / SMS_OTP as the *first* factor; the MFA
/// EMAIL_OTP is `Pending::EmailOtp`, same wire name, different state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtpState {
    /// `EMAIL` or `SMS`.
    pub medium: String,
    /// SHA-256 (hex) of the code sent: the session row never holds the code itself.
    pub code_hash: String,
}

impl OtpState {
    pub fn challenge_name(&self) -> &'static str {
        if self.medium == "SMS" {
            SMS_OTP
        } else {
            EMAIL_OTP
        }
    }

    /// The ChallengeResponses key carrying the code.
    pub fn answer_key(&self) -> &'static str {
        if self.medium == "SMS" {
            "SMS_OTP_CODE"
        } else {
            "EMAIL_OTP_CODE"
        }
    }
}

pub fn code_hash(code: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(code.trim().as_bytes()))
}

/// A WEB_AUTHN challenge waiting for its assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebAuthnState {
    /// base64url, as in CREDENTIAL_REQUEST_OPTIONS. Stored under another key because `Pending`
    /// is tagged with `challenge`.
    #[serde(rename = "webauthn_challenge")]
    pub challenge: String,
    pub rp_id: String,
    pub user_verification_required: bool,
}

/// Wrong code in a first-factor OTP answer, worded as for MFA (observed:
/// aws-amplify/amplify-js#3066).
pub fn wrong_code() -> ApiError {
    ApiError::code_mismatch("Invalid code or auth state for the user.")
}

pub const FLOW: &str = "USER_AUTH";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::Pending;

    #[test]
    fn the_pending_states_round_trip_through_the_session_json() {
        let states = [
            Pending::SelectChallenge {
                available: vec![PASSWORD.into(), EMAIL_OTP.into()],
            },
            Pending::FirstFactorOtp(OtpState {
                medium: "SMS".into(),
                code_hash: code_hash("12345678"),
            }),
            Pending::WebAuthn(WebAuthnState {
                challenge: "abc".into(),
                rp_id: "localhost".into(),
                user_verification_required: true,
            }),
        ];
        for p in states {
            let json = serde_json::to_string(&p).unwrap_or_default();
            let back: Pending = serde_json::from_str(&json).unwrap_or(Pending::NewPasswordRequired);
            assert_eq!(back, p, "{json}");
        }
    }

    #[test]
    fn an_unavailable_preference_falls_back_to_the_choice() {
        let available = vec![PASSWORD_SRP.to_string(), PASSWORD.to_string()];
        assert_eq!(
            choose(&available, Some(PASSWORD)),
            Ok(Choice::Factor(PASSWORD))
        );
        assert_eq!(choose(&available, Some(EMAIL_OTP)), Ok(Choice::Select));
        assert_eq!(choose(&available, None), Ok(Choice::Select));
        assert!(choose(&[], None).is_err());
        assert_eq!(read_selection(&available, Some(PASSWORD)), Ok(PASSWORD));
        assert!(read_selection(&available, Some(WEB_AUTHN)).is_err());
        assert!(read_selection(&available, None).is_err());
    }
}

//! MFA after the first factor (Cognito Developer Guide, "Adding MFA to a user pool" and "TOTP
//! software token MFA"): which second factor a sign-in asks for, the challenges that ask for it
//! (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP) and the checks on their
//! answers. Pure: codes are generated and delivered by the caller (`ops::mfa::deliver`), which
//! fills [`CodeState::code`] before the session is stored.
//!
//! Decision ([`decide`]):
//! 1. Pool OFF: no MFA.
//! 2. Candidates = factors the user enabled that the pool offers; a verified software token also
//!    counts when it is enabled (even if the pool later turned TOTP off [DG TOTP]) or when the pool
//!    requires MFA and offers TOTP (the token was verified during an earlier MFA_SETUP).
//! 3. Candidates without an address to send to (SMS without `phone_number`...) are dropped; none
//!    left: `MFAMethodNotFoundException` [OBS amplify-js#8829, amplify-flutter#95].
//!    Preferred usable factor, else the only one, else SELECT_MFA_TYPE.
//! 4. No candidate: OPTIONAL issues tokens. ON: SMS_MFA when the pool offers SMS and the user has
//!    a phone number (verified or not [OBS amplify-js#11259, #1875]); the same for email **[B]**;
//!    else MFA_SETUP listing the pool's factors, or `MFAMethodNotFoundException` when SMS is the
//!    only one [OBS amplify-js#14013].

use super::{Challenge, Env, Pending};
use crate::domain::attributes::{EMAIL, PHONE};
use crate::domain::mfa::{self as user_mfa, json_list, Factor, UserMfa};
use crate::domain::records::UserRecord;
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SMS_MFA: &str = "SMS_MFA";
pub const EMAIL_OTP: &str = "EMAIL_OTP";
pub const SOFTWARE_TOKEN_MFA: &str = "SOFTWARE_TOKEN_MFA";
pub const SELECT_MFA_TYPE: &str = "SELECT_MFA_TYPE";
pub const MFA_SETUP: &str = "MFA_SETUP";

/// Digits in an SMS or email MFA code **[B: not verified against AWS]**.
pub const CODE_LENGTH: usize = 6;

pub enum MfaDecision {
    /// No second factor: issue tokens.
    NotRequired,
    /// Send this challenge (codes are generated and delivered by the caller).
    Challenge(Challenge),
    Refuse(ApiError),
}

/// A code sent by SMS or email, waiting in the session for its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeState {
    /// The code sent; empty until the caller has delivered it.
    #[serde(default)]
    pub code: String,
    /// Where it went, unmasked: the phone number or email address.
    pub destination: String,
    /// The address came from an MFA_SETUP answer (`EMAIL`): once the code is proven it becomes
    /// the user's verified email and email MFA is turned on.
    #[serde(default)]
    pub setup: bool,
}

/// An MFA_SETUP in progress. AssociateSoftwareToken and VerifySoftwareToken called with the
/// session each replace it with a new one carrying this state forward.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupState {
    /// `MFAS_CAN_SETUP`.
    pub can_setup: Vec<Factor>,
    /// The secret AssociateSoftwareToken handed out in this sign-in.
    #[serde(default)]
    pub secret: Option<String>,
    /// VerifySoftwareToken accepted a code: the MFA_SETUP answer completes the sign-in.
    #[serde(default)]
    pub verified: bool,
}

/// The pool's `MfaConfiguration`: OFF, ON or OPTIONAL.
pub fn pool_level<'a>(env: &Env<'a>) -> &'a str {
    env.pool_mfa
        .mfa_configuration
        .as_deref()
        .or(env.pool.mfa_configuration.as_deref())
        .unwrap_or("OFF")
}

pub fn method_not_found() -> ApiError {
    // Cognito's own spelling [OBS amplify-flutter#95].
    ApiError::mfa_method_not_found("No MFA mechanism registerd in the account.")
}

pub fn wrong_code() -> ApiError {
    ApiError::code_mismatch("Invalid code or auth state for the user.")
}

pub fn token_used() -> ApiError {
    ApiError::expired_code("Your software token has already been used once.")
}

fn address<'u>(user: &'u UserRecord, attribute: &str) -> Option<&'u str> {
    user.attributes
        .get(attribute)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// Whether the user can receive (or produce) a code for `f`.
fn usable(user: &UserRecord, m: &UserMfa, f: Factor) -> bool {
    match f {
        Factor::Sms => address(user, PHONE).is_some(),
        Factor::Email => address(user, EMAIL).is_some(),
        Factor::Totp => m.software_token.is_some(),
    }
}

/// The factors a sign-in may ask this user for (step 2 of the module comment).
pub fn candidates(env: &Env, user: &UserRecord) -> Vec<Factor> {
    let pool = user_mfa::pool_factors(env.pool_mfa);
    let on = pool_level(env) == "ON";
    let m = UserMfa::of(user);
    Factor::ALL
        .into_iter()
        .filter(|f| match f {
            Factor::Totp => {
                m.software_token.is_some()
                    && (m.totp_enabled || (on && pool.contains(&Factor::Totp)))
            }
            f => m.is_enabled(*f) && pool.contains(f),
        })
        .collect()
}

pub fn decide(env: &Env, user: &UserRecord) -> MfaDecision {
    let level = pool_level(env);
    if level == "OFF" {
        return MfaDecision::NotRequired;
    }
    let m = UserMfa::of(user);
    let found = candidates(env, user);
    if !found.is_empty() {
        let ready: Vec<Factor> = found.into_iter().filter(|f| usable(user, &m, *f)).collect();
        let chosen = match (m.preferred.filter(|p| ready.contains(p)), ready.as_slice()) {
            (Some(p), _) => p,
            (None, [only]) => *only,
            (None, []) => return MfaDecision::Refuse(method_not_found()),
            (None, several) => {
                return MfaDecision::Challenge(select_challenge(user, several.to_vec()));
            }
        };
        return decision(factor_challenge(user, chosen));
    }
    if level != "ON" {
        return MfaDecision::NotRequired;
    }
    let pool = user_mfa::pool_factors(env.pool_mfa);
    for f in [Factor::Sms, Factor::Email] {
        if pool.contains(&f) && usable(user, &m, f) {
            return decision(factor_challenge(user, f));
        }
    }
    if pool.iter().all(|f| *f == Factor::Sms) {
        return MfaDecision::Refuse(method_not_found());
    }
    MfaDecision::Challenge(setup_challenge(
        user,
        SetupState {
            can_setup: pool,
            ..Default::default()
        },
    ))
}

fn decision(r: Result<Challenge, ApiError>) -> MfaDecision {
    match r {
        Ok(c) => MfaDecision::Challenge(c),
        Err(e) => MfaDecision::Refuse(e),
    }
}

/// USER_ID_FOR_SRP and USERNAME: every MFA challenge names the user by the internal username
/// (Amplify echoes USERNAME back: amplify-js `signInHelpers.ts`, amplify-swift
/// `RespondToAuthChallengeInput+Amplify.swift`).
fn base_parameters(user: &UserRecord) -> BTreeMap<String, String> {
    let mut p = BTreeMap::new();
    p.insert("USER_ID_FOR_SRP".to_string(), user.username.clone());
    p.insert("USERNAME".to_string(), user.username.clone());
    p
}

fn code_challenge(user: &UserRecord, factor: Factor, destination: &str, setup: bool) -> Challenge {
    let (medium, masked) = match factor {
        Factor::Sms => ("SMS", crate::domain::message::mask_phone(destination)),
        _ => ("EMAIL", crate::domain::message::mask_email(destination)),
    };
    let mut parameters = base_parameters(user);
    parameters.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), medium.into());
    parameters.insert("CODE_DELIVERY_DESTINATION".into(), masked);
    let state = CodeState {
        code: String::new(),
        destination: destination.to_string(),
        setup,
    };
    Challenge {
        parameters,
        pending: match factor {
            Factor::Sms => Pending::SmsMfa(state),
            _ => Pending::EmailOtp(state),
        },
    }
}

/// The challenge asking for `factor`: SMS_MFA / EMAIL_OTP (code to the user's address) or
/// SOFTWARE_TOKEN_MFA.
pub fn factor_challenge(user: &UserRecord, factor: Factor) -> Result<Challenge, ApiError> {
    match factor {
        Factor::Sms => address(user, PHONE)
            .map(|d| code_challenge(user, factor, d, false))
            .ok_or_else(method_not_found),
        Factor::Email => address(user, EMAIL)
            .map(|d| code_challenge(user, factor, d, false))
            .ok_or_else(method_not_found),
        Factor::Totp => {
            let m = UserMfa::of(user);
            let Some(token) = m.software_token else {
                return Err(method_not_found());
            };
            let mut parameters = base_parameters(user);
            if let Some(name) = token.friendly_name.filter(|n| !n.is_empty()) {
                parameters.insert("FRIENDLY_DEVICE_NAME".into(), name);
            }
            Ok(Challenge {
                parameters,
                pending: Pending::SoftwareTokenMfa,
            })
        }
    }
}

pub fn select_challenge(user: &UserRecord, choices: Vec<Factor>) -> Challenge {
    let mut parameters = base_parameters(user);
    parameters.insert("MFAS_CAN_CHOOSE".into(), json_list(&choices));
    Challenge {
        parameters,
        pending: Pending::SelectMfaType { choices },
    }
}

pub fn setup_challenge(user: &UserRecord, state: SetupState) -> Challenge {
    let mut parameters = base_parameters(user);
    parameters.insert("MFAS_CAN_SETUP".into(), json_list(&state.can_setup));
    Challenge {
        parameters,
        pending: Pending::MfaSetup(state),
    }
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

fn response<'a>(responses: &'a BTreeMap<String, String>, key: &str) -> Result<&'a str, ApiError> {
    responses
        .get(key)
        .map(String::as_str)
        .ok_or_else(|| ApiError::missing_parameter(key))
}

/// The answer key of a code challenge.
pub fn code_key(pending: &Pending) -> &'static str {
    match pending {
        Pending::SmsMfa(_) => "SMS_MFA_CODE",
        Pending::EmailOtp(_) => "EMAIL_OTP_CODE",
        _ => "SOFTWARE_TOKEN_MFA_CODE",
    }
}

/// SMS_MFA / EMAIL_OTP: the code sent, compared in constant time.
pub fn check_code(
    state: &CodeState,
    responses: &BTreeMap<String, String>,
    key: &str,
) -> Result<(), ApiError> {
    let given = response(responses, key)?.trim();
    let equal: bool = subtle::ConstantTimeEq::ct_eq(state.code.as_bytes(), given.as_bytes()).into();
    if state.code.is_empty() || !equal {
        return Err(wrong_code());
    }
    Ok(())
}

/// A TOTP code against a secret at `unix` (±1 step), refusing a step already used. Returns the
/// step to remember.
pub fn check_totp_code(
    secret: &str,
    last_used_step: Option<i64>,
    code: &str,
    unix: i64,
) -> Result<i64, ApiError> {
    let step = crate::crypto::totp::verify(secret, code.trim(), unix).ok_or_else(wrong_code)?;
    if last_used_step.is_some_and(|last| step <= last) {
        return Err(token_used());
    }
    Ok(step)
}

/// SOFTWARE_TOKEN_MFA: the code against the user's verified token.
pub fn check_software_token(
    user: &UserRecord,
    responses: &BTreeMap<String, String>,
    unix: i64,
) -> Result<i64, ApiError> {
    let code = response(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
    let Some(token) = UserMfa::of(user).software_token else {
        // Real text [OBS amazon-cognito-identity-js#630].
        return Err(ApiError::software_token_mfa_not_found(
            "Software Token MFA does not exist for the user.",
        ));
    };
    check_totp_code(&token.secret, token.last_used_step, code, unix)
}

/// SELECT_MFA_TYPE: `ANSWER` must be one of the offered factors.
pub fn read_selection(
    choices: &[Factor],
    responses: &BTreeMap<String, String>,
) -> Result<Factor, ApiError> {
    let answer = response(responses, "ANSWER")?;
    Factor::parse(answer)
        .filter(|f| choices.contains(f))
        // [B] exception and text.
        .ok_or_else(|| {
            ApiError::invalid_parameter(format!(
                "ANSWER must be one of {} for the SELECT_MFA_TYPE challenge.",
                json_list(choices)
            ))
        })
}

/// What an MFA_SETUP answer asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum SetupAnswer {
    /// The software token was verified with this session chain: sign-in complete.
    Done,
    /// Set up email MFA with this address: an EMAIL_OTP challenge to it follows.
    Email(String),
}

pub fn read_setup(
    state: &SetupState,
    responses: &BTreeMap<String, String>,
) -> Result<SetupAnswer, ApiError> {
    if let Some(email) = responses.get("EMAIL") {
        if !state.can_setup.contains(&Factor::Email) {
            // [B] exception and text.
            return Err(ApiError::invalid_parameter(
                "Email MFA is not enabled for this user pool.",
            ));
        }
        if !crate::domain::attributes::is_email(email) {
            // [B] text.
            return Err(ApiError::invalid_parameter("Invalid email address format."));
        }
        return Ok(SetupAnswer::Email(email.clone()));
    }
    if state.verified {
        return Ok(SetupAnswer::Done);
    }
    // [B]: what Cognito answers an MFA_SETUP answer before any factor is set up is not on record.
    Err(ApiError::invalid_parameter(
        "MFA_SETUP has not been completed: verify a software token with AssociateSoftwareToken and \
         VerifySoftwareToken using this Session, or answer with EMAIL.",
    ))
}

/// The EMAIL_OTP challenge of an email MFA setup: a code to the address the user gave.
pub fn email_setup_challenge(user: &UserRecord, address: &str) -> Challenge {
    code_challenge(user, Factor::Email, address, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::totp;

    fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn show<T: std::fmt::Debug>(r: Result<T, ApiError>) -> String {
        match r {
            Ok(v) => format!("ok {v:?}"),
            Err(e) => format!("{}: {}", e.code, e.message.unwrap_or_default()),
        }
    }

    #[test]
    fn code_answers() {
        let state = CodeState {
            code: "123456".into(),
            destination: "+12065551234".into(),
            setup: false,
        };
        let undelivered = CodeState {
            code: String::new(),
            ..state.clone()
        };
        let cases: Vec<(&str, &CodeState, BTreeMap<String, String>, &str)> = vec![
            (
                "right",
                &state,
                answers(&[("SMS_MFA_CODE", "123456")]),
                "ok ()",
            ),
            (
                "spaces around",
                &state,
                answers(&[("SMS_MFA_CODE", " 123456 ")]),
                "ok ()",
            ),
            (
                "wrong",
                &state,
                answers(&[("SMS_MFA_CODE", "654321")]),
                "CodeMismatchException: Invalid code or auth state for the user.",
            ),
            (
                "missing",
                &state,
                answers(&[("SOFTWARE_TOKEN_MFA_CODE", "123456")]),
                "InvalidParameterException: Missing required parameter SMS_MFA_CODE",
            ),
            (
                "never delivered",
                &undelivered,
                answers(&[("SMS_MFA_CODE", "")]),
                "CodeMismatchException: Invalid code or auth state for the user.",
            ),
        ];
        for (name, s, r, want) in cases {
            assert_eq!(show(check_code(s, &r, "SMS_MFA_CODE")), want, "{name}");
        }
        assert_eq!(
            code_key(&Pending::EmailOtp(state.clone())),
            "EMAIL_OTP_CODE"
        );
        assert_eq!(code_key(&Pending::SmsMfa(state)), "SMS_MFA_CODE");
    }

    #[test]
    fn totp_answers_accept_one_step_either_side_once() {
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let now = 1_700_000_000;
        let step = now / 30;
        let code = |t: i64| totp::code_at(secret, t).unwrap_or_default();
        let cases: Vec<(&str, String, Option<i64>, String)> = vec![
            ("current step", code(now), None, format!("ok {step}")),
            (
                "previous step",
                code(now - 30),
                None,
                format!("ok {}", step - 1),
            ),
            (
                "next step",
                code(now + 30),
                None,
                format!("ok {}", step + 1),
            ),
            (
                "two steps old",
                code(now - 60),
                None,
                "CodeMismatchException: Invalid code or auth state for the user.".into(),
            ),
            (
                "not digits",
                "abcdef".into(),
                None,
                "CodeMismatchException: Invalid code or auth state for the user.".into(),
            ),
            (
                "already used",
                code(now),
                Some(step),
                "ExpiredCodeException: Your software token has already been used once.".into(),
            ),
            (
                "older than the last used",
                code(now - 30),
                Some(step),
                "ExpiredCodeException: Your software token has already been used once.".into(),
            ),
            (
                "after an older one",
                code(now),
                Some(step - 1),
                format!("ok {step}"),
            ),
        ];
        for (name, c, last, want) in cases {
            assert_eq!(show(check_totp_code(secret, last, &c, now)), want, "{name}");
        }
    }

    #[test]
    fn mfa_selection_answers() {
        let choices = [Factor::Sms, Factor::Email];
        let cases = [
            ("SMS", answers(&[("ANSWER", "SMS_MFA")]), "ok Sms"),
            (
                "Amplify's email name",
                answers(&[("ANSWER", "EMAIL_OTP")]),
                "ok Email",
            ),
            (
                "the API docs' email name",
                answers(&[("ANSWER", "EMAIL_MFA")]),
                "ok Email",
            ),
            (
                "not offered",
                answers(&[("ANSWER", "SOFTWARE_TOKEN_MFA")]),
                r#"InvalidParameterException: ANSWER must be one of ["SMS_MFA","EMAIL_OTP"] for the SELECT_MFA_TYPE challenge."#,
            ),
            (
                "missing",
                answers(&[]),
                "InvalidParameterException: Missing required parameter ANSWER",
            ),
        ];
        for (name, r, want) in cases {
            assert_eq!(show(read_selection(&choices, &r)), want, "{name}");
        }
    }

    #[test]
    fn mfa_setup_answers() {
        let totp_only = SetupState {
            can_setup: vec![Factor::Totp],
            ..Default::default()
        };
        let both = SetupState {
            can_setup: vec![Factor::Totp, Factor::Email],
            ..Default::default()
        };
        let verified = SetupState {
            verified: true,
            ..totp_only.clone()
        };
        let cases = [
            (
                "verified token",
                &verified,
                answers(&[("USERNAME", "a")]),
                "ok Done",
            ),
            (
                "verified token, code echoed",
                &verified,
                answers(&[("SOFTWARE_TOKEN_MFA_CODE", "123456")]),
                "ok Done",
            ),
            (
                "email",
                &both,
                answers(&[("EMAIL", "a@example.com")]),
                r#"ok Email("a@example.com")"#,
            ),
            (
                "bad email",
                &both,
                answers(&[("EMAIL", "not-an-address")]),
                "InvalidParameterException: Invalid email address format.",
            ),
            (
                "email not offered",
                &totp_only,
                answers(&[("EMAIL", "a@example.com")]),
                "InvalidParameterException: Email MFA is not enabled for this user pool.",
            ),
        ];
        for (name, s, r, want) in cases {
            assert_eq!(show(read_setup(s, &r)), want, "{name}");
        }
        assert!(
            show(read_setup(&totp_only, &answers(&[]))).starts_with("InvalidParameterException")
        );
    }
}

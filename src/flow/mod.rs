//! The sign-in state machine, pure: no I/O, no clock (`now` comes in with [`Env`]).
//!
//! A password sign-in walks one decision order, steps 1-12 (1-2, request checks and the user
//! lookup, are the caller's; the README's "Sign-in and tokens" lists the errors in that order). The
//! machine is cut where work that is not pure has to happen, so every entry point
//! (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, SRP, later USER_AUTH/PASSWORD) shares the same
//! steps:
//!
//! ```text
//! before_password(env, user?)          steps 3-7: unknown user, then check_user_state
//!                                       (disabled, unconfirmed, reset required; also asked by
//!                                       REFRESH_TOKEN_AUTH), then locked out
//!   -- caller proves the password: plain check, or the SRP PASSWORD_VERIFIER signature --
//! password_checked(env, &mut user, ok) step 8: wrong password (+ lock-out counting), then
//!   after_primary_auth(env, user)       step 9: temporary password expired / NEW_PASSWORD_REQUIRED
//!     after_password_set(env, user)     steps 10-12: devices (hook), MFA (mfa::decide), tokens
//! ```
//!
//! [`password_sign_in`] strings these together for the plain-password flows. An [`Outcome`] is
//! tokens, a challenge (whose [`Pending`] the caller stores in a new session) or an error. Each
//! challenge family lives in its own module (`new_password`, `mfa`, later `srp`, `devices`...) and
//! adds a variant to [`Pending`]; answers come back through `RespondToAuthChallenge`, which checks
//! the session (`session::check`), hands the answer to the family's module and continues with the
//! next step here.

pub mod custom;
pub mod devices;
pub mod lockout;
pub mod mfa;
pub mod new_password;
pub mod session;
pub mod srp;
pub mod user_auth;

use crate::domain::client::ClientExt;
use crate::domain::pool::PoolExt;
use crate::domain::records::DeviceRecord;
use crate::domain::records::UserRecord;
use crate::domain::user_status::UserStatus;
use crate::error::ApiError;
use crate::model::shapes::{GetUserPoolMfaConfigResponse, UserPoolClientType, UserPoolType};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything a decision may depend on besides the user.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub pool: &'a UserPoolType,
    pub pool_mfa: &'a GetUserPoolMfaConfigResponse,
    pub client: &'a UserPoolClientType,
    /// The AuthFlow the sign-in started with, as sent (`USER_PASSWORD_AUTH`, `ADMIN_NO_SRP_AUTH`...).
    pub flow: &'a str,
    /// Emulator time, seconds since the epoch.
    pub now: f64,
    /// The confirmed device of the user that the request's DEVICE_KEY names, when the sign-in
    /// tracks devices (Cognito Developer Guide, "Working with user devices in your user pool");
    /// None when no key was sent. Loaded by the caller, which refuses
    /// an unknown key with `devices::device_not_found`.
    pub device: Option<&'a DeviceRecord>,
}

/// The state a challenge leaves in its session until it is answered. One variant per challenge
/// the emulator can ask; its data is private to the module that answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "challenge")]
pub enum Pending {
    #[serde(rename = "NEW_PASSWORD_REQUIRED")]
    NewPasswordRequired,
    /// USER_AUTH without a usable PREFERRED_CHALLENGE: the factors offered (`user_auth`).
    #[serde(rename = "SELECT_CHALLENGE")]
    SelectChallenge { available: Vec<String> },
    /// EMAIL_OTP / SMS_OTP as the first factor of USER_AUTH (not the MFA EMAIL_OTP).
    #[serde(rename = "FIRST_FACTOR_OTP")]
    FirstFactorOtp(user_auth::OtpState),
    #[serde(rename = "WEB_AUTHN")]
    WebAuthn(user_auth::WebAuthnState),
    #[serde(rename = "SMS_MFA")]
    SmsMfa(mfa::CodeState),
    #[serde(rename = "EMAIL_OTP")]
    EmailOtp(mfa::CodeState),
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    SoftwareTokenMfa,
    #[serde(rename = "SELECT_MFA_TYPE")]
    SelectMfaType {
        choices: Vec<crate::domain::mfa::Factor>,
    },
    #[serde(rename = "MFA_SETUP")]
    MfaSetup(mfa::SetupState),
    #[serde(rename = "DEVICE_SRP_AUTH")]
    DeviceSrpAuth { device_key: String },
    #[serde(rename = "DEVICE_PASSWORD_VERIFIER")]
    DevicePasswordVerifier(devices::DeviceExchange),
    #[serde(rename = "CUSTOM_CHALLENGE")]
    CustomChallenge(custom::CustomPending),
}

impl Pending {
    /// The `ChallengeName` on the wire.
    pub fn challenge_name(&self) -> &'static str {
        match self {
            Pending::NewPasswordRequired => new_password::NAME,
            Pending::SelectChallenge { .. } => user_auth::SELECT_CHALLENGE,
            Pending::FirstFactorOtp(otp) => otp.challenge_name(),
            Pending::WebAuthn(_) => user_auth::WEB_AUTHN,
            Pending::SmsMfa(_) => mfa::SMS_MFA,
            Pending::EmailOtp(_) => mfa::EMAIL_OTP,
            Pending::SoftwareTokenMfa => mfa::SOFTWARE_TOKEN_MFA,
            Pending::SelectMfaType { .. } => mfa::SELECT_MFA_TYPE,
            Pending::MfaSetup(_) => mfa::MFA_SETUP,
            Pending::DeviceSrpAuth { .. } => devices::DEVICE_SRP_AUTH,
            Pending::DevicePasswordVerifier(_) => devices::DEVICE_PASSWORD_VERIFIER,
            Pending::CustomChallenge(_) => custom::NAME,
        }
    }
}

/// A challenge to send: `ChallengeName` = `pending.challenge_name()`, these `ChallengeParameters`,
/// and a new `Session` holding `pending`.
#[derive(Debug, Clone, PartialEq)]
pub struct Challenge {
    pub parameters: BTreeMap<String, String>,
    pub pending: Pending,
}

impl Challenge {
    pub fn name(&self) -> &'static str {
        self.pending.challenge_name()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Signed in: mint tokens (`AuthenticationResult`, `ChallengeParameters: {}`).
    Tokens,
    Challenge(Challenge),
    Error(ApiError),
}

/// An outcome plus whether the user record changed (lock-out counters) and must be written back.
#[derive(Debug)]
pub struct Decision {
    pub outcome: Outcome,
    pub save_user: bool,
}

pub fn incorrect_password() -> ApiError {
    ApiError::not_authorized("Incorrect username or password.")
}

/// Unknown user: which error depends on the client's PreventUserExistenceErrors (Cognito Developer
/// Guide, "Managing user existence error responses").
pub fn unknown_user(env: &Env) -> ApiError {
    if env.client.hides_user_existence() {
        incorrect_password()
    } else {
        ApiError::user_not_found("User does not exist.")
    }
}

/// Steps 4-6, the user's own state: whether this user may have tokens at all. A disabled user is
/// refused first, then an unconfirmed one and one whose password must be reset. Every other
/// status passes: FORCE_CHANGE_PASSWORD is dealt with once the (temporary) password is proven
/// (step 9), and has nothing to refuse on a refresh.
///
/// Both ways to new tokens ask this, with the same errors: a sign-in ([`before_password`], which
/// then also refuses a locked-out user, step 7) and REFRESH_TOKEN_AUTH (`ops::auth`, after its
/// token checks). The refresh path does not ask about the lock-out, as it never did: the lock-out
/// counts wrong passwords, and a refresh token proves none.
pub fn check_user_state(user: &UserRecord) -> Result<(), ApiError> {
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    match user.status {
        UserStatus::Unconfirmed => Err(ApiError::user_not_confirmed("User is not confirmed.")),
        UserStatus::ResetRequired => Err(ApiError::password_reset_required(
            "Password reset required for the user",
        )),
        UserStatus::Confirmed
        | UserStatus::Archived
        | UserStatus::Compromised
        | UserStatus::Unknown
        | UserStatus::ForceChangePassword
        | UserStatus::ExternalProvider => Ok(()),
    }
}

/// Steps 3-7: everything decided before any password work, so a refused sign-in costs no
/// password check (and SRP can refuse at InitiateAuth, before PASSWORD_VERIFIER).
pub fn before_password(env: &Env, user: Option<&UserRecord>) -> Result<(), ApiError> {
    let Some(user) = user else {
        return Err(unknown_user(env));
    };
    check_user_state(user)?;
    if lockout::is_locked(user, env.now) {
        return Err(ApiError::not_authorized("Password attempts exceeded"));
    }
    Ok(())
}

/// Step 8: the caller has checked the password (`proven`); count failures, clear them on success,
/// and continue.
pub fn password_checked(env: &Env, user: &mut UserRecord, proven: bool) -> Decision {
    if !proven {
        lockout::record_failure(user, env.now);
        return Decision {
            outcome: Outcome::Error(incorrect_password()),
            save_user: true,
        };
    }
    let save_user = lockout::record_success(user);
    Decision {
        outcome: after_primary_auth(env, user),
        save_user,
    }
}

/// TemporaryPasswordValidityDays, 0 or absent meaning the default 7.
pub fn temporary_password_days(pool: &UserPoolType) -> i64 {
    match pool.password_policy().temporary_password_validity_days {
        Some(d) if d > 0 => d,
        _ => 7,
    }
}

/// Step 9 onwards, once the password is proven.
pub fn after_primary_auth(env: &Env, user: &UserRecord) -> Outcome {
    if user.status == UserStatus::ForceChangePassword {
        let set_at = user.password_set_at.unwrap_or(user.created_at);
        let days = temporary_password_days(env.pool);
        if env.now - set_at > (days * 86_400) as f64 {
            return Outcome::Error(ApiError::not_authorized(
                "Temporary password has expired and must be reset by an administrator.",
            ));
        }
        return Outcome::Challenge(new_password::challenge(env, user));
    }
    after_password_set(env, user)
}

/// Steps 10-12: what follows a proven (or just replaced) password.
pub fn after_password_set(env: &Env, user: &UserRecord) -> Outcome {
    // 10. A remembered device whose proof replaces MFA (API Reference, DeviceConfigurationType;
    // observed: aws-amplify/amplify-js#14349).
    if let Some(challenge) = devices::instead_of_mfa(env, user) {
        return Outcome::Challenge(challenge);
    }
    // 11. MFA (Cognito Developer Guide, "Adding MFA to a user pool").
    match mfa::decide(env, user) {
        mfa::MfaDecision::NotRequired => after_second_factor(env, user),
        mfa::MfaDecision::Challenge(c) => Outcome::Challenge(c),
        mfa::MfaDecision::Refuse(e) => Outcome::Error(e),
    }
}

/// Once MFA is satisfied (a correct MFA answer ends here) or not required: a known device
/// proves itself with DEVICE_SRP_AUTH, then tokens (Cognito Developer Guide, "Working with user
/// devices in your user pool").
pub fn after_second_factor(env: &Env, user: &UserRecord) -> Outcome {
    devices::after_mfa(env, user)
}

/// The plain-password flows end to end: `user` is the resolved user (None = unknown) and
/// `check_password` proves the password; it is only called when steps 3-7 let the sign-in through.
pub fn password_sign_in(
    env: &Env,
    user: Option<&mut UserRecord>,
    check_password: impl FnOnce(&UserRecord) -> bool,
) -> Decision {
    if let Err(e) = before_password(env, user.as_deref()) {
        return Decision {
            outcome: Outcome::Error(e),
            save_user: false,
        };
    }
    let Some(user) = user else {
        // before_password refuses unknown users; this keeps the function total.
        return Decision {
            outcome: Outcome::Error(unknown_user(env)),
            save_user: false,
        };
    };
    let proven = check_password(user);
    password_checked(env, user, proven)
}

#[cfg(test)]
mod tests;

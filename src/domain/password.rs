//! Password policy (API Reference, PasswordPolicyType; Cognito Developer Guide, "Adding user pool
//! password requirements") and the operation-specific wording of its violations.

use crate::error::ApiError;
use crate::model::shapes::PasswordPolicyType;

/// Cognito's symbol set (Cognito Developer Guide, "Adding user pool password requirements"); a
/// space counts when it is neither first nor last.
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";

/// Where the password came from: each operation words the violation its own way (texts as apps
/// match them in public code; ChangePassword and AdminSetUserPassword share the last form
/// **[B: not verified against AWS]**).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyContext {
    SignUp,
    AdminCreateUser,
    /// ConfirmForgotPassword, NEW_PASSWORD_REQUIRED, ChangePassword, AdminSetUserPassword.
    Other,
}

/// The first rule the password breaks, as Cognito's message suffix.
pub fn violation(policy: &PasswordPolicyType, password: &str) -> Option<&'static str> {
    let min = policy.minimum_length.unwrap_or(8).max(0) as usize;
    if password.chars().count() < min {
        return Some("Password not long enough");
    }
    if policy.require_uppercase.unwrap_or(false)
        && !password.chars().any(|c| c.is_ascii_uppercase())
    {
        return Some("Password must have uppercase characters");
    }
    if policy.require_lowercase.unwrap_or(false)
        && !password.chars().any(|c| c.is_ascii_lowercase())
    {
        return Some("Password must have lowercase characters");
    }
    if policy.require_numbers.unwrap_or(false) && !password.chars().any(|c| c.is_ascii_digit()) {
        return Some("Password must have numeric characters");
    }
    if policy.require_symbols.unwrap_or(false) {
        let inner_space = password.trim() == password && password.contains(' ');
        if !inner_space && !password.chars().any(|c| SYMBOLS.contains(c)) {
            return Some("Password must have symbol characters");
        }
    }
    None
}

pub fn check(
    policy: &PasswordPolicyType,
    password: &str,
    ctx: PolicyContext,
) -> Result<(), ApiError> {
    match violation(policy, password) {
        None => Ok(()),
        Some(rule) => {
            let prefix = match ctx {
                PolicyContext::SignUp => "Password did not conform with policy",
                PolicyContext::AdminCreateUser => "Password did not conform with password policy",
                PolicyContext::Other => "Password does not conform to policy",
            };
            Err(ApiError::invalid_password(format!("{prefix}: {rule}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pool::default_password_policy;

    #[test]
    fn default_policy_rules_in_order() {
        let p = default_password_policy();
        assert_eq!(violation(&p, "Ab1!"), Some("Password not long enough"));
        assert_eq!(
            violation(&p, "abcdefg1!"),
            Some("Password must have uppercase characters")
        );
        assert_eq!(
            violation(&p, "ABCDEFG1!"),
            Some("Password must have lowercase characters")
        );
        assert_eq!(
            violation(&p, "Abcdefgh!"),
            Some("Password must have numeric characters")
        );
        assert_eq!(
            violation(&p, "Abcdefgh1"),
            Some("Password must have symbol characters")
        );
        assert_eq!(
            violation(&p, "Abcd efgh1"),
            None,
            "an inner space is a symbol"
        );
        assert_eq!(violation(&p, "Passw0rd!"), None);
    }

    #[test]
    fn messages_follow_the_operation() {
        let p = default_password_policy();
        let e = check(&p, "short", PolicyContext::SignUp).unwrap_err();
        assert_eq!(e.code, "InvalidPasswordException");
        assert_eq!(
            e.message.as_deref(),
            Some("Password did not conform with policy: Password not long enough")
        );
        let e = check(&p, "short", PolicyContext::Other).unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("Password does not conform to policy: Password not long enough")
        );
    }
}

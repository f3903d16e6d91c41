//! A user's status: the model's `UserStatusType` (API Reference, UserType.UserStatus). The wire
//! text (`as_str`) is what the API, trigger events (`cognito:user_status`), ListUsers filters,
//! seed files and the store all use.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UserStatus {
    /// Created (SignUp) but not confirmed.
    Unconfirmed,
    Confirmed,
    /// No longer used by Cognito; listed because the model has it.
    Archived,
    /// No longer used by Cognito; listed because the model has it.
    Compromised,
    /// "User status isn't known". The `Default` only so `UserRecord` can derive it: every path
    /// that creates a user sets its status explicitly.
    #[default]
    Unknown,
    /// Confirmed, but must reset the password (ForgotPassword) before signing in.
    ResetRequired,
    /// Confirmed, signs in with a temporary password and must then choose one.
    ForceChangePassword,
    /// Signed in through a third-party identity provider.
    ExternalProvider,
}

impl UserStatus {
    /// Every value, in the model's order.
    pub const ALL: [UserStatus; 8] = [
        UserStatus::Unconfirmed,
        UserStatus::Confirmed,
        UserStatus::Archived,
        UserStatus::Compromised,
        UserStatus::Unknown,
        UserStatus::ResetRequired,
        UserStatus::ForceChangePassword,
        UserStatus::ExternalProvider,
    ];

    /// The wire text.
    pub const fn as_str(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
            UserStatus::Archived => "ARCHIVED",
            UserStatus::Compromised => "COMPROMISED",
            UserStatus::Unknown => "UNKNOWN",
            UserStatus::ResetRequired => "RESET_REQUIRED",
            UserStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            UserStatus::ExternalProvider => "EXTERNAL_PROVIDER",
        }
    }

    /// The value whose wire text is exactly `s` (case-sensitive, as the model's enums are).
    pub fn parse(s: &str) -> Option<UserStatus> {
        UserStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that is not one of the model's `UserStatusType` values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownUserStatus(pub String);

impl fmt::Display for UnknownUserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a user status", self.0)
    }
}

impl std::error::Error for UnknownUserStatus {}

impl FromStr for UserStatus {
    type Err = UnknownUserStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UserStatus::parse(s).ok_or_else(|| UnknownUserStatus(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_text_round_trips() {
        for s in UserStatus::ALL {
            assert_eq!(s.as_str().parse::<UserStatus>(), Ok(s));
            assert_eq!(s.to_string(), s.as_str());
        }
    }

    #[test]
    fn matches_the_model_enum() {
        let texts: Vec<&str> = UserStatus::ALL.iter().map(|s| s.as_str()).collect();
        // The catalog holds input shapes only; UserStatusType is output-only.
        let model: serde_json::Value =
            serde_json::from_str(include_str!("../../model/service-2.json")).unwrap();
        assert_eq!(
            serde_json::json!(texts),
            model["shapes"]["UserStatusType"]["enum"]
        );
    }

    #[test]
    fn other_texts_are_refused() {
        for bad in ["", "confirmed", "Confirmed", " CONFIRMED", "DISABLED"] {
            assert_eq!(
                bad.parse::<UserStatus>(),
                Err(UnknownUserStatus(bad.to_string()))
            );
        }
    }
}

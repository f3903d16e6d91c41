//! Reading a stored `UserPoolClientType`: allowed flows, token lifetimes, secrets.

use crate::model::shapes::UserPoolClientType;

/// Flows a client allows when it was created without ExplicitAuthFlows (API Reference,
/// CreateUserPoolClient).
pub const DEFAULT_FLOWS: &[&str] = &[
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_CUSTOM_AUTH",
];

pub trait ClientExt {
    fn id(&self) -> &str;
    fn pool_id(&self) -> &str;
    fn explicit_flows(&self) -> Vec<String>;
    /// Whether `ALLOW_<flow>` (or its legacy spelling) is enabled.
    fn allows(&self, allow_flag: &str) -> bool;
    /// The secret DescribeUserPoolClient shows: the oldest current one.
    fn secret(&self) -> Option<&str>;
    /// Every current secret, oldest first: after AddUserPoolClientSecret a client has two, and
    /// a SECRET_HASH (or raw ClientSecret) made with either is accepted.
    fn secrets(&self) -> Vec<&str>;
    fn access_token_seconds(&self) -> i64;
    fn id_token_seconds(&self) -> i64;
    fn refresh_token_seconds(&self) -> i64;
    fn auth_session_seconds(&self) -> i64;
    /// PreventUserExistenceErrors = ENABLED (absent means LEGACY, the API default).
    fn hides_user_existence(&self) -> bool;
    fn token_revocation_enabled(&self) -> bool;
    fn rotates_refresh_tokens(&self) -> bool;
}

fn unit_seconds(unit: Option<&str>, default: &str) -> i64 {
    match unit.unwrap_or(default) {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        "days" => 86400,
        _ => 3600,
    }
}

impl ClientExt for UserPoolClientType {
    fn id(&self) -> &str {
        self.client_id.as_deref().unwrap_or_default()
    }

    fn pool_id(&self) -> &str {
        self.user_pool_id.as_deref().unwrap_or_default()
    }

    fn explicit_flows(&self) -> Vec<String> {
        match &self.explicit_auth_flows {
            Some(f) if !f.is_empty() => f.clone(),
            _ => DEFAULT_FLOWS.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn allows(&self, allow_flag: &str) -> bool {
        let legacy = match allow_flag {
            "ALLOW_USER_PASSWORD_AUTH" => Some("USER_PASSWORD_AUTH"),
            "ALLOW_ADMIN_USER_PASSWORD_AUTH" => Some("ADMIN_NO_SRP_AUTH"),
            "ALLOW_CUSTOM_AUTH" => Some("CUSTOM_AUTH_FLOW_ONLY"),
            _ => None,
        };
        let flows = self.explicit_flows();
        let legacy_only = flows.iter().all(|f| !f.starts_with("ALLOW_"));
        flows.iter().any(|f| f == allow_flag || Some(f.as_str()) == legacy)
            // Legacy-only clients still refresh and use SRP, as on AWS.
            || (legacy_only && matches!(allow_flag, "ALLOW_REFRESH_TOKEN_AUTH" | "ALLOW_USER_SRP_AUTH"))
    }

    fn secret(&self) -> Option<&str> {
        self.secrets().into_iter().next()
    }

    // The stored ClientSecret holds the current secrets joined by spaces (see
    // ops::client_secrets), which a secret (`[\w+]+`) never contains.
    fn secrets(&self) -> Vec<&str> {
        self.client_secret
            .as_deref()
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
            .collect()
    }

    fn access_token_seconds(&self) -> i64 {
        let units = self
            .token_validity_units
            .as_ref()
            .and_then(|u| u.access_token.as_deref());
        self.access_token_validity.unwrap_or(1).max(0) * unit_seconds(units, "hours")
    }

    fn id_token_seconds(&self) -> i64 {
        let units = self
            .token_validity_units
            .as_ref()
            .and_then(|u| u.id_token.as_deref());
        self.id_token_validity.unwrap_or(1).max(0) * unit_seconds(units, "hours")
    }

    fn refresh_token_seconds(&self) -> i64 {
        let units = self
            .token_validity_units
            .as_ref()
            .and_then(|u| u.refresh_token.as_deref());
        match self.refresh_token_validity {
            Some(v) if v > 0 => v * unit_seconds(units, "days"),
            _ => 30 * 86400,
        }
    }

    fn auth_session_seconds(&self) -> i64 {
        self.auth_session_validity.unwrap_or(3).clamp(3, 15) * 60
    }

    fn hides_user_existence(&self) -> bool {
        self.prevent_user_existence_errors.as_deref() == Some("ENABLED")
    }

    fn token_revocation_enabled(&self) -> bool {
        self.enable_token_revocation.unwrap_or(true)
    }

    fn rotates_refresh_tokens(&self) -> bool {
        self.refresh_token_rotation
            .as_ref()
            .and_then(|r| r.feature.as_deref())
            == Some("ENABLED")
    }
}

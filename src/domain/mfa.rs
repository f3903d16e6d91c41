//! MFA factors: what the pool offers (SetUserPoolMfaConfig) and what a user has set up, stored as
//! the user's `users.mfa` JSON document. This module is the one place that reads and writes that
//! document (API Reference, SetUserPoolMfaConfig and SetUserMFAPreference).

use crate::domain::records::UserRecord;
use crate::model::shapes::{GetUserPoolMfaConfigResponse, MFAOptionType};
use serde::{Deserialize, Serialize};

/// An MFA factor, under its `ChallengeName` / `UserMFASettingList` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Factor {
    #[serde(rename = "SMS_MFA")]
    Sms,
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    Totp,
    #[serde(rename = "EMAIL_OTP")]
    Email,
}

impl Factor {
    /// In the order Cognito lists factors (`MFAS_CAN_CHOOSE`, `MFAS_CAN_SETUP`, `UserMFASettingList`).
    pub const ALL: [Factor; 3] = [Factor::Sms, Factor::Totp, Factor::Email];

    pub fn name(self) -> &'static str {
        match self {
            Factor::Sms => "SMS_MFA",
            Factor::Totp => "SOFTWARE_TOKEN_MFA",
            Factor::Email => "EMAIL_OTP",
        }
    }

    /// A factor named by a client. Email MFA is `EMAIL_OTP` in Amplify (amplify-js
    /// `signInHelpers.ts`, `mapMfaType`) and `EMAIL_MFA` in the API Reference's SELECT_MFA_TYPE
    /// answers (RespondToAuthChallenge): both are accepted.
    pub fn parse(name: &str) -> Option<Factor> {
        match name {
            "SMS_MFA" => Some(Factor::Sms),
            "SOFTWARE_TOKEN_MFA" => Some(Factor::Totp),
            "EMAIL_OTP" | "EMAIL_MFA" => Some(Factor::Email),
            _ => None,
        }
    }
}

/// The JSON array string of `MFAS_CAN_CHOOSE` / `MFAS_CAN_SETUP`.
pub fn json_list(factors: &[Factor]) -> String {
    let names: Vec<&str> = factors.iter().map(|f| f.name()).collect();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".into())
}

/// The pool's `MfaConfiguration`: OFF, ON or OPTIONAL.
pub fn pool_level(cfg: &GetUserPoolMfaConfigResponse) -> &str {
    cfg.mfa_configuration.as_deref().unwrap_or("OFF")
}

/// Factors the pool has turned on: SMS when an `SmsMfaConfiguration` is stored, TOTP when
/// `SoftwareTokenMfaConfiguration.Enabled`, email when an `EmailMfaConfiguration` is stored.
pub fn pool_factors(cfg: &GetUserPoolMfaConfigResponse) -> Vec<Factor> {
    let mut out = Vec::new();
    if cfg.sms_mfa_configuration.is_some() {
        out.push(Factor::Sms);
    }
    if cfg
        .software_token_mfa_configuration
        .as_ref()
        .and_then(|t| t.enabled)
        .unwrap_or(false)
    {
        out.push(Factor::Totp);
    }
    if cfg.email_mfa_configuration.is_some() {
        out.push(Factor::Email);
    }
    out
}

/// A verified software token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SoftwareToken {
    /// Base32 `SecretCode`.
    pub secret: String,
    /// `FriendlyDeviceName` given at VerifySoftwareToken.
    pub friendly_name: Option<String>,
    /// The last TOTP time step accepted: a code of that step or an earlier one is refused.
    pub last_used_step: Option<i64>,
}

/// A user's MFA settings (`users.mfa`). Unknown or unreadable documents read as "nothing set up".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UserMfa {
    pub sms_enabled: bool,
    pub totp_enabled: bool,
    pub email_enabled: bool,
    pub preferred: Option<Factor>,
    /// The verified software token, if any.
    pub software_token: Option<SoftwareToken>,
    /// A secret from AssociateSoftwareToken (with an access token) awaiting VerifySoftwareToken;
    /// the verified token, if any, keeps working until then.
    pub pending_secret: Option<String>,
    /// `WebAuthnMfaSettings.Enabled` (SetUserMFAPreference): a passkey with user verification
    /// counts as MFA for this user (API Reference, WebAuthnMfaSettingsType). Not an entry of
    /// `UserMFASettingList`, whose values the API Reference lists as SMS_MFA, EMAIL_OTP and
    /// SOFTWARE_TOKEN_MFA, and never preferred (the type has no `PreferredMfa`).
    pub web_authn_enabled: bool,
    /// Wrong MFA codes in a row and when the last came (`flow::lockout::record_wrong_code`).
    #[serde(skip_serializing_if = "is_zero")]
    pub failed_codes: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_failed_code_at: Option<f64>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl UserMfa {
    pub fn of(user: &UserRecord) -> UserMfa {
        serde_json::from_value(user.mfa.clone()).unwrap_or_default()
    }

    pub fn save(&self, user: &mut UserRecord) {
        user.mfa = serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({}));
    }

    pub fn is_enabled(&self, f: Factor) -> bool {
        match f {
            Factor::Sms => self.sms_enabled,
            Factor::Totp => self.totp_enabled,
            Factor::Email => self.email_enabled,
        }
    }

    pub fn set_enabled(&mut self, f: Factor, on: bool) {
        match f {
            Factor::Sms => self.sms_enabled = on,
            Factor::Totp => self.totp_enabled = on,
            Factor::Email => self.email_enabled = on,
        }
        if !on && self.preferred == Some(f) {
            self.preferred = None;
        }
    }

    /// Enabled factors in Cognito's order.
    pub fn enabled(&self) -> Vec<Factor> {
        Factor::ALL
            .into_iter()
            .filter(|f| self.is_enabled(*f))
            .collect()
    }

    /// `UserMFASettingList` of GetUser / AdminGetUser; absent when nothing is enabled.
    pub fn setting_list(&self) -> Option<Vec<String>> {
        let list: Vec<String> = self
            .enabled()
            .into_iter()
            .map(|f| f.name().to_string())
            .collect();
        (!list.is_empty()).then_some(list)
    }

    /// `PreferredMfaSetting`.
    pub fn preferred_setting(&self) -> Option<String> {
        self.preferred.map(|f| f.name().to_string())
    }

    /// The legacy `MFAOptions`: SMS to `phone_number` when SMS MFA is on (SetUserSettings can only
    /// express that).
    pub fn mfa_options(&self) -> Option<Vec<MFAOptionType>> {
        self.sms_enabled.then(|| {
            vec![MFAOptionType {
                delivery_medium: Some("SMS".into()),
                attribute_name: Some("phone_number".into()),
            }]
        })
    }
}

/// GetUser / AdminGetUser's three MFA members for a user.
pub struct Reported {
    pub mfa_options: Option<Vec<MFAOptionType>>,
    pub preferred_mfa_setting: Option<String>,
    pub user_mfa_setting_list: Option<Vec<String>>,
}

pub fn reported(user: &UserRecord) -> Reported {
    let m = UserMfa::of(user);
    Reported {
        mfa_options: m.mfa_options(),
        preferred_mfa_setting: m.preferred_setting(),
        user_mfa_setting_list: m.setting_list(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shapes::{EmailMfaConfigType, SmsMfaConfigType, SoftwareTokenMfaConfigType};

    #[test]
    fn an_empty_or_foreign_document_means_nothing_set_up() {
        let mut u = UserRecord {
            mfa: serde_json::json!({}),
            ..Default::default()
        };
        assert_eq!(UserMfa::of(&u), UserMfa::default());
        u.mfa = serde_json::json!({"SoftwareTokenMfa": {"Enabled": true}});
        assert_eq!(UserMfa::of(&u).enabled(), vec![]);
        u.mfa = serde_json::json!(42);
        assert_eq!(UserMfa::of(&u), UserMfa::default());
    }

    #[test]
    fn settings_round_trip_and_report_as_getuser_does() {
        let mut u = UserRecord::default();
        let mut m = UserMfa::default();
        assert_eq!(m.setting_list(), None);
        assert_eq!(m.mfa_options(), None);
        m.set_enabled(Factor::Email, true);
        m.set_enabled(Factor::Sms, true);
        m.preferred = Some(Factor::Sms);
        m.software_token = Some(SoftwareToken {
            secret: "ABC".into(),
            friendly_name: Some("phone".into()),
            last_used_step: Some(7),
        });
        m.save(&mut u);
        let back = UserMfa::of(&u);
        assert_eq!(back, m);
        let r = reported(&u);
        assert_eq!(
            r.user_mfa_setting_list,
            Some(vec!["SMS_MFA".to_string(), "EMAIL_OTP".to_string()])
        );
        assert_eq!(r.preferred_mfa_setting.as_deref(), Some("SMS_MFA"));
        assert_eq!(
            r.mfa_options.map(|o| o.len()),
            Some(1),
            "SMS shows in the legacy MFAOptions"
        );
        // Turning the preferred factor off clears the preference.
        let mut m = back;
        m.set_enabled(Factor::Sms, false);
        assert_eq!(m.preferred, None);
    }

    #[test]
    fn pool_factors_follow_the_stored_configuration() {
        let mut cfg = GetUserPoolMfaConfigResponse::default();
        assert_eq!(pool_factors(&cfg), vec![]);
        cfg.software_token_mfa_configuration = Some(SoftwareTokenMfaConfigType {
            enabled: Some(false),
        });
        assert_eq!(pool_factors(&cfg), vec![]);
        cfg.software_token_mfa_configuration = Some(SoftwareTokenMfaConfigType {
            enabled: Some(true),
        });
        cfg.sms_mfa_configuration = Some(SmsMfaConfigType::default());
        cfg.email_mfa_configuration = Some(EmailMfaConfigType::default());
        assert_eq!(
            pool_factors(&cfg),
            vec![Factor::Sms, Factor::Totp, Factor::Email]
        );
        assert_eq!(
            json_list(&pool_factors(&cfg)),
            r#"["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#
        );
        assert_eq!(Factor::parse("EMAIL_MFA"), Some(Factor::Email));
        assert_eq!(Factor::parse("TOTP"), None);
    }
}

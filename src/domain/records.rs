//! The records the store reads and writes: plain data, one struct per stored row kind. They live
//! here, below both `flow` and `store`, so the pure rules can take them without depending on SQL.
//! Their `Debug` impls leave out secrets (password material, session ids, codes).

use super::user_status::UserStatus;
use serde::Serialize;
use std::collections::BTreeMap;

/// A stored user. `attributes` never holds `sub` (it is a column); the API view adds it.
#[derive(Clone, Default)]
pub struct UserRecord {
    pub pool_id: String,
    pub sub: String,
    /// The internal username, as created (the `sub` itself in UsernameAttributes pools).
    pub username: String,
    /// Lookup key: the username, lower-cased when the pool ignores case.
    pub username_key: String,
    pub status: UserStatus,
    pub enabled: bool,
    pub attributes: BTreeMap<String, String>,
    /// Keys for signing in with an alias or a username attribute; None = not usable.
    pub email_key: Option<String>,
    pub phone_key: Option<String>,
    pub preferred_username_key: Option<String>,
    pub password_salt: Option<Vec<u8>>,
    pub password_verifier: Option<Vec<u8>>,
    pub password_set_at: Option<f64>,
    /// Earlier (salt, verifier) pairs as JSON, for PasswordHistorySize.
    pub password_history: serde_json::Value,
    /// Per-user MFA settings (JSON owned by the MFA code).
    pub mfa: serde_json::Value,
    pub failed_attempts: i64,
    pub last_failed_at: Option<f64>,
    pub locked_until: Option<f64>,
    pub tokens_valid_after: Option<f64>,
    pub created_at: f64,
    pub modified_at: f64,
    /// Whether provider identities are linked to the user: filled in by the store on every read
    /// (in the same query), never written. Readers skip the links query when it is false.
    pub linked: bool,
}

impl std::fmt::Debug for UserRecord {
    // Never print password material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("pool_id", &self.pool_id)
            .field("sub", &self.sub)
            .field("username", &self.username)
            .field("status", &self.status)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// Which lookup column an alias resolves through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AliasColumn {
    Email,
    Phone,
    PreferredUsername,
}

#[derive(Clone, Default, PartialEq)]
pub struct AuthSession {
    /// The opaque `Session` value clients hold.
    pub id: String,
    pub pool_id: String,
    pub client_id: String,
    pub sub: Option<String>,
    /// `flow::session::SessionState` as JSON.
    pub state: String,
    pub expires_at: f64,
    pub consumed: bool,
    /// Wrong codes answered in this session.
    pub attempts: i64,
    pub created_at: f64,
}

impl std::fmt::Debug for AuthSession {
    // The id is a bearer secret for the rest of the sign-in.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSession")
            .field("pool_id", &self.pool_id)
            .field("client_id", &self.client_id)
            .field("sub", &self.sub)
            .field("expires_at", &self.expires_at)
            .field("consumed", &self.consumed)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// `devices.remembered` values, as `DeviceRememberedStatusType` spells them.
pub const REMEMBERED: &str = "remembered";

pub const NOT_REMEMBERED: &str = "not_remembered";

#[derive(Clone, PartialEq, Default)]
pub struct DeviceRecord {
    /// `<region>_<uuid>`, unique across pools.
    pub device_key: String,
    pub pool_id: String,
    /// The owner.
    pub sub: String,
    /// The "pool name" of device SRP (amazon-cognito-identity-js `CognitoUser.js`,
    /// `getDeviceResponse`).
    pub device_group_key: String,
    /// ConfirmDevice's salt and verifier, unsigned big-endian; empty until confirmed.
    pub salt: Vec<u8>,
    pub verifier: Vec<u8>,
    pub name: Option<String>,
    /// [`REMEMBERED`] or [`NOT_REMEMBERED`].
    pub remembered: String,
    pub confirmed: bool,
    pub created_at: f64,
    pub modified_at: f64,
    pub last_authenticated_at: Option<f64>,
}

impl DeviceRecord {
    pub fn is_remembered(&self) -> bool {
        self.remembered == REMEMBERED
    }
}

impl std::fmt::Debug for DeviceRecord {
    // The verifier allows an offline attack on the device secret: keep it out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceRecord")
            .field("device_key", &self.device_key)
            .field("pool_id", &self.pool_id)
            .field("sub", &self.sub)
            .field("remembered", &self.remembered)
            .field("confirmed", &self.confirmed)
            .finish_non_exhaustive()
    }
}

/// What ConfirmDevice writes.
#[derive(Clone)]
pub struct DeviceConfirmation<'a> {
    pub salt: &'a [u8],
    pub verifier: &'a [u8],
    pub name: Option<&'a str>,
    pub remembered: &'a str,
    pub now: f64,
}

#[derive(Clone)]
pub struct CodeRecord {
    pub pool_id: String,
    pub sub: String,
    pub purpose: String,
    pub code: String,
    pub expires_at: f64,
    pub attempts: i64,
    pub created_at: f64,
    /// The new attribute value this code confirms, when the change waits for it.
    pub pending_value: Option<String>,
}

impl std::fmt::Debug for CodeRecord {
    // The code is a credential.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeRecord")
            .field("pool_id", &self.pool_id)
            .field("sub", &self.sub)
            .field("purpose", &self.purpose)
            .field("expires_at", &self.expires_at)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuthEventRecord {
    pub event_id: String,
    pub pool_id: String,
    pub sub: String,
    pub event_type: String,
    pub event_response: String,
    /// ChallengeResponses as JSON: `[{"ChallengeName": ..., "ChallengeResponse": ...}]`.
    pub challenges: serde_json::Value,
    pub created_at: f64,
    pub feedback_value: Option<String>,
    pub feedback_provider: Option<String>,
    pub feedback_date: Option<f64>,
}

/// An external identity linked to a pool user.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderLink {
    pub provider_name: String,
    pub provider_user_id: String,
    pub sub: String,
    pub created_at: f64,
}

/// A stored job, without the CSV and the log (read on their own: they can be large).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportJobRecord {
    pub job_id: String,
    pub pool_id: String,
    pub job_name: String,
    pub role_arn: String,
    pub status: String,
    pub created_at: f64,
    pub started_at: Option<f64>,
    pub completed_at: Option<f64>,
    pub imported_users: i64,
    pub skipped_users: i64,
    pub failed_users: i64,
    pub completion_message: Option<String>,
    /// Whether a CSV has been uploaded (and not yet dropped).
    pub has_csv: bool,
}

/// An authorization code as stored (by hash).
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthCode {
    pub code_hash: String,
    pub pool_id: String,
    pub client_id: String,
    pub sub: String,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: i64,
    pub expires_at: f64,
    pub used_at: Option<f64>,
}

/// A hosted UI sign-in session (the cookie's value is its id, stored hashed).
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthSession {
    pub pool_id: String,
    pub sub: String,
    pub auth_time: i64,
    pub expires_at: f64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: String,
    pub user_pool_id: String,
    pub username: String,
    pub channel: String,
    pub destination: String,
    pub purpose: String,
    pub code: Option<String>,
    /// The email's subject line; null for SMS.
    pub subject: Option<String>,
    pub body: String,
    /// An invitation's temporary password (null for every other message).
    pub temporary_password: Option<String>,
    pub sent_at: String,
}

#[derive(Debug, Default, Clone)]
pub struct MessageFilter {
    pub user_pool_id: Option<String>,
    /// The message's username, or the username, sub, email, phone number or preferred_username
    /// of the user it went to, or its destination.
    pub username: Option<String>,
    pub channel: Option<String>,
    pub purpose: Option<String>,
    pub destination: Option<String>,
    /// Only messages written after the message with this id.
    pub after_id: Option<String>,
    /// Only messages sent at or after this epoch time.
    pub since: Option<f64>,
}

pub struct NewMessage<'a> {
    pub pool_id: &'a str,
    pub username: &'a str,
    pub channel: &'a str,
    pub destination: &'a str,
    pub purpose: &'a str,
    pub code: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub body: &'a str,
    pub temporary_password: Option<&'a str>,
    pub sent_at: f64,
}

/// A code that waits in the `codes` table for its confirmation, written with the message that
/// carries it.
pub struct CodeToKeep<'a> {
    pub sub: &'a str,
    /// The `codes` key (`domain::message::Purpose::code_key`).
    pub key: &'a str,
    pub code: &'a str,
    pub expires_at: f64,
}

/// One secret of an app client.
#[derive(Clone)]
pub struct ClientSecretRecord {
    pub secret_id: String,
    pub value: String,
    pub created_at: f64,
}

impl std::fmt::Debug for ClientSecretRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSecretRecord")
            .field("secret_id", &self.secret_id)
            .finish_non_exhaustive()
    }
}

/// A refresh token as stored: the token itself never is, only its SHA-256.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshTokenRecord {
    pub token_hash: String,
    pub pool_id: String,
    pub client_id: String,
    pub sub: String,
    /// Shared by every token of one sign-in, across refreshes and rotations.
    pub origin_jti: String,
    pub auth_time: i64,
    pub device_key: Option<String>,
    pub expires_at: f64,
    /// RevokeToken / GlobalSignOut.
    pub revoked_at: Option<f64>,
    /// Rotated out by GetTokensFromRefreshToken.
    pub replaced_at: Option<f64>,
    pub created_at: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CredentialRecord {
    pub pool_id: String,
    pub sub: String,
    /// base64url.
    pub credential_id: String,
    /// COSE_Key bytes.
    pub public_key: Vec<u8>,
    pub alg: i64,
    pub sign_count: u32,
    pub transports: Vec<String>,
    pub attachment: Option<String>,
    /// Hex.
    pub aaguid: String,
    pub rp_id: String,
    pub friendly_name: String,
    pub created_at: f64,
}

/// A StartWebAuthnRegistration waiting for its CompleteWebAuthnRegistration.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationRecord {
    pub pool_id: String,
    pub sub: String,
    pub client_id: String,
    /// base64url, as sent in CredentialCreationOptions.
    pub challenge: String,
    pub rp_id: String,
    /// `required` or `preferred`.
    pub user_verification: String,
    pub expires_at: f64,
    pub created_at: f64,
}

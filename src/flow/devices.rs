//! Remembered devices in the sign-in (Cognito Developer Guide, "Working with user devices in your
//! user pool"; device SRP as amazon-cognito-identity-js `CognitoUser.js` computes it), pure.
//!
//! A pool tracks devices when it has a `DeviceConfiguration`; admin flows never do. The caller
//! loads the device a request names (`DEVICE_KEY` in AuthParameters or ChallengeResponses) into
//! [`Env::device`]: only a confirmed device of the signing-in user gets there, anything else was
//! already refused with [`device_not_found`].
//!
//! With a known device, the sign-in ends with the device proving its secret (DEVICE_SRP_AUTH,
//! then DEVICE_PASSWORD_VERIFIER, then tokens without NewDeviceMetadata):
//! - before MFA, replacing it, when the device is remembered and the pool's
//!   `ChallengeRequiredOnNewDevice` is true ([`instead_of_mfa`]);
//! - otherwise after MFA, or right after the password when no MFA is asked ([`after_mfa`]).
//!
//! Without one, tokens come with `NewDeviceMetadata` for a new device ([`token_device`]).
//! The I/O side (keys, SRP arithmetic, sessions without `Session`) is `ops::auth::devices`.

use super::srp::VerifierAnswer;
use super::{Challenge, Env, Outcome, Pending};
use crate::domain::records::UserRecord;
use crate::domain::records::{DeviceRecord, NOT_REMEMBERED, REMEMBERED};
use crate::error::ApiError;
use crate::model::shapes::{AttributeType, DeviceType, UserPoolType};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const DEVICE_SRP_AUTH: &str = "DEVICE_SRP_AUTH";
pub const DEVICE_PASSWORD_VERIFIER: &str = "DEVICE_PASSWORD_VERIFIER";

/// ResourceNotFoundException "Device does not exist.": an unknown, foreign or unconfirmed device
/// key. Amplify drops its stored key and retries once on exactly this text (amplify-js
/// `packages/auth/src/providers/cognito/utils/retryOnResourceNotFoundException.ts`).
pub fn device_not_found() -> ApiError {
    ApiError::resource_not_found("Device does not exist.")
}

/// The flows device tracking never applies to (Cognito Developer Guide, "Working with user devices
/// in your user pool").
pub fn is_admin_flow(flow: &str) -> bool {
    matches!(flow, "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH")
}

/// Whether the pool tracks devices: any `DeviceConfiguration` turns it on (API Reference,
/// DeviceConfigurationType; a pool without one is described with a null DeviceConfiguration).
pub fn pool_tracks_devices(pool: &UserPoolType) -> bool {
    pool.device_configuration.is_some()
}

/// Whether a sign-in through `flow` in `pool` tracks devices.
pub fn tracks(pool: &UserPoolType, flow: &str) -> bool {
    pool_tracks_devices(pool) && !is_admin_flow(flow)
}

/// `ChallengeRequiredOnNewDevice`: a remembered device's proof replaces MFA.
fn device_replaces_mfa(pool: &UserPoolType) -> bool {
    pool.device_configuration
        .as_ref()
        .and_then(|c| c.challenge_required_on_new_device)
        == Some(true)
}

/// ConfirmDevice's `UserConfirmationNecessary` (= `DeviceOnlyRememberedOnUserPrompt`): when
/// true the device stays not_remembered until UpdateDeviceStatus, else it is remembered at once.
pub fn confirmation_necessary(pool: &UserPoolType) -> bool {
    pool.device_configuration
        .as_ref()
        .and_then(|c| c.device_only_remembered_on_user_prompt)
        == Some(true)
}

/// The status a device gets when it is confirmed.
pub fn status_on_confirmation(pool: &UserPoolType) -> &'static str {
    if confirmation_necessary(pool) {
        NOT_REMEMBERED
    } else {
        REMEMBERED
    }
}

/// The DEVICE_SRP_AUTH challenge for `device`. Its parameters are read by no client
/// (amazon-cognito-identity-js and amplify-js ignore them); USERNAME is what the other challenges
/// carry **[B]**.
pub fn challenge(user: &UserRecord, device: &DeviceRecord) -> Challenge {
    Challenge {
        parameters: BTreeMap::from([("USERNAME".to_string(), user.username.clone())]),
        pending: Pending::DeviceSrpAuth {
            device_key: device.device_key.clone(),
        },
    }
}

/// Step 10: a remembered device in a pool whose device proof replaces MFA is challenged now,
/// and MFA is not asked.
pub fn instead_of_mfa(env: &Env, user: &UserRecord) -> Option<Challenge> {
    let device = env.device?;
    (tracks(env.pool, env.flow) && device.is_remembered() && device_replaces_mfa(env.pool))
        .then(|| challenge(user, device))
}

/// Once MFA is satisfied or not required: a known device still proves itself before tokens
/// (clients answer DEVICE_SRP_AUTH after the password and after every MFA challenge:
/// amazon-cognito-identity-js `sendMFACode`, amplify-js `handleMFAChallenge`).
pub fn after_mfa(env: &Env, user: &UserRecord) -> Outcome {
    match env.device {
        Some(device) if tracks(env.pool, env.flow) => Outcome::Challenge(challenge(user, device)),
        _ => Outcome::Tokens,
    }
}

/// Which device the tokens of a finished sign-in are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenDevice<'a> {
    /// No tracking (pool without DeviceConfiguration, admin flow): no `device_key` anywhere.
    None,
    /// The known device that signed in: `device_key` claim, refresh bound to it.
    Known(&'a str),
    /// First sign-in on this device: a new device key in `NewDeviceMetadata`, the claim and the
    /// refresh binding.
    New,
}

pub fn token_device<'a>(env: &Env<'a>) -> TokenDevice<'a> {
    if !tracks(env.pool, env.flow) {
        return TokenDevice::None;
    }
    match env.device {
        Some(d) => TokenDevice::Known(&d.device_key),
        None => TokenDevice::New,
    }
}

/// Whether a refresh may use a token bound to `bound_device`: the request must name that device
/// (observed: aws/aws-sdk-java-v2#3418) and it must still exist, confirmed (an unconfirmed or
/// forgotten device's tokens fail, as the "Invalid Refresh Token" troubleshooting guide lists).
pub fn refresh_allowed(
    bound_device: Option<&str>,
    requested: Option<&str>,
    stored: Option<&DeviceRecord>,
) -> bool {
    match bound_device {
        None => true,
        Some(bound) => requested == Some(bound) && stored.is_some_and(|d| d.confirmed),
    }
}

/// What a DEVICE_PASSWORD_VERIFIER session remembers: the device and the SRP exchange started
/// by the DEVICE_SRP_AUTH answer.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceExchange {
    pub device_key: String,
    /// The client's A mod N, hex.
    pub srp_a: String,
    /// The server's secret ephemeral b, hex.
    pub b: String,
    /// The server's public B, hex.
    pub srp_b: String,
}

impl std::fmt::Debug for DeviceExchange {
    // b with B reveals the device verifier: keep them out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceExchange")
            .field("device_key", &self.device_key)
            .finish_non_exhaustive()
    }
}

impl DeviceExchange {
    pub fn new(device_key: &str, srp_a: &[u8], b: &[u8], srp_b: &[u8]) -> Self {
        Self {
            device_key: device_key.into(),
            srp_a: hex::encode(srp_a),
            b: hex::encode(b),
            srp_b: hex::encode(srp_b),
        }
    }

    /// `(A, b, B)` as bytes; None if the stored hex is unreadable (treated as a failed proof).
    pub fn values(&self) -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
        Some((
            hex::decode(&self.srp_a).ok()?,
            hex::decode(&self.b).ok()?,
            hex::decode(&self.srp_b).ok()?,
        ))
    }
}

fn get<'a>(responses: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, ApiError> {
    responses
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::missing_parameter(name))
}

/// The members of a DEVICE_SRP_AUTH answer: `(USERNAME, DEVICE_KEY, SRP_A)`.
pub fn read_srp_answer(
    responses: &BTreeMap<String, String>,
) -> Result<(&str, &str, &str), ApiError> {
    Ok((
        get(responses, "USERNAME")?,
        get(responses, "DEVICE_KEY")?,
        get(responses, "SRP_A")?,
    ))
}

/// The members of a DEVICE_PASSWORD_VERIFIER answer: the PASSWORD_VERIFIER ones plus DEVICE_KEY.
pub fn read_verifier_answer(
    responses: &BTreeMap<String, String>,
) -> Result<(VerifierAnswer<'_>, &str), ApiError> {
    let answer = super::srp::read_answer(responses)?;
    Ok((answer, get(responses, "DEVICE_KEY")?))
}

/// The DEVICE_PASSWORD_VERIFIER parameters (what amplify-js `handleDeviceSRPAuth.ts` and
/// amplify-swift read).
pub fn verifier_parameters(
    salt: &str,
    srp_b: &str,
    secret_block: &str,
    username: &str,
) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("SALT".to_string(), salt.to_string()),
        ("SRP_B".to_string(), srp_b.to_string()),
        ("SECRET_BLOCK".to_string(), secret_block.to_string()),
        ("USERNAME".to_string(), username.to_string()),
    ])
}

/// A `DeviceType` as the API returns it. The attribute names and order are those of the API
/// reference examples; `last_ip_used` is left out (the emulator does not record addresses) and
/// `dev:device_sdk` too (it names the real SDK's user agent).
pub fn device_type(device: &DeviceRecord, owner: &str, region: &str, account: &str) -> DeviceType {
    let owner_id = format!("{owner}.{}", device.pool_id);
    let mut attributes = vec![("device_status", "valid".to_string())];
    if let Some(name) = &device.name {
        attributes.push(("device_name", name.clone()));
    }
    attributes.push((
        "dev:device_arn",
        format!(
            "arn:aws:cognito-idp:{region}:{account}:owner/{owner_id}/device/{}",
            device.device_key
        ),
    ));
    attributes.push(("dev:device_owner", owner_id));
    attributes.push(("dev:device_remembered_status", device.remembered.clone()));
    DeviceType {
        device_key: Some(device.device_key.clone()),
        device_attributes: Some(
            attributes
                .into_iter()
                .map(|(name, value)| AttributeType {
                    name: Some(name.to_string()),
                    value: Some(value),
                })
                .collect(),
        ),
        device_create_date: Some(device.created_at),
        device_last_modified_date: Some(device.modified_at),
        device_last_authenticated_date: device.last_authenticated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shapes::{
        DeviceConfigurationType, GetUserPoolMfaConfigResponse, UserPoolClientType,
    };

    fn pool(config: Option<(Option<bool>, Option<bool>)>) -> UserPoolType {
        UserPoolType {
            id: Some("us-east-1_Test12345".into()),
            device_configuration: config.map(|(challenge, prompt)| DeviceConfigurationType {
                challenge_required_on_new_device: challenge,
                device_only_remembered_on_user_prompt: prompt,
            }),
            ..Default::default()
        }
    }

    fn device(remembered: &str) -> DeviceRecord {
        DeviceRecord {
            device_key: "us-east-1_4f2c7f5e-9b6a-4a3e-8f1d-2c3b4a5d6e7f".into(),
            pool_id: "us-east-1_Test12345".into(),
            sub: "sub".into(),
            device_group_key: "-AbCdEfGh".into(),
            remembered: remembered.into(),
            confirmed: true,
            created_at: 10.0,
            modified_at: 20.0,
            ..Default::default()
        }
    }

    fn user() -> UserRecord {
        UserRecord {
            username: "alice".into(),
            ..Default::default()
        }
    }

    fn describe(o: &Outcome) -> String {
        match o {
            Outcome::Tokens => "Tokens".into(),
            Outcome::Challenge(c) => c.name().into(),
            Outcome::Error(e) => e.code.into(),
        }
    }

    /// (pool config (ChallengeRequiredOnNewDevice, DeviceOnlyRememberedOnUserPrompt), flow,
    /// device, challenged instead of MFA, what follows MFA)
    type Case<'a> = (
        Option<(Option<bool>, Option<bool>)>,
        &'a str,
        Option<&'a DeviceRecord>,
        bool,
        &'a str,
    );

    #[test]
    fn where_the_device_proof_goes_in_the_sign_in() {
        let mfa = GetUserPoolMfaConfigResponse::default();
        let client = UserPoolClientType::default();
        let remembered = device(REMEMBERED);
        let not_remembered = device(NOT_REMEMBERED);
        let cases: Vec<Case> = vec![
            (
                Some((Some(true), None)),
                "USER_SRP_AUTH",
                Some(&remembered),
                true,
                "DEVICE_SRP_AUTH",
            ),
            (
                Some((Some(true), None)),
                "USER_PASSWORD_AUTH",
                Some(&not_remembered),
                false,
                "DEVICE_SRP_AUTH",
            ),
            (
                Some((Some(false), None)),
                "USER_SRP_AUTH",
                Some(&remembered),
                false,
                "DEVICE_SRP_AUTH",
            ),
            (
                Some((None, Some(true))),
                "USER_SRP_AUTH",
                Some(&remembered),
                false,
                "DEVICE_SRP_AUTH",
            ),
            (
                Some((Some(true), None)),
                "USER_SRP_AUTH",
                None,
                false,
                "Tokens",
            ),
            (
                Some((Some(true), None)),
                "ADMIN_USER_PASSWORD_AUTH",
                Some(&remembered),
                false,
                "Tokens",
            ),
            (
                Some((Some(true), None)),
                "ADMIN_NO_SRP_AUTH",
                Some(&remembered),
                false,
                "Tokens",
            ),
            (None, "USER_SRP_AUTH", Some(&remembered), false, "Tokens"),
        ];
        for (i, (config, flow, device, instead, after)) in cases.into_iter().enumerate() {
            let pool = pool(config);
            let env = Env {
                pool: &pool,
                pool_mfa: &mfa,
                client: &client,
                flow,
                now: 0.0,
                device,
            };
            assert_eq!(instead_of_mfa(&env, &user()).is_some(), instead, "case {i}");
            assert_eq!(describe(&after_mfa(&env, &user())), after, "case {i}");
        }
    }

    #[test]
    fn tokens_name_the_device_only_when_the_sign_in_tracks_devices() {
        let mfa = GetUserPoolMfaConfigResponse::default();
        let client = UserPoolClientType::default();
        let d = device(REMEMBERED);
        let tracking = pool(Some((None, None)));
        let off = pool(None);
        let env = |pool, flow, device| Env {
            pool,
            pool_mfa: &mfa,
            client: &client,
            flow,
            now: 0.0,
            device,
        };
        assert_eq!(
            token_device(&env(&tracking, "USER_SRP_AUTH", Some(&d))),
            TokenDevice::Known(d.device_key.as_str())
        );
        assert_eq!(
            token_device(&env(&tracking, "USER_PASSWORD_AUTH", None)),
            TokenDevice::New
        );
        assert_eq!(
            token_device(&env(&tracking, "ADMIN_USER_PASSWORD_AUTH", None)),
            TokenDevice::None
        );
        assert_eq!(
            token_device(&env(&off, "USER_SRP_AUTH", None)),
            TokenDevice::None
        );
    }

    #[test]
    fn confirmation_follows_device_only_remembered_on_user_prompt() {
        for (prompt, necessary, status) in [
            (Some(true), true, NOT_REMEMBERED),
            (Some(false), false, REMEMBERED),
            (None, false, REMEMBERED),
        ] {
            let p = pool(Some((Some(true), prompt)));
            assert_eq!(confirmation_necessary(&p), necessary);
            assert_eq!(status_on_confirmation(&p), status);
        }
    }

    #[test]
    fn a_bound_refresh_needs_the_same_confirmed_device() {
        let key = "us-east-1_4f2c7f5e-9b6a-4a3e-8f1d-2c3b4a5d6e7f";
        let confirmed = device(REMEMBERED);
        let unconfirmed = DeviceRecord {
            confirmed: false,
            ..device(NOT_REMEMBERED)
        };
        assert!(refresh_allowed(None, None, None));
        assert!(refresh_allowed(None, Some(key), None));
        assert!(refresh_allowed(Some(key), Some(key), Some(&confirmed)));
        assert!(!refresh_allowed(Some(key), None, Some(&confirmed)));
        assert!(!refresh_allowed(
            Some(key),
            Some("us-east-1_00000000-0000-4000-8000-000000000000"),
            Some(&confirmed)
        ));
        assert!(!refresh_allowed(Some(key), Some(key), Some(&unconfirmed)));
        assert!(!refresh_allowed(Some(key), Some(key), None));
    }

    #[test]
    fn device_types_carry_the_reference_attributes() {
        let mut d = device(NOT_REMEMBERED);
        d.name = Some("laptop".into());
        let t = device_type(&d, "alice", "us-east-1", "123456789012");
        let attrs: Vec<(String, String)> = t
            .device_attributes
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.name.unwrap_or_default(), a.value.unwrap_or_default()))
            .collect();
        let owner = "alice.us-east-1_Test12345";
        assert_eq!(
            attrs,
            [
                ("device_status".to_string(), "valid".to_string()),
                ("device_name".into(), "laptop".into()),
                (
                    "dev:device_arn".into(),
                    format!(
                        "arn:aws:cognito-idp:us-east-1:123456789012:owner/{owner}/device/{}",
                        d.device_key
                    )
                ),
                ("dev:device_owner".into(), owner.into()),
                (
                    "dev:device_remembered_status".into(),
                    "not_remembered".into()
                ),
            ]
        );
        assert_eq!(t.device_create_date, Some(10.0));
        assert_eq!(t.device_last_modified_date, Some(20.0));
        assert_eq!(t.device_last_authenticated_date, None);
    }

    #[test]
    fn the_exchange_keeps_b_out_of_debug_and_round_trips_in_a_pending() {
        let e = DeviceExchange::new("us-east-1_x", &[1], &[0xab; 32], &[2]);
        assert!(!format!("{e:?}").contains(&hex::encode([0xabu8; 32])));
        let p = Pending::DevicePasswordVerifier(e.clone());
        let json = serde_json::to_string(&p).unwrap_or_default();
        assert!(
            json.contains("\"challenge\":\"DEVICE_PASSWORD_VERIFIER\""),
            "{json}"
        );
        let back: Pending = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, p);
        assert_eq!(e.values(), Some((vec![1], vec![0xab; 32], vec![2])));
        let srp = Pending::DeviceSrpAuth {
            device_key: "us-east-1_x".into(),
        };
        let json = serde_json::to_string(&srp).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"challenge":"DEVICE_SRP_AUTH","device_key":"us-east-1_x"}"#
        );
    }
}

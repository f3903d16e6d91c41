//! The pure half of SRP sign-in (PASSWORD_VERIFIER in the API Reference, RespondToAuthChallenge;
//! the maths is `crypto::srp`): what an SRP exchange remembers between InitiateAuth and the
//! PASSWORD_VERIFIER answer, which row that is, when that row may still be answered, the stand-in
//! identity of an unknown user, and the TIMESTAMP window.
//!
//! The I/O side (loading users, the modular arithmetic on a blocking thread, storing and
//! consuming the exchange) is `ops::auth::srp_auth`. The exchange is keyed by the SECRET_BLOCK alone,
//! not by `Session`, because pycognito (`aws_srp.py`, `authenticate_user`) and hand-written
//! clients answer PASSWORD_VERIFIER without one.

use super::session;
use crate::domain::records::AuthSession;
use crate::error::ApiError;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The challenge an SRP start answers with.
pub const NAME: &str = "PASSWORD_VERIFIER";

/// How far TIMESTAMP may be from the emulator clock, either way **[B: not verified against AWS]**.
pub const TIMESTAMP_SKEW_SECONDS: f64 = 300.0;

/// Random bytes in a SECRET_BLOCK. Real blocks are much longer encrypted blobs; clients treat them
/// as opaque, so only unguessability matters here.
pub const SECRET_BLOCK_BYTES: usize = 64;

/// Value of [`SrpExchange::kind`]. The exchange is stored in `auth_sessions` next to ordinary
/// sessions; it has none of `SessionState`'s fields, so a Session naming this row is refused by
/// `session::check` as unreadable, and this tag keeps an ordinary state from passing for an
/// exchange.
const KIND: &str = "srp";

/// What an SRP exchange remembers between InitiateAuth and the PASSWORD_VERIFIER answer; the
/// `state` of its `auth_sessions` row. The row's `sub` is the user's, or None for the stand-in of
/// an unknown user.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SrpExchange {
    kind: String,
    /// The AuthFlow that started the exchange (USER_SRP_AUTH; later CUSTOM_AUTH with SRP_A and
    /// USER_AUTH with PASSWORD_SRP continue differently after the signature).
    pub auth_flow: String,
    /// USER_ID_FOR_SRP as sent: the internal username, or the stand-in's UUID.
    pub user_id_for_srp: String,
    /// USERNAME as the client typed it at InitiateAuth, normalised by the pool's case rule; an
    /// answer for a stand-in may name it instead of USER_ID_FOR_SRP.
    pub typed_username_key: String,
    /// The client's A mod N, hex.
    pub srp_a: String,
    /// The server's secret ephemeral b, hex.
    pub b: String,
    /// The server's public B, hex.
    pub srp_b: String,
    pub issued_at: f64,
}

impl std::fmt::Debug for SrpExchange {
    // b with B reveals the verifier: keep them out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrpExchange")
            .field("auth_flow", &self.auth_flow)
            .field("user_id_for_srp", &self.user_id_for_srp)
            .field("issued_at", &self.issued_at)
            .finish_non_exhaustive()
    }
}

impl SrpExchange {
    pub fn new(
        auth_flow: &str,
        user_id_for_srp: &str,
        typed_username_key: &str,
        srp_a: &[u8],
        b: &[u8],
        srp_b: &[u8],
        issued_at: f64,
    ) -> Self {
        Self {
            kind: KIND.into(),
            auth_flow: auth_flow.into(),
            user_id_for_srp: user_id_for_srp.into(),
            typed_username_key: typed_username_key.into(),
            srp_a: hex::encode(srp_a),
            b: hex::encode(b),
            srp_b: hex::encode(srp_b),
            issued_at,
        }
    }

    /// `(A, b, B)` as bytes; None if the stored hex was tampered with (treated as unknown).
    pub fn values(&self) -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
        Some((
            hex::decode(&self.srp_a).ok()?,
            hex::decode(&self.b).ok()?,
            hex::decode(&self.srp_b).ok()?,
        ))
    }
}

/// The `auth_sessions` id of the exchange a SECRET_BLOCK belongs to: hex SHA-256 of its bytes.
/// Storing a hash means the table alone does not let anyone answer the challenge.
pub fn exchange_id(secret_block: &[u8]) -> String {
    hex::encode(Sha256::digest(secret_block))
}

/// The exchange a PASSWORD_VERIFIER answer may continue, if `row` (found by [`exchange_id`]) is one
/// for this pool and client, unused and unexpired. Errors are the `Session` texts of [`session`]:
/// the SECRET_BLOCK is this flow's session **[B: no public record of the real texts]**.
pub fn check_exchange(
    row: Option<&AuthSession>,
    pool_id: &str,
    client_id: &str,
    now: f64,
) -> Result<SrpExchange, ApiError> {
    let row = row.ok_or_else(session::invalid)?;
    if row.pool_id != pool_id || row.client_id != client_id {
        return Err(session::invalid());
    }
    let exchange: SrpExchange = serde_json::from_str(&row.state).map_err(|_| session::invalid())?;
    if exchange.kind != KIND {
        return Err(session::invalid());
    }
    if row.consumed {
        return Err(session::reused());
    }
    if now >= row.expires_at {
        return Err(session::expired());
    }
    Ok(exchange)
}

/// The members of a PASSWORD_VERIFIER answer (API Reference, RespondToAuthChallenge), in the order
/// they are checked.
#[derive(Debug, Clone, Copy)]
pub struct VerifierAnswer<'a> {
    pub username: &'a str,
    pub secret_block: &'a str,
    pub signature: &'a str,
    pub timestamp: &'a str,
}

pub fn read_answer(responses: &BTreeMap<String, String>) -> Result<VerifierAnswer<'_>, ApiError> {
    let get = |name: &str| {
        responses
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| ApiError::missing_parameter(name))
    };
    Ok(VerifierAnswer {
        username: get("USERNAME")?,
        secret_block: get("PASSWORD_CLAIM_SECRET_BLOCK")?,
        signature: get("PASSWORD_CLAIM_SIGNATURE")?,
        timestamp: get("TIMESTAMP")?,
    })
}

/// Whether TIMESTAMP (already known to parse, `unix` its instant) is close enough to the emulator
/// clock. Outside the window the answer fails like a wrong password.
pub fn timestamp_fresh(timestamp_unix: i64, now: f64) -> bool {
    (timestamp_unix as f64 - now).abs() <= TIMESTAMP_SKEW_SECONDS
}

/// The PASSWORD_VERIFIER parameters: both USER_ID_FOR_SRP and USERNAME carry the internal username
/// (Amplify needs the first, .NET the second; observed: floci-io/floci#1305). No Session goes with
/// them.
pub fn challenge_parameters(
    salt: &str,
    srp_b: &str,
    secret_block: &str,
    user_id_for_srp: &str,
) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("SALT".to_string(), salt.to_string()),
        ("SRP_B".to_string(), srp_b.to_string()),
        ("SECRET_BLOCK".to_string(), secret_block.to_string()),
        ("USER_ID_FOR_SRP".to_string(), user_id_for_srp.to_string()),
        ("USERNAME".to_string(), user_id_for_srp.to_string()),
    ])
}

/// The stand-in an unknown user gets when the client hides user existence (Cognito Developer Guide,
/// "Managing user existence error responses": "the same salt and internal user id in UUID format
/// for the same user name and user pool combination"). Derived from `key`, a secret of the running
/// emulator, so the salt cannot be predicted from the username to tell stand-ins from real users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandIn {
    pub salt: [u8; 16],
    pub user_id_for_srp: String,
}

pub fn stand_in(key: &[u8], pool_id: &str, username_key: &str) -> StandIn {
    let derive = |purpose: &[u8]| -> [u8; 32] {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
            // HMAC takes keys of any length; unreachable, and a constant would still be stable.
            return [0; 32];
        };
        mac.update(purpose);
        mac.update(pool_id.as_bytes());
        // A separator so ("a_b", "c") and ("a", "b_c") differ.
        mac.update(&[0]);
        mac.update(username_key.as_bytes());
        mac.finalize().into_bytes().into()
    };
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&derive(b"salt")[..16]);
    let mut id = [0u8; 16];
    id.copy_from_slice(&derive(b"user-id")[..16]);
    StandIn {
        salt,
        user_id_for_srp: uuid::Builder::from_random_bytes(id).into_uuid().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange() -> SrpExchange {
        SrpExchange::new(
            "USER_SRP_AUTH",
            "alice",
            "alice",
            &[1, 2],
            &[3; 32],
            &[4, 5],
            1000.0,
        )
    }

    fn row(state: &str) -> AuthSession {
        AuthSession {
            id: exchange_id(b"block"),
            pool_id: "us-east-1_pool".into(),
            client_id: "client".into(),
            sub: Some("sub".into()),
            state: state.into(),
            expires_at: 1180.0,
            consumed: false,
            attempts: 0,
            created_at: 1000.0,
        }
    }

    fn msg(r: Result<SrpExchange, ApiError>) -> String {
        match r {
            Ok(_) => "ok".into(),
            Err(e) => format!("{}: {}", e.code, e.message.unwrap_or_default()),
        }
    }

    /// (name, row, pool id, client id, now, expected outcome)
    type Case<'a> = (&'a str, Option<AuthSession>, &'a str, &'a str, f64, &'a str);

    #[test]
    fn an_exchange_is_refused_like_a_session_in_every_wrong_state() {
        let good = row(&serde_json::to_string(&exchange()).unwrap_or_default());
        let plain_session = row(
            r#"{"flow":"USER_PASSWORD_AUTH","username":"alice","pending":{"challenge":"NEW_PASSWORD_REQUIRED"}}"#,
        );
        let invalid = "NotAuthorizedException: Invalid session for the user.";
        let cases: Vec<Case> = vec![
            ("valid", Some(good.clone()), "us-east-1_pool", "client", 1100.0, "ok"),
            ("unknown", None, "us-east-1_pool", "client", 1100.0, invalid),
            ("other pool", Some(good.clone()), "us-east-1_x", "client", 1100.0, invalid),
            ("other client", Some(good.clone()), "us-east-1_pool", "other", 1100.0, invalid),
            (
                "used",
                Some(AuthSession {
                    consumed: true,
                    ..good.clone()
                }),
                "us-east-1_pool",
                "client",
                1100.0,
                "NotAuthorizedException: Invalid session for the user, session can only be used once.",
            ),
            (
                "expired",
                Some(good.clone()),
                "us-east-1_pool",
                "client",
                1180.0,
                "NotAuthorizedException: Invalid session for the user, session is expired.",
            ),
            ("an ordinary session", Some(plain_session), "us-east-1_pool", "client", 1100.0, invalid),
            ("unreadable", Some(row("{")), "us-east-1_pool", "client", 1100.0, invalid),
        ];
        for (name, r, pool, client, now, want) in cases {
            assert_eq!(
                msg(check_exchange(r.as_ref(), pool, client, now)),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn an_exchange_is_not_readable_as_an_ordinary_session_state() {
        let json = serde_json::to_string(&exchange()).unwrap_or_default();
        assert!(serde_json::from_str::<session::SessionState>(&json).is_err());
    }

    #[test]
    fn the_exchange_round_trips_and_keeps_its_secrets_out_of_debug() {
        let e = exchange();
        let back: SrpExchange =
            serde_json::from_str(&serde_json::to_string(&e).unwrap_or_default())
                .unwrap_or_else(|_| panic!("exchange parses"));
        assert_eq!(back, e);
        assert_eq!(back.values(), Some((vec![1, 2], vec![3; 32], vec![4, 5])));
        assert!(!format!("{e:?}").contains(&hex::encode([3u8; 32])));
    }

    #[test]
    fn exchange_ids_are_the_hex_sha256_of_the_block() {
        assert_eq!(
            exchange_id(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn every_answer_member_is_required_in_order() {
        let full: BTreeMap<String, String> = [
            ("USERNAME", "alice"),
            ("PASSWORD_CLAIM_SECRET_BLOCK", "c2I="),
            ("PASSWORD_CLAIM_SIGNATURE", "c2ln"),
            ("TIMESTAMP", "Thu Nov 5 09:03:07 UTC 2026"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let a = read_answer(&full).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (a.username, a.secret_block, a.signature, a.timestamp),
            ("alice", "c2I=", "c2ln", "Thu Nov 5 09:03:07 UTC 2026")
        );
        for name in [
            "USERNAME",
            "PASSWORD_CLAIM_SECRET_BLOCK",
            "PASSWORD_CLAIM_SIGNATURE",
            "TIMESTAMP",
        ] {
            let mut partial = full.clone();
            partial.remove(name);
            let e = read_answer(&partial)
                .err()
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(e.code, "InvalidParameterException");
            assert_eq!(
                e.message.as_deref(),
                Some(format!("Missing required parameter {name}").as_str())
            );
        }
    }

    #[test]
    fn timestamps_are_fresh_within_five_minutes_either_way() {
        let now = 1_000_000.5;
        for (ts, fresh) in [
            (1_000_000, true),
            (1_000_300, true),
            (999_701, true),
            (1_000_301, false),
            (999_700, false),
            (0, false),
        ] {
            assert_eq!(timestamp_fresh(ts, now), fresh, "{ts}");
        }
    }

    #[test]
    fn stand_ins_are_stable_per_pool_and_name_and_look_like_real_ones() {
        let key = [7u8; 32];
        let a = stand_in(&key, "us-east-1_pool", "nobody");
        assert_eq!(a, stand_in(&key, "us-east-1_pool", "nobody"));
        assert_ne!(a, stand_in(&key, "us-east-1_pool", "nobody2"));
        assert_ne!(a, stand_in(&key, "us-east-1_other", "nobody"));
        assert_ne!(a, stand_in(&[8u8; 32], "us-east-1_pool", "nobody"));
        let id = uuid::Uuid::parse_str(&a.user_id_for_srp).unwrap_or_else(|_| panic!("a UUID"));
        assert_eq!(id.get_version_num(), 4);
        assert_eq!(a.user_id_for_srp, id.hyphenated().to_string());
    }

    #[test]
    fn the_challenge_names_the_internal_user_twice() {
        let p = challenge_parameters("ab", "cd", "ZQ==", "alice");
        let keys: Vec<&str> = p.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "SALT",
                "SECRET_BLOCK",
                "SRP_B",
                "USERNAME",
                "USER_ID_FOR_SRP"
            ]
        );
        assert_eq!(p["USERNAME"], "alice");
        assert_eq!(p["USER_ID_FOR_SRP"], "alice");
    }
}

//! SECRET_HASH (pycognito `aws_srp.py`, `get_secret_hash`): the proof of the client secret that
//! public operations of a confidential app client must carry. One function so SignUp,
//! ConfirmSignUp, ForgotPassword, InitiateAuth and every challenge answer reject exactly the same
//! inputs with exactly the same texts.

use crate::domain::client::ClientExt;
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::UserPoolClientType;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// `base64(HMAC-SHA256(key = client_secret, message = username ‖ client_id))`.
pub fn compute(client_secret: &str, username: &str, client_id: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail; an empty MAC would never match anyway.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes()) else {
        return String::new();
    };
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks the SECRET_HASH a request carried for `username` (the USERNAME string of that request).
/// Clients without a secret ignore whatever was sent, as Cognito does.
pub fn check(client: &UserPoolClientType, username: &str, provided: Option<&str>) -> ApiResult<()> {
    let secrets = client.secrets();
    if secrets.is_empty() {
        return Ok(());
    }
    let id = client.id();
    let Some(provided) = provided.filter(|p| !p.is_empty()) else {
        return Err(ApiError::not_authorized(format!(
            "Client {id} is configured for secret but secret was not received"
        )));
    };
    // Any current secret of the client (two during a rotation). Constant time: the hash is a
    // credential.
    let equal = secrets.iter().fold(false, |found, secret| {
        let expected = compute(secret, username, id);
        let eq: bool =
            subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), provided.as_bytes()).into();
        found | eq
    });
    if equal {
        Ok(())
    } else {
        Err(ApiError::not_authorized(format!(
            "Unable to verify secret hash for client {id}"
        )))
    }
}

/// Checks a raw client secret (GetTokensFromRefreshToken, RevokeToken) against every current
/// secret of the client, with the same texts as [`check`].
pub fn check_raw(client: &UserPoolClientType, provided: Option<&str>) -> ApiResult<()> {
    let secrets = client.secrets();
    if secrets.is_empty() {
        return Ok(());
    }
    let id = client.id();
    let Some(provided) = provided.filter(|p| !p.is_empty()) else {
        return Err(ApiError::not_authorized(format!(
            "Client {id} is configured for secret but secret was not received"
        )));
    };
    let equal = secrets.iter().fold(false, |found, secret| {
        let eq: bool = subtle::ConstantTimeEq::ct_eq(secret.as_bytes(), provided.as_bytes()).into();
        found | eq
    });
    if equal {
        Ok(())
    } else {
        Err(ApiError::not_authorized(format!(
            "Unable to verify secret hash for client {id}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(secret: Option<&str>) -> UserPoolClientType {
        UserPoolClientType {
            client_id: Some("abc123".into()),
            client_secret: secret.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn hash_matches_the_python_reference_computation() {
        // base64(hmac_sha256(b"secret", b"aliceabc123")), computed with Python's hmac module.
        assert_eq!(
            compute("secret", "alice", "abc123"),
            "e0OzRZVfY7nQshrPPoe2TYx5vyfa+Un2Pqxj43e/Cl0="
        );
    }

    #[test]
    fn a_client_without_secret_accepts_anything() {
        assert!(check(&client(None), "alice", None).is_ok());
        assert!(check(&client(None), "alice", Some("junk")).is_ok());
    }

    #[test]
    fn missing_and_wrong_hashes_have_cognitos_texts() {
        let c = client(Some("secret"));
        let e = check(&c, "alice", None).unwrap_err();
        assert_eq!(e.code, "NotAuthorizedException");
        assert_eq!(
            e.message.as_deref(),
            Some("Client abc123 is configured for secret but secret was not received")
        );
        let e = check(&c, "alice", Some("bad")).unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("Unable to verify secret hash for client abc123")
        );
        let good = compute("secret", "alice", "abc123");
        assert!(check(&c, "alice", Some(&good)).is_ok());
        // The hash binds the username.
        assert!(check(&c, "bob", Some(&good)).is_err());
    }

    #[test]
    fn during_a_rotation_either_secret_is_accepted() {
        let c = client(Some("oldsecret newsecret"));
        for secret in ["oldsecret", "newsecret"] {
            let hash = compute(secret, "alice", "abc123");
            assert!(check(&c, "alice", Some(&hash)).is_ok(), "{secret}");
        }
        let joined = compute("oldsecret newsecret", "alice", "abc123");
        assert!(check(&c, "alice", Some(&joined)).is_err());
    }
}

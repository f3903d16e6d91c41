//! RS256 signing keys and JWTs.
//!
//! Each pool has two RSA-2048 keys, one for ID tokens and one for access tokens (Cognito Developer
//! Guide, "Verifying a JSON web token"; the key size is **[B: not verified against AWS]**). RSA key
//! generation costs tens to hundreds of milliseconds, so keys are made lazily, the first time a pool
//! needs them, and a background thread keeps a few ready so that this rarely waits.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

/// Keeps a few freshly generated RSA keys ready on a background thread.
pub struct KeyFactory {
    ready: Mutex<Receiver<RsaPrivateKey>>,
}

impl KeyFactory {
    pub fn start(buffer: usize) -> Self {
        let (tx, rx) = sync_channel(buffer);
        std::thread::Builder::new()
            .name("rsa-keygen".into())
            .spawn(move || {
                lowest_priority();
                loop {
                    let Some(key) = generate() else { continue };
                    if tx.send(key).is_err() {
                        break;
                    }
                }
            })
            .ok();
        Self {
            ready: Mutex::new(rx),
        }
    }

    /// A new key: from the buffer, or made on the spot when the buffer is empty.
    pub fn take(&self) -> Option<RsaPrivateKey> {
        if let Ok(rx) = self.ready.lock() {
            if let Ok(k) = rx.try_recv() {
                return Some(k);
            }
        }
        generate()
    }
}

/// Makes the calling thread yield the CPU to every other thread of the process (nice 19): keys made
/// ahead of need are idle-time work. On 2 cores the key generator otherwise took a core from
/// start-up (the migrations, the first answer) and from requests under load; a pool that finds
/// no key ready makes its own on the caller's thread, at normal priority.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    {
        // Linux's nice value is per thread: this is the generator's alone.
        let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19);
    }
}

fn generate() -> Option<RsaPrivateKey> {
    RsaPrivateKey::new(&mut rand::thread_rng(), 2048).ok()
}

/// Turns a private key into the stored form. The kid is the base64 SHA-256 of the modulus, which
/// has the 44-character look of real Cognito kids.
pub fn signing_key(key: &RsaPrivateKey, token_use: &str) -> Option<SigningKey> {
    let der = key.to_pkcs1_der().ok()?;
    let n = key.n().to_bytes_be();
    let e = key.e().to_bytes_be();
    Some(SigningKey {
        kid: STANDARD.encode(Sha256::digest(&n)),
        token_use: token_use.to_string(),
        private_key_der: der.as_bytes().to_vec(),
        n: URL_SAFE_NO_PAD.encode(n),
        e: URL_SAFE_NO_PAD.encode(e),
    })
}

/// A key ready to sign and verify, built once per pool and cached by the caller.
pub struct LoadedKey {
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// Tokens whose signature this key has verified, with their claims. A signature check is a
    /// pure function of the token and the key, and it was most of what GetUser-like calls cost
    /// (bench/README.md): an app sends the same access token on every call. Only the RSA check is
    /// skipped; expiry and revocation are still the caller's checks each time.
    verified: Mutex<HashMap<String, Arc<serde_json::Value>>>,
}

/// Verified tokens a key remembers; past it the memory starts again (a bound, whatever clients
/// send).
const VERIFIED_TOKENS: usize = 4096;

impl LoadedKey {
    pub fn load(k: &SigningKey) -> Option<Self> {
        Some(Self {
            kid: k.kid.clone(),
            encoding: EncodingKey::from_rsa_der(&k.private_key_der),
            decoding: DecodingKey::from_rsa_components(&k.n, &k.e).ok()?,
            verified: Mutex::default(),
        })
    }

    /// Compact JWS with header `{"kid":..,"alg":"RS256"}` (no `typ`, as Cognito's).
    pub fn sign(&self, claims: &serde_json::Value) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::RS256);
        header.typ = None;
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
    }

    /// Checks that the token names this key (`kid`) and carries its signature; the caller checks
    /// `exp`, `iss`, `token_use` with the emulator clock. The claims are shared with the memory of
    /// verified tokens rather than copied: a GetUser-like call reads a few of them.
    pub fn verify(&self, token: &str) -> Option<Arc<serde_json::Value>> {
        // A poisoned lock only means a panic elsewhere while it was held; the map stays valid.
        let remembered = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(claims) = remembered.get(token) {
            return Some(Arc::clone(claims));
        }
        drop(remembered);
        if kid_of(token).as_deref() != Some(self.kid.as_str()) {
            return None;
        }
        let mut v = Validation::new(Algorithm::RS256);
        v.validate_exp = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        let claims = Arc::new(
            jsonwebtoken::decode::<serde_json::Value>(token, &self.decoding, &v)
                .ok()?
                .claims,
        );
        let mut verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if verified.len() >= VERIFIED_TOKENS {
            verified.clear();
        }
        verified.insert(token.to_owned(), Arc::clone(&claims));
        Some(claims)
    }
}

/// The `kid` of a compact JWS, without verifying anything.
fn kid_of(token: &str) -> Option<String> {
    jsonwebtoken::decode_header(token).ok()?.kid
}

/// One JWKS entry.
pub fn jwk(k: &SigningKey) -> serde_json::Value {
    serde_json::json!({"alg": "RS256", "e": k.e, "kid": k.kid, "kty": "RSA", "n": k.n, "use": "sig"})
}

#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    pub token_use: String,
    pub private_key_der: Vec<u8>,
    pub n: String,
    pub e: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("token_use", &self.token_use)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The memory of verified tokens is keyed by the whole token: one that differs in any
    /// byte is checked afresh, and a signature that was never valid is never remembered.
    #[test]
    fn a_remembered_token_does_not_vouch_for_a_tampered_one() {
        let key = generate().expect("key");
        let loaded = LoadedKey::load(&signing_key(&key, "access").expect("stored")).expect("key");
        let token = loaded
            .sign(&serde_json::json!({"sub": "a", "scope": "x"}))
            .expect("token");
        assert_eq!(loaded.verify(&token).expect("valid")["sub"], "a");
        assert_eq!(loaded.verify(&token).expect("remembered")["sub"], "a");

        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"sub":"b","scope":"x"}"#);
        parts[1] = &forged;
        let tampered = parts.join(".");
        assert!(loaded.verify(&tampered).is_none());
        assert!(loaded.verify(&tampered).is_none());
        // Another key's token names another kid: refused before any signature check.
        let other = generate().expect("key");
        let other = LoadedKey::load(&signing_key(&other, "access").expect("stored")).expect("key");
        let foreign = other.sign(&serde_json::json!({"sub": "a"})).expect("token");
        assert!(loaded.verify(&foreign).is_none());
        assert!(loaded.verify(&format!("{token}x")).is_none());
    }
}

//! WebAuthn verification for passkeys (W3C Web Authentication; API Reference,
//! CompleteWebAuthnRegistration): registration (attestation) and sign-in (assertion) responses
//! checked for real, relying-party side.
//!
//! Crate choice: webauthn-rs needs OpenSSL (a system dependency the static image does not have)
//! and passkey-types turns on serde_json's `preserve_order` for the whole crate, which would change
//! the emulator's JSON everywhere. So the binary formats are read with well-kept pure-Rust crates:
//! `ciborium` (CBOR), `coset` (COSE_Key), `p256` (ES256) and `rsa` (RS256); only the fixed
//! authenticator-data layout (W3C WebAuthn §6.1) is read by hand.
//!
//! Everything here is pure: the caller says what it expects (challenge, relying party, whether
//! user verification is required) and maps each [`WebAuthnError`] to the Cognito exception of the
//! operation at hand.

use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ciborium::value::Value as Cbor;
use coset::{iana, CborSerializable, CoseKey, KeyType, Label};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// COSE algorithm ids the emulator accepts (and offers in `pubKeyCredParams`).
pub const ES256: i64 = -7;
pub const RS256: i64 = -257;

const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_AT: u8 = 0x40;
const FLAG_ED: u8 = 0x80;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebAuthnError {
    /// Not the JSON / base64url / CBOR / binary layout a WebAuthn response has.
    Malformed(&'static str),
    /// clientDataJSON.type is not the ceremony's (`webauthn.create` / `webauthn.get`).
    WrongType,
    /// clientDataJSON.challenge is not the one issued.
    ChallengeMismatch,
    /// clientDataJSON.origin is not the relying party or one of its subdomains.
    OriginNotAllowed,
    /// authenticatorData.rpIdHash is not SHA-256 of the relying party id.
    RelyingPartyMismatch,
    UserNotPresent,
    UserNotVerified,
    /// The credential's key is not ES256 / RS256, or the attestation format is not supported.
    NotSupported(String),
    /// The attestation statement's signature does not verify.
    BadAttestation,
    /// The assertion signature does not verify.
    BadSignature,
    /// The authenticator's signature counter did not move forward (a cloned authenticator).
    CounterNotIncreased,
}

impl std::fmt::Display for WebAuthnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebAuthnError::Malformed(what) => write!(f, "malformed credential: {what}"),
            WebAuthnError::WrongType => f.write_str("wrong clientDataJSON type"),
            WebAuthnError::ChallengeMismatch => f.write_str("challenge mismatch"),
            WebAuthnError::OriginNotAllowed => f.write_str("origin not allowed"),
            WebAuthnError::RelyingPartyMismatch => f.write_str("relying party mismatch"),
            WebAuthnError::UserNotPresent => f.write_str("user not present"),
            WebAuthnError::UserNotVerified => f.write_str("user not verified"),
            WebAuthnError::NotSupported(what) => write!(f, "not supported: {what}"),
            WebAuthnError::BadAttestation => f.write_str("attestation signature invalid"),
            WebAuthnError::BadSignature => f.write_str("assertion signature invalid"),
            WebAuthnError::CounterNotIncreased => f.write_str("signature counter not increased"),
        }
    }
}

type Result<T> = std::result::Result<T, WebAuthnError>;

/// base64url as WebAuthn JSON carries binary values; padded or standard base64 is tolerated
/// because some hand-written clients send it.
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    let t = s.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(t)
        .or_else(|_| STANDARD_NO_PAD.decode(t))
        .ok()
}

pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What one ceremony expects of the response.
pub struct Expected<'a> {
    /// The challenge issued, base64url as sent in the options.
    pub challenge: &'a str,
    pub rp_id: &'a str,
    pub user_verification_required: bool,
}

#[derive(Deserialize)]
struct ClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
}

/// Whether `origin` may speak for `rp_id`: https on the RP id or a subdomain of it (W3C
/// WebAuthn §13.4.9); plain http only for `localhost`, which browsers treat as a secure context.
pub fn origin_allowed(origin: &str, rp_id: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') || authority.starts_with('[') {
        return false;
    }
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                authority
            }
        })
        .to_ascii_lowercase();
    let rp = rp_id.to_ascii_lowercase();
    let on_rp = host == rp || host.ends_with(&format!(".{rp}"));
    match scheme {
        "https" => on_rp,
        "http" => on_rp && (host == "localhost" || host.ends_with(".localhost")),
        _ => false,
    }
}

/// Checks clientDataJSON (base64url) and returns its SHA-256, which the signatures cover.
fn check_client_data(b64: &str, kind: &str, expected: &Expected) -> Result<[u8; 32]> {
    let raw = b64url_decode(b64).ok_or(WebAuthnError::Malformed("clientDataJSON"))?;
    let cd: ClientData =
        serde_json::from_slice(&raw).map_err(|_| WebAuthnError::Malformed("clientDataJSON"))?;
    if cd.kind != kind {
        return Err(WebAuthnError::WrongType);
    }
    // Compared as bytes, so padding or alphabet differences in what the client echoes do not
    // matter, and in constant time as the challenge is a one-time secret.
    let got = b64url_decode(&cd.challenge).ok_or(WebAuthnError::ChallengeMismatch)?;
    let want = b64url_decode(expected.challenge).ok_or(WebAuthnError::ChallengeMismatch)?;
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        got.as_slice(),
        want.as_slice(),
    )) {
        return Err(WebAuthnError::ChallengeMismatch);
    }
    if !origin_allowed(&cd.origin, expected.rp_id) {
        return Err(WebAuthnError::OriginNotAllowed);
    }
    Ok(Sha256::digest(&raw).into())
}

/// The authenticator data (W3C WebAuthn §6.1).
pub struct AuthData {
    pub rp_id_hash: [u8; 32],
    pub flags: u8,
    pub sign_count: u32,
    pub attested: Option<AttestedCredential>,
}

pub struct AttestedCredential {
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    /// The COSE_Key exactly as the authenticator encoded it.
    pub public_key: Vec<u8>,
}

pub fn parse_auth_data(bytes: &[u8]) -> Result<AuthData> {
    let bad = WebAuthnError::Malformed("authenticatorData");
    if bytes.len() < 37 {
        return Err(bad);
    }
    let mut rp_id_hash = [0u8; 32];
    rp_id_hash.copy_from_slice(&bytes[..32]);
    let flags = bytes[32];
    let sign_count = u32::from_be_bytes([bytes[33], bytes[34], bytes[35], bytes[36]]);
    let mut rest = &bytes[37..];
    let attested = if flags & FLAG_AT != 0 {
        if rest.len() < 18 {
            return Err(bad);
        }
        let mut aaguid = [0u8; 16];
        aaguid.copy_from_slice(&rest[..16]);
        let id_len = u16::from_be_bytes([rest[16], rest[17]]) as usize;
        rest = &rest[18..];
        if id_len == 0 || id_len > 1023 || rest.len() < id_len {
            return Err(bad);
        }
        let credential_id = rest[..id_len].to_vec();
        rest = &rest[id_len..];
        // The key is one CBOR item; its encoded length is what the reader consumed.
        let mut cursor = std::io::Cursor::new(rest);
        let _: Cbor = ciborium::de::from_reader(&mut cursor)
            .map_err(|_| WebAuthnError::Malformed("credentialPublicKey"))?;
        let used = usize::try_from(cursor.position()).map_err(|_| bad.clone())?;
        let public_key = rest[..used].to_vec();
        rest = &rest[used..];
        Some(AttestedCredential {
            aaguid,
            credential_id,
            public_key,
        })
    } else {
        None
    };
    if flags & FLAG_ED != 0 {
        let mut cursor = std::io::Cursor::new(rest);
        let _: Cbor = ciborium::de::from_reader(&mut cursor)
            .map_err(|_| WebAuthnError::Malformed("extensions"))?;
        let used = usize::try_from(cursor.position()).map_err(|_| bad.clone())?;
        rest = &rest[used..];
    }
    if !rest.is_empty() {
        return Err(bad);
    }
    Ok(AuthData {
        rp_id_hash,
        flags,
        sign_count,
        attested,
    })
}

/// A credential public key the emulator can verify with.
pub enum PublicKey {
    Es256(p256::ecdsa::VerifyingKey),
    Rs256(rsa::RsaPublicKey),
}

impl PublicKey {
    pub fn alg(&self) -> i64 {
        match self {
            PublicKey::Es256(_) => ES256,
            PublicKey::Rs256(_) => RS256,
        }
    }

    /// Verifies a WebAuthn signature (ES256: ASN.1 DER; RS256: PKCS#1 v1.5) over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            PublicKey::Es256(key) => {
                use p256::ecdsa::signature::Verifier;
                let Ok(sig) = p256::ecdsa::Signature::from_der(signature) else {
                    return false;
                };
                // ECDSA signatures are malleable in s; authenticators may emit either form.
                let sig = sig.normalize_s().unwrap_or(sig);
                key.verify(message, &sig).is_ok()
            }
            PublicKey::Rs256(key) => {
                let digest = Sha256::digest(message);
                key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest, signature)
                    .is_ok()
            }
        }
    }
}

fn param(key: &CoseKey, label: i64) -> Option<&Cbor> {
    key.params
        .iter()
        .find(|(l, _)| *l == Label::Int(label))
        .map(|(_, v)| v)
}

fn bytes_param(key: &CoseKey, label: i64) -> Option<&[u8]> {
    match param(key, label) {
        Some(Cbor::Bytes(b)) => Some(b.as_slice()),
        _ => None,
    }
}

/// Reads a COSE_Key (RFC 9053): EC2 P-256 with ES256, or RSA with RS256. Anything else is a key
/// the pool cannot use.
pub fn parse_cose_key(bytes: &[u8]) -> Result<PublicKey> {
    let key = CoseKey::from_slice(bytes).map_err(|_| WebAuthnError::Malformed("COSE key"))?;
    let alg = match &key.alg {
        Some(coset::RegisteredLabelWithPrivate::Assigned(a)) => *a as i64,
        Some(coset::RegisteredLabelWithPrivate::PrivateUse(a)) => *a,
        _ => {
            return Err(WebAuthnError::NotSupported(
                "a key without an algorithm".into(),
            ))
        }
    };
    match (&key.kty, alg) {
        (KeyType::Assigned(iana::KeyType::EC2), ES256) => {
            let crv = param(&key, iana::Ec2KeyParameter::Crv as i64);
            let p256_crv = iana::EllipticCurve::P_256 as i64;
            if !matches!(crv, Some(Cbor::Integer(c)) if i128::from(*c) == i128::from(p256_crv)) {
                return Err(WebAuthnError::NotSupported("an EC key not on P-256".into()));
            }
            let x = bytes_param(&key, iana::Ec2KeyParameter::X as i64);
            let y = bytes_param(&key, iana::Ec2KeyParameter::Y as i64);
            let (Some(x), Some(y)) = (x, y) else {
                return Err(WebAuthnError::Malformed("EC2 key coordinates"));
            };
            if x.len() != 32 || y.len() != 32 {
                return Err(WebAuthnError::Malformed("EC2 key coordinates"));
            }
            let point = p256::EncodedPoint::from_affine_coordinates(
                p256::FieldBytes::from_slice(x),
                p256::FieldBytes::from_slice(y),
                false,
            );
            p256::ecdsa::VerifyingKey::from_encoded_point(&point)
                .map(PublicKey::Es256)
                .map_err(|_| WebAuthnError::Malformed("EC2 key not on the curve"))
        }
        (KeyType::Assigned(iana::KeyType::RSA), RS256) => {
            let n = bytes_param(&key, iana::RsaKeyParameter::N as i64);
            let e = bytes_param(&key, iana::RsaKeyParameter::E as i64);
            let (Some(n), Some(e)) = (n, e) else {
                return Err(WebAuthnError::Malformed("RSA key parameters"));
            };
            rsa::RsaPublicKey::new(
                rsa::BigUint::from_bytes_be(n),
                rsa::BigUint::from_bytes_be(e),
            )
            .map(PublicKey::Rs256)
            .map_err(|_| WebAuthnError::NotSupported("an RSA key of an unusable size".into()))
        }
        (_, alg) => Err(WebAuthnError::NotSupported(format!(
            "COSE algorithm {alg} (only ES256 and RS256 are)"
        ))),
    }
}

fn check_flags(auth: &AuthData, expected: &Expected) -> Result<()> {
    if auth.rp_id_hash != <[u8; 32]>::from(Sha256::digest(expected.rp_id.as_bytes())) {
        return Err(WebAuthnError::RelyingPartyMismatch);
    }
    if auth.flags & FLAG_UP == 0 {
        return Err(WebAuthnError::UserNotPresent);
    }
    if expected.user_verification_required && auth.flags & FLAG_UV == 0 {
        return Err(WebAuthnError::UserNotVerified);
    }
    Ok(())
}

#[derive(Deserialize)]
struct RegistrationJson {
    id: String,
    #[serde(rename = "rawId")]
    raw_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    response: AttestationResponseJson,
    #[serde(rename = "authenticatorAttachment")]
    authenticator_attachment: Option<String>,
}

#[derive(Deserialize)]
struct AttestationResponseJson {
    #[serde(rename = "clientDataJSON")]
    client_data_json: String,
    #[serde(rename = "attestationObject")]
    attestation_object: String,
    #[serde(default)]
    transports: Vec<String>,
}

/// A credential that passed registration, ready to store.
#[derive(Debug, Clone)]
pub struct NewCredential {
    pub credential_id: Vec<u8>,
    pub public_key: Vec<u8>,
    pub alg: i64,
    pub sign_count: u32,
    pub aaguid: [u8; 16],
    pub transports: Vec<String>,
    pub attachment: Option<String>,
    pub attestation_format: String,
    pub user_verified: bool,
}

fn map_get<'a>(map: &'a [(Cbor, Cbor)], key: &str) -> Option<&'a Cbor> {
    map.iter()
        .find(|(k, _)| matches!(k, Cbor::Text(t) if t == key))
        .map(|(_, v)| v)
}

/// Verifies a RegistrationResponseJSON (`credential`) against a registration challenge: client
/// data, relying party, flags, the credential key and the attestation statement (`none`, or
/// `packed` self attestation or with a certificate, whose signature is checked; no trust chain
/// **[B: how far AWS checks attestation is not on record]**).
pub fn verify_registration(
    credential: &serde_json::Value,
    expected: &Expected,
) -> Result<NewCredential> {
    let reg: RegistrationJson = serde_json::from_value(credential.clone())
        .map_err(|_| WebAuthnError::Malformed("RegistrationResponseJSON"))?;
    if reg.kind.as_deref().is_some_and(|k| k != "public-key") {
        return Err(WebAuthnError::Malformed("type"));
    }
    let client_data_hash =
        check_client_data(&reg.response.client_data_json, "webauthn.create", expected)?;
    let att_bytes = b64url_decode(&reg.response.attestation_object)
        .ok_or(WebAuthnError::Malformed("attestationObject"))?;
    let att: Cbor = ciborium::de::from_reader(att_bytes.as_slice())
        .map_err(|_| WebAuthnError::Malformed("attestationObject"))?;
    let Cbor::Map(att) = att else {
        return Err(WebAuthnError::Malformed("attestationObject"));
    };
    let (Some(Cbor::Text(fmt)), Some(Cbor::Map(stmt)), Some(Cbor::Bytes(auth_raw))) = (
        map_get(&att, "fmt"),
        map_get(&att, "attStmt"),
        map_get(&att, "authData"),
    ) else {
        return Err(WebAuthnError::Malformed("attestationObject"));
    };
    let auth = parse_auth_data(auth_raw)?;
    check_flags(&auth, expected)?;
    let Some(attested) = auth.attested else {
        return Err(WebAuthnError::Malformed("no attested credential data"));
    };
    let key = parse_cose_key(&attested.public_key)?;
    // The id the client reports must be the one the authenticator attested.
    let id = b64url_decode(&reg.id).ok_or(WebAuthnError::Malformed("id"))?;
    let raw_id = reg.raw_id.as_deref().map(b64url_decode);
    if id != attested.credential_id || raw_id.is_some_and(|r| r.as_deref() != Some(&id[..])) {
        return Err(WebAuthnError::Malformed(
            "id does not match the attested credential",
        ));
    }
    let signed = [auth_raw.as_slice(), &client_data_hash].concat();
    match fmt.as_str() {
        "none" => {
            if !stmt.is_empty() {
                return Err(WebAuthnError::Malformed("attStmt of format none"));
            }
        }
        "packed" => verify_packed(stmt, &key, &signed)?,
        other => {
            return Err(WebAuthnError::NotSupported(format!(
                "attestation format {other}"
            )))
        }
    }
    Ok(NewCredential {
        credential_id: attested.credential_id,
        public_key: attested.public_key,
        alg: key.alg(),
        sign_count: auth.sign_count,
        aaguid: attested.aaguid,
        transports: reg.response.transports,
        attachment: reg.authenticator_attachment,
        attestation_format: fmt.clone(),
        user_verified: auth.flags & FLAG_UV != 0,
    })
}

/// `packed` (W3C WebAuthn §8.2): self attestation is signed by the credential key with the
/// credential's algorithm; full attestation by the key of the first certificate in `x5c`.
fn verify_packed(stmt: &[(Cbor, Cbor)], key: &PublicKey, signed: &[u8]) -> Result<()> {
    let alg = match map_get(stmt, "alg") {
        Some(Cbor::Integer(i)) => i64::try_from(*i).map_err(|_| WebAuthnError::BadAttestation)?,
        _ => return Err(WebAuthnError::Malformed("packed attStmt.alg")),
    };
    let Some(Cbor::Bytes(sig)) = map_get(stmt, "sig") else {
        return Err(WebAuthnError::Malformed("packed attStmt.sig"));
    };
    match map_get(stmt, "x5c") {
        None => {
            if alg != key.alg() {
                return Err(WebAuthnError::BadAttestation);
            }
            if key.verify(signed, sig) {
                Ok(())
            } else {
                Err(WebAuthnError::BadAttestation)
            }
        }
        Some(Cbor::Array(certs)) => {
            let Some(Cbor::Bytes(leaf)) = certs.first() else {
                return Err(WebAuthnError::Malformed("packed attStmt.x5c"));
            };
            let cert_key = certificate_key(leaf)?;
            if cert_key.alg() != alg {
                return Err(WebAuthnError::BadAttestation);
            }
            if cert_key.verify(signed, sig) {
                Ok(())
            } else {
                Err(WebAuthnError::BadAttestation)
            }
        }
        Some(_) => Err(WebAuthnError::Malformed("packed attStmt.x5c")),
    }
}

/// The subject public key of a DER X.509 certificate (P-256 or RSA).
fn certificate_key(der: &[u8]) -> Result<PublicKey> {
    use p256::pkcs8::DecodePublicKey;
    let spki = spki_of_certificate(der).ok_or(WebAuthnError::Malformed("x5c certificate"))?;
    if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_der(spki) {
        return Ok(PublicKey::Es256(k));
    }
    if let Ok(k) = rsa::RsaPublicKey::from_public_key_der(spki) {
        return Ok(PublicKey::Rs256(k));
    }
    Err(WebAuthnError::NotSupported(
        "an attestation certificate key other than P-256 or RSA".into(),
    ))
}

/// One DER TLV: (tag, content, rest).
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8], usize)> {
    let tag = *input.first()?;
    let first = *input.get(1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *input.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let content = input.get(header..end)?;
    Some((tag, content, input.get(end..)?, header))
}

/// The SubjectPublicKeyInfo (whole TLV) of a certificate: Certificate → tbsCertificate →
/// [version], serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo.
fn spki_of_certificate(der: &[u8]) -> Option<&[u8]> {
    let (_, cert, _, _) = der_tlv(der)?;
    let (_, tbs, _, _) = der_tlv(cert)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = der_tlv(rest)?.2;
    }
    for _ in 0..5 {
        rest = der_tlv(rest)?.2;
    }
    let (tag, content, _, header) = der_tlv(rest)?;
    if tag != 0x30 {
        return None;
    }
    rest.get(..header + content.len())
}

#[derive(Deserialize)]
struct AssertionJson {
    id: String,
    #[serde(rename = "rawId")]
    raw_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    response: AssertionResponseJson,
}

#[derive(Deserialize)]
struct AssertionResponseJson {
    #[serde(rename = "clientDataJSON")]
    client_data_json: String,
    #[serde(rename = "authenticatorData")]
    authenticator_data: String,
    signature: String,
    #[serde(rename = "userHandle")]
    user_handle: Option<String>,
}

/// An AuthenticationResponseJSON, parsed but not yet verified: the caller looks the credential
/// up by `credential_id` and checks the user handle, then calls [`Assertion::verify`].
pub struct Assertion {
    pub credential_id: Vec<u8>,
    pub user_handle: Option<Vec<u8>>,
    client_data_json: String,
    authenticator_data: Vec<u8>,
    signature: Vec<u8>,
}

pub fn parse_assertion(json: &str) -> Result<Assertion> {
    let a: AssertionJson = serde_json::from_str(json)
        .map_err(|_| WebAuthnError::Malformed("AuthenticationResponseJSON"))?;
    if a.kind.as_deref().is_some_and(|k| k != "public-key") {
        return Err(WebAuthnError::Malformed("type"));
    }
    let credential_id = b64url_decode(&a.id).ok_or(WebAuthnError::Malformed("id"))?;
    if a.raw_id
        .as_deref()
        .map(b64url_decode)
        .is_some_and(|r| r.as_deref() != Some(&credential_id[..]))
    {
        return Err(WebAuthnError::Malformed("rawId"));
    }
    let user_handle = match a.response.user_handle.as_deref() {
        None | Some("") => None,
        Some(h) => Some(b64url_decode(h).ok_or(WebAuthnError::Malformed("userHandle"))?),
    };
    Ok(Assertion {
        credential_id,
        user_handle,
        client_data_json: a.response.client_data_json,
        authenticator_data: b64url_decode(&a.response.authenticator_data)
            .ok_or(WebAuthnError::Malformed("authenticatorData"))?,
        signature: b64url_decode(&a.response.signature)
            .ok_or(WebAuthnError::Malformed("signature"))?,
    })
}

/// What a verified assertion tells the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub sign_count: u32,
    pub user_verified: bool,
}

impl Assertion {
    /// Verifies the assertion with the stored COSE key and counter (W3C WebAuthn §7.2).
    pub fn verify(
        &self,
        expected: &Expected,
        stored_key: &[u8],
        stored_count: u32,
    ) -> Result<Verified> {
        let client_data_hash = check_client_data(&self.client_data_json, "webauthn.get", expected)?;
        let auth = parse_auth_data(&self.authenticator_data)?;
        check_flags(&auth, expected)?;
        let key = parse_cose_key(stored_key)?;
        let signed = [self.authenticator_data.as_slice(), &client_data_hash].concat();
        if !key.verify(&signed, &self.signature) {
            return Err(WebAuthnError::BadSignature);
        }
        // Authenticators without a counter send 0 every time; once either side has counted,
        // the counter must grow.
        if (auth.sign_count != 0 || stored_count != 0) && auth.sign_count <= stored_count {
            return Err(WebAuthnError::CounterNotIncreased);
        }
        Ok(Verified {
            sign_count: auth.sign_count,
            user_verified: auth.flags & FLAG_UV != 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_the_relying_party_or_below_it() {
        let cases = [
            ("https://example.com", "example.com", true),
            ("https://login.example.com:8443", "example.com", true),
            ("https://example.com.evil.net", "example.com", false),
            ("https://badexample.com", "example.com", false),
            ("http://example.com", "example.com", false),
            ("http://localhost:3000", "localhost", true),
            ("https://localhost", "localhost", true),
            ("http://127.0.0.1:3000", "localhost", false),
            ("android:apk-key-hash:abc", "example.com", false),
            ("https://user@example.com", "example.com", false),
        ];
        for (origin, rp, want) in cases {
            assert_eq!(origin_allowed(origin, rp), want, "{origin} for {rp}");
        }
    }

    #[test]
    fn short_or_trailing_authenticator_data_is_malformed() {
        assert!(parse_auth_data(&[0u8; 36]).is_err());
        let mut ok = vec![0u8; 37];
        assert!(parse_auth_data(&ok).is_ok());
        ok.push(1);
        assert!(parse_auth_data(&ok).is_err());
    }

    #[test]
    fn base64url_with_or_without_padding() {
        assert_eq!(b64url_decode("AQI"), Some(vec![1, 2]));
        assert_eq!(b64url_decode("AQI="), Some(vec![1, 2]));
        assert_eq!(b64url_decode("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(b64url_decode("+/8"), Some(vec![0xfb, 0xff]));
        assert_eq!(b64url_decode("!!"), None);
    }
}

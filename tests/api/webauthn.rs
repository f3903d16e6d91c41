//! Passkeys with a software authenticator that signs for real (P-256 ECDSA with `p256`,
//! RSA PKCS#1 v1.5 with `rsa`): StartWebAuthnRegistration / CompleteWebAuthnRegistration with
//! "none" and "packed" attestation, ListWebAuthnCredentials, DeleteWebAuthnCredential,
//! GetUserAuthFactors, the WEB_AUTHN challenge of USER_AUTH, and every bad credential refused
//! with its exception and nothing stored.

use crate::helpers::*;
use crate::user_auth::Ua;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::complete_web_authn_registration::CompleteWebAuthnRegistrationError;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::operation::start_web_authn_registration::StartWebAuthnRegistrationError;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, UserVerificationType, WebAuthnConfigurationType,
};
use aws_smithy_types::Document;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ciborium::value::Value as Cbor;
use p256::ecdsa::signature::Signer;
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

const PASSWORD: &str = "Passw0rd!";
const ORIGIN: &str = "http://localhost:3000";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).expect("base64url")
}

fn cbor(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).expect("CBOR");
    out
}

fn int(i: i64) -> Cbor {
    Cbor::Integer(i.into())
}

fn text(s: &str) -> Cbor {
    Cbor::Text(s.into())
}

pub enum Key {
    Es256(p256::ecdsa::SigningKey),
    Rs256(Box<rsa::RsaPrivateKey>),
    /// An Ed25519-shaped COSE key the pool cannot use (signatures are never checked).
    EdDsa,
}

impl Key {
    fn cose(&self) -> Vec<u8> {
        match self {
            Key::Es256(k) => {
                let point = k.verifying_key().to_encoded_point(false);
                cbor(&Cbor::Map(vec![
                    (int(1), int(2)),
                    (int(3), int(-7)),
                    (int(-1), int(1)),
                    (int(-2), Cbor::Bytes(point.x().expect("x").to_vec())),
                    (int(-3), Cbor::Bytes(point.y().expect("y").to_vec())),
                ]))
            }
            Key::Rs256(k) => {
                use rsa::traits::PublicKeyParts;
                cbor(&Cbor::Map(vec![
                    (int(1), int(3)),
                    (int(3), int(-257)),
                    (int(-1), Cbor::Bytes(k.n().to_bytes_be())),
                    (int(-2), Cbor::Bytes(k.e().to_bytes_be())),
                ]))
            }
            Key::EdDsa => cbor(&Cbor::Map(vec![
                (int(1), int(1)),
                (int(3), int(-8)),
                (int(-1), int(6)),
                (int(-2), Cbor::Bytes(vec![7; 32])),
            ])),
        }
    }

    fn alg(&self) -> i64 {
        match self {
            Key::Es256(_) => -7,
            Key::Rs256(_) => -257,
            Key::EdDsa => -8,
        }
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Key::Es256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            Key::Rs256(k) => k
                .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
                .expect("RSA signature"),
            Key::EdDsa => vec![0; 64],
        }
    }
}

/// How the authenticator misbehaves, for the failure cases.
#[derive(Clone)]
pub struct Ceremony {
    pub origin: String,
    /// The RP id the authenticator hashes into authenticatorData (None: the one asked for).
    pub rp_id: Option<String>,
    /// Sign this challenge instead of the one asked for.
    pub challenge: Option<String>,
    pub user_verified: bool,
    pub user_present: bool,
    /// "none", "packed" (self) or "packed-x5c".
    pub format: &'static str,
    pub tamper_signature: bool,
}

impl Default for Ceremony {
    fn default() -> Self {
        Ceremony {
            origin: ORIGIN.into(),
            rp_id: None,
            challenge: None,
            user_verified: true,
            user_present: true,
            format: "none",
            tamper_signature: false,
        }
    }
}

/// A software authenticator with one credential.
pub struct Authenticator {
    pub key: Key,
    pub credential_id: Vec<u8>,
    pub counter: u32,
    pub user_handle: Vec<u8>,
}

impl Authenticator {
    pub fn es256() -> Self {
        Self::with_key(Key::Es256(p256::ecdsa::SigningKey::random(
            &mut rand::rngs::OsRng,
        )))
    }

    pub fn rs256() -> Self {
        let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("RSA key");
        Self::with_key(Key::Rs256(Box::new(key)))
    }

    fn with_key(key: Key) -> Self {
        let mut id = vec![0u8; 32];
        rand::thread_rng().fill_bytes(&mut id);
        Authenticator {
            key,
            credential_id: id,
            counter: 0,
            user_handle: Vec::new(),
        }
    }

    pub fn id(&self) -> String {
        b64(&self.credential_id)
    }

    fn flags(c: &Ceremony, attested: bool) -> u8 {
        let mut f = 0u8;
        if c.user_present {
            f |= 0x01;
        }
        if c.user_verified {
            f |= 0x04;
        }
        if attested {
            f |= 0x40;
        }
        f
    }

    fn client_data(kind: &str, challenge: &str, c: &Ceremony) -> Vec<u8> {
        let challenge = c.challenge.as_deref().unwrap_or(challenge);
        serde_json::to_vec(&json!({
            "type": kind,
            "challenge": challenge,
            "origin": c.origin,
            "crossOrigin": false
        }))
        .expect("JSON")
    }

    /// navigator.credentials.create: a RegistrationResponseJSON for CredentialCreationOptions.
    pub fn create(&mut self, options: &Value, c: &Ceremony) -> Value {
        let rp_id = c
            .rp_id
            .clone()
            .unwrap_or_else(|| options["rp"]["id"].as_str().unwrap_or_default().to_string());
        self.user_handle = unb64(options["user"]["id"].as_str().unwrap_or_default());
        let client_data = Self::client_data(
            "webauthn.create",
            options["challenge"].as_str().unwrap_or_default(),
            c,
        );
        let mut auth = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth.push(Self::flags(c, true));
        auth.extend(self.counter.to_be_bytes());
        auth.extend([0x11u8; 16]);
        auth.extend((self.credential_id.len() as u16).to_be_bytes());
        auth.extend(&self.credential_id);
        auth.extend(self.key.cose());
        let signed = [auth.as_slice(), &Sha256::digest(&client_data)].concat();
        let mut sig = self.key.sign(&signed);
        if c.tamper_signature {
            let last = sig.len() - 1;
            sig[last] ^= 1;
        }
        let stmt = match c.format {
            "none" => Cbor::Map(vec![]),
            "packed" => Cbor::Map(vec![
                (text("alg"), int(self.key.alg())),
                (text("sig"), Cbor::Bytes(sig)),
            ]),
            _ => {
                let Key::Es256(k) = &self.key else {
                    panic!("x5c only with ES256 here")
                };
                Cbor::Map(vec![
                    (text("alg"), int(-7)),
                    (text("sig"), Cbor::Bytes(sig)),
                    (
                        text("x5c"),
                        Cbor::Array(vec![Cbor::Bytes(certificate_for(k.verifying_key()))]),
                    ),
                ])
            }
        };
        let fmt = if c.format == "none" { "none" } else { "packed" };
        let attestation = cbor(&Cbor::Map(vec![
            (text("fmt"), text(fmt)),
            (text("attStmt"), stmt),
            (text("authData"), Cbor::Bytes(auth)),
        ]));
        json!({
            "id": self.id(),
            "rawId": self.id(),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "attestationObject": b64(&attestation),
                "transports": ["internal", "hybrid"]
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {}
        })
    }

    /// navigator.credentials.get: an AuthenticationResponseJSON for CREDENTIAL_REQUEST_OPTIONS.
    pub fn get(&mut self, options: &Value, c: &Ceremony) -> Value {
        let rp_id = c
            .rp_id
            .clone()
            .unwrap_or_else(|| options["rpId"].as_str().unwrap_or_default().to_string());
        self.counter += 1;
        let client_data = Self::client_data(
            "webauthn.get",
            options["challenge"].as_str().unwrap_or_default(),
            c,
        );
        let mut auth = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth.push(Self::flags(c, false));
        auth.extend(self.counter.to_be_bytes());
        let signed = [auth.as_slice(), &Sha256::digest(&client_data)].concat();
        let mut sig = self.key.sign(&signed);
        if c.tamper_signature {
            let last = sig.len() - 1;
            sig[last] ^= 1;
        }
        json!({
            "id": self.id(),
            "rawId": self.id(),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "authenticatorData": b64(&auth),
                "signature": b64(&sig),
                "userHandle": b64(&self.user_handle)
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {}
        })
    }
}

/// A DER certificate whose subject key is `key`. Only its structure matters: the emulator checks
/// the attestation signature with the leaf key and no trust chain (see `crypto::webauthn`).
fn certificate_for(key: &p256::ecdsa::VerifyingKey) -> Vec<u8> {
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        if content.len() < 0x80 {
            out.push(content.len() as u8);
        } else {
            out.push(0x82);
            out.extend((content.len() as u16).to_be_bytes());
        }
        out.extend(content);
        out
    }
    // SubjectPublicKeyInfo: id-ecPublicKey, prime256v1, the uncompressed point.
    let algorithm = tlv(
        0x30,
        &[
            tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
            tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
        ]
        .concat(),
    );
    let point = key.to_encoded_point(false);
    let spki = tlv(
        0x30,
        &[algorithm, tlv(0x03, &[&[0u8], point.as_bytes()].concat())].concat(),
    );
    let ecdsa_sha256 = tlv(
        0x30,
        &tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]),
    );
    let name = tlv(
        0x30,
        &tlv(
            0x31,
            &tlv(
                0x30,
                &[
                    tlv(0x06, &[0x55, 0x04, 0x03]),
                    tlv(0x0c, b"Soft Authenticator"),
                ]
                .concat(),
            ),
        ),
    );
    let validity = tlv(
        0x30,
        &[tlv(0x17, b"250101000000Z"), tlv(0x17, b"350101000000Z")].concat(),
    );
    let tbs = tlv(
        0x30,
        &[
            tlv(0xa0, &tlv(0x02, &[2])),
            tlv(0x02, &[1]),
            ecdsa_sha256.clone(),
            name.clone(),
            validity,
            name,
            spki,
        ]
        .concat(),
    );
    tlv(
        0x30,
        &[tbs, ecdsa_sha256, tlv(0x03, &[0, 0x30, 0x00])].concat(),
    )
}

/// A pool with passkeys on and `alice` signed in: her access token.
pub struct Passkeys {
    pub ua: Ua,
    pub access_token: String,
}

fn doc_to_json(d: &Document) -> Value {
    match d {
        Document::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), doc_to_json(v))).collect())
        }
        Document::Array(a) => Value::Array(a.iter().map(doc_to_json).collect()),
        Document::Number(n) => match *n {
            aws_smithy_types::Number::PosInt(i) => json!(i),
            aws_smithy_types::Number::NegInt(i) => json!(i),
            aws_smithy_types::Number::Float(f) => json!(f),
        },
        Document::String(s) => json!(s),
        Document::Bool(b) => json!(b),
        Document::Null => Value::Null,
    }
}

fn json_to_doc(v: &Value) -> Document {
    match v {
        Value::Object(m) => Document::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), json_to_doc(v)))
                .collect::<HashMap<_, _>>(),
        ),
        Value::Array(a) => Document::Array(a.iter().map(json_to_doc).collect()),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Document::Number(aws_smithy_types::Number::PosInt(u)),
            (_, Some(i)) => Document::Number(aws_smithy_types::Number::NegInt(i)),
            _ => Document::Number(aws_smithy_types::Number::Float(
                n.as_f64().unwrap_or_default(),
            )),
        },
        Value::String(s) => Document::String(s.clone()),
        Value::Bool(b) => Document::Bool(*b),
        Value::Null => Document::Null,
    }
}

impl Passkeys {
    pub async fn new() -> Self {
        Self::with_factors(&["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]).await
    }

    pub async fn with_factors(factors: &[&str]) -> Self {
        let ua = Ua::new(factors).await;
        let access_token = sign_in_with_password(&ua, &ua.client_id, "alice").await;
        Passkeys { ua, access_token }
    }

    pub async fn start(&self) -> Result<Value, SdkError<StartWebAuthnRegistrationError>> {
        self.start_with(&self.access_token).await
    }

    pub async fn start_with(
        &self,
        token: &str,
    ) -> Result<Value, SdkError<StartWebAuthnRegistrationError>> {
        self.ua
            .app
            .client
            .start_web_authn_registration()
            .access_token(token)
            .send()
            .await
            .map(|r| doc_to_json(r.credential_creation_options()))
    }

    pub async fn complete_with(
        &self,
        token: &str,
        credential: &Value,
    ) -> Result<(), SdkError<CompleteWebAuthnRegistrationError>> {
        self.ua
            .app
            .client
            .complete_web_authn_registration()
            .access_token(token)
            .credential(json_to_doc(credential))
            .send()
            .await
            .map(|_| ())
    }

    pub async fn complete(
        &self,
        credential: &Value,
    ) -> Result<(), SdkError<CompleteWebAuthnRegistrationError>> {
        self.complete_with(&self.access_token, credential).await
    }

    /// Start + create + complete.
    pub async fn register(
        &self,
        auth: &mut Authenticator,
        c: &Ceremony,
    ) -> Result<(), SdkError<CompleteWebAuthnRegistrationError>> {
        self.register_with(&self.access_token, auth, c).await
    }

    pub async fn register_with(
        &self,
        token: &str,
        auth: &mut Authenticator,
        c: &Ceremony,
    ) -> Result<(), SdkError<CompleteWebAuthnRegistrationError>> {
        let options = self
            .start_with(token)
            .await
            .expect("StartWebAuthnRegistration");
        let credential = auth.create(&options, c);
        self.complete_with(token, &credential).await
    }

    pub async fn credentials(
        &self,
    ) -> Vec<aws_sdk_cognitoidentityprovider::types::WebAuthnCredentialDescription> {
        self.ua
            .app
            .client
            .list_web_authn_credentials()
            .access_token(&self.access_token)
            .send()
            .await
            .expect("ListWebAuthnCredentials")
            .credentials()
            .to_vec()
    }

    /// InitiateAuth USER_AUTH preferring WEB_AUTHN: (Session, CREDENTIAL_REQUEST_OPTIONS).
    pub async fn web_authn_challenge(&self) -> (String, Value) {
        let out = self
            .ua
            .initiate("alice", &[("PREFERRED_CHALLENGE", "WEB_AUTHN")])
            .await
            .expect("InitiateAuth");
        assert_eq!(out.challenge_name(), Some(&ChallengeNameType::WebAuthn));
        let p = out.challenge_parameters().expect("ChallengeParameters");
        let options: Value = serde_json::from_str(&p["CREDENTIAL_REQUEST_OPTIONS"])
            .expect("options are a JSON string");
        (out.session().expect("Session").to_string(), options)
    }

    /// SELECT_CHALLENGE answered with WEB_AUTHN: the answer and its CREDENTIAL_REQUEST_OPTIONS.
    pub async fn select_web_authn(&self, session: &str) -> (RespondToAuthChallengeOutput, Value) {
        let out = self
            .ua
            .respond(
                ChallengeNameType::SelectChallenge,
                session,
                &[("USERNAME", "alice"), ("ANSWER", "WEB_AUTHN")],
            )
            .await
            .expect("SELECT_CHALLENGE WEB_AUTHN");
        let options: Value = serde_json::from_str(
            &out.challenge_parameters().expect("parameters")["CREDENTIAL_REQUEST_OPTIONS"],
        )
        .expect("JSON");
        (out, options)
    }

    pub async fn answer(
        &self,
        session: &str,
        assertion: &Value,
    ) -> Result<String, SdkError<RespondToAuthChallengeError>> {
        self.ua
            .respond(
                ChallengeNameType::WebAuthn,
                session,
                &[
                    ("USERNAME", "alice"),
                    ("CREDENTIAL", &assertion.to_string()),
                ],
            )
            .await
            .map(|o| {
                o.authentication_result()
                    .and_then(|r| r.access_token())
                    .expect("tokens")
                    .to_string()
            })
    }
}

pub async fn sign_in_with_password(ua: &Ua, client_id: &str, username: &str) -> String {
    ua.app
        .client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PREFERRED_CHALLENGE", "PASSWORD")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("password sign-in")
        .authentication_result()
        .and_then(|r| r.access_token())
        .expect("an access token")
        .to_string()
}

#[tokio::test]
async fn start_web_authn_registration_returns_creation_options_for_the_user() {
    let p = Passkeys::new().await;
    let options = p.start().await.expect("StartWebAuthnRegistration");
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["user"]["name"], "alice");
    assert_eq!(options["user"]["displayName"], "");
    let sub =
        p.ua.app
            .call(
                "AdminGetUser",
                json!({"UserPoolId": p.ua.pool_id, "Username": "alice"}),
            )
            .await["UserAttributes"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["Name"] == "sub").cloned())
            .expect("sub")["Value"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    assert_eq!(
        unb64(options["user"]["id"].as_str().unwrap_or_default()),
        sub.as_bytes()
    );
    assert_eq!(
        unb64(options["challenge"].as_str().unwrap_or_default()).len(),
        16
    );
    assert_eq!(
        options["pubKeyCredParams"],
        json!([{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}])
    );
    assert_eq!(options["timeout"], 60000);
    assert_eq!(options["excludeCredentials"], json!([]));
    assert_eq!(
        options["authenticatorSelection"],
        json!({"requireResidentKey": true, "residentKey": "required", "userVerification": "preferred"})
    );
}

#[tokio::test]
async fn es256_and_rs256_passkeys_register_with_none_and_packed_attestation() {
    let p = Passkeys::new().await;
    let mut es = Authenticator::es256();
    p.register(&mut es, &Ceremony::default())
        .await
        .expect("ES256, none");
    let mut rs = Authenticator::rs256();
    p.register(
        &mut rs,
        &Ceremony {
            format: "packed",
            ..Default::default()
        },
    )
    .await
    .expect("RS256, packed self attestation");
    let mut x5c = Authenticator::es256();
    p.register(
        &mut x5c,
        &Ceremony {
            format: "packed-x5c",
            ..Default::default()
        },
    )
    .await
    .expect("ES256, packed with a certificate");

    let list = p.credentials().await;
    let ids: Vec<&str> = list.iter().map(|c| c.credential_id()).collect();
    assert_eq!(ids, [es.id(), rs.id(), x5c.id()]);
    let first = &list[0];
    assert_eq!(first.relying_party_id(), "localhost");
    assert_eq!(first.friendly_credential_name(), "Passkey");
    assert_eq!(first.authenticator_attachment(), Some("platform"));
    assert_eq!(first.authenticator_transports(), ["internal", "hybrid"]);
    assert!(first.created_at().secs() > 0);

    // The next registration excludes the passkeys the user has.
    let options = p.start().await.expect("Start");
    let excluded: Vec<&str> = options["excludeCredentials"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(excluded, [es.id(), rs.id(), x5c.id()]);

    let factors =
        p.ua.app
            .client
            .get_user_auth_factors()
            .access_token(&p.access_token)
            .send()
            .await
            .expect("GetUserAuthFactors");
    assert_eq!(factors.username(), "alice");
    let configured: Vec<&str> = factors
        .configured_user_auth_factors()
        .iter()
        .map(|f| f.as_str())
        .collect();
    assert_eq!(configured, ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]);

    // Paging and deleting.
    let page =
        p.ua.app
            .client
            .list_web_authn_credentials()
            .access_token(&p.access_token)
            .max_results(2)
            .send()
            .await
            .expect("page 1");
    assert_eq!(page.credentials().len(), 2);
    let next = page.next_token().expect("NextToken").to_string();
    let page =
        p.ua.app
            .client
            .list_web_authn_credentials()
            .access_token(&p.access_token)
            .next_token(next)
            .send()
            .await
            .expect("page 2");
    assert_eq!(page.credentials().len(), 1);
    assert_eq!(page.next_token(), None);

    p.ua.app
        .client
        .delete_web_authn_credential()
        .access_token(&p.access_token)
        .credential_id(rs.id())
        .send()
        .await
        .expect("DeleteWebAuthnCredential");
    let e =
        p.ua.app
            .client
            .delete_web_authn_credential()
            .access_token(&p.access_token)
            .credential_id(rs.id())
            .send()
            .await;
    assert_sdk_code(e, "ResourceNotFoundException");
    let ids: Vec<String> = p
        .credentials()
        .await
        .iter()
        .map(|c| c.credential_id().to_string())
        .collect();
    assert_eq!(ids, [es.id(), x5c.id()]);
}

#[tokio::test]
async fn bad_registrations_are_refused_with_their_exception_and_nothing_is_stored() {
    let p = Passkeys::new().await;
    let mut auth = Authenticator::es256();

    // No registration started.
    let options = json!({"rp": {"id": "localhost"}, "user": {"id": "AA"}, "challenge": "AAAAAAAAAAAAAAAAAAAAAA"});
    let unsolicited = auth.create(&options, &Ceremony::default());
    assert_sdk_code(
        p.complete(&unsolicited).await,
        "WebAuthnChallengeNotFoundException",
    );

    let options = p.start().await.expect("Start");
    let cases: Vec<(&str, Ceremony, &str)> = vec![
        (
            "another challenge",
            Ceremony {
                challenge: Some(b64(&[9u8; 16])),
                ..Default::default()
            },
            "WebAuthnChallengeNotFoundException",
        ),
        (
            "another origin",
            Ceremony {
                origin: "https://evil.example".into(),
                ..Default::default()
            },
            "WebAuthnOriginNotAllowedException",
        ),
        (
            "another relying party",
            Ceremony {
                rp_id: Some("example.com".into()),
                ..Default::default()
            },
            "WebAuthnRelyingPartyMismatchException",
        ),
        (
            "no user presence",
            Ceremony {
                user_present: false,
                ..Default::default()
            },
            "InvalidParameterException",
        ),
        (
            "a forged packed signature",
            Ceremony {
                format: "packed",
                tamper_signature: true,
                ..Default::default()
            },
            "InvalidParameterException",
        ),
    ];
    for (name, ceremony, want) in cases {
        let credential = auth.create(&options, &ceremony);
        let got = expect_err(p.complete(&credential).await);
        assert_eq!(got.0, want, "{name}: {}", got.1);
    }

    // Malformed credentials.
    let good = auth.create(&options, &Ceremony::default());
    let mut garbage = good.clone();
    garbage["response"]["attestationObject"] = json!("bm90LWNib3I");
    assert_sdk_code(p.complete(&garbage).await, "InvalidParameterException");
    let mut other_id = good.clone();
    other_id["id"] = json!(b64(&[1, 2, 3]));
    other_id["rawId"] = json!(b64(&[1, 2, 3]));
    assert_sdk_code(p.complete(&other_id).await, "InvalidParameterException");
    assert_sdk_code(
        p.complete(&json!({"id": 1})).await,
        "InvalidParameterException",
    );

    // A key the pool cannot use.
    let mut ed = Authenticator::with_key(Key::EdDsa);
    let credential = ed.create(&options, &Ceremony::default());
    assert_sdk_code(
        p.complete(&credential).await,
        "WebAuthnCredentialNotSupportedException",
    );

    assert!(p.credentials().await.is_empty(), "nothing stored");

    // The good one still completes, once.
    p.complete(&good).await.expect("the right credential");
    assert_sdk_code(
        p.complete(&good).await,
        "WebAuthnChallengeNotFoundException",
    );
    assert_eq!(p.credentials().await.len(), 1);

    // The same credential again under a new challenge.
    let options = p.start().await.expect("Start");
    let again = auth.create(&options, &Ceremony::default());
    assert_sdk_err(
        p.complete(&again).await,
        "InvalidParameterException",
        "This passkey is already registered in the user pool.",
    );

    // An expired challenge.
    let options = p.start().await.expect("Start");
    let mut late = Authenticator::es256();
    let credential = late.create(&options, &Ceremony::default());
    p.ua.app.advance_clock(301).await;
    let token = sign_in_with_password(&p.ua, &p.ua.client_id, "alice").await;
    assert_sdk_code(
        p.complete_with(&token, &credential).await,
        "WebAuthnChallengeNotFoundException",
    );
    assert_eq!(p.credentials_with(&token).await, 1);
}

impl Passkeys {
    async fn credentials_with(&self, token: &str) -> usize {
        self.ua
            .app
            .client
            .list_web_authn_credentials()
            .access_token(token)
            .send()
            .await
            .expect("List")
            .credentials()
            .len()
    }
}

#[tokio::test]
async fn the_pool_configuration_decides_relying_party_verification_and_whether_passkeys_exist() {
    // Passkeys off: WEB_AUTHN not among the first factors.
    let off = Passkeys::with_factors(&["PASSWORD"]).await;
    let e = off.start().await;
    assert_sdk_code(e, "WebAuthnNotEnabledException");

    let p = Passkeys::new().await;
    p.ua.app
        .client
        .set_user_pool_mfa_config()
        .user_pool_id(&p.ua.pool_id)
        .web_authn_configuration(
            WebAuthnConfigurationType::builder()
                .relying_party_id("auth.example.com")
                .user_verification(UserVerificationType::Required)
                .build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    let config =
        p.ua.app
            .client
            .get_user_pool_mfa_config()
            .user_pool_id(&p.ua.pool_id)
            .send()
            .await
            .expect("GetUserPoolMfaConfig");
    assert_eq!(
        config
            .web_authn_configuration()
            .and_then(|w| w.relying_party_id()),
        Some("auth.example.com")
    );
    let options = p.start().await.expect("Start");
    assert_eq!(options["rp"]["id"], "auth.example.com");
    assert_eq!(
        options["authenticatorSelection"]["userVerification"],
        "required"
    );
    let mut auth = Authenticator::es256();
    // localhost is not auth.example.com.
    let credential = auth.create(&options, &Ceremony::default());
    assert_sdk_code(
        p.complete(&credential).await,
        "WebAuthnOriginNotAllowedException",
    );
    // Verification required, not given.
    let ceremony = Ceremony {
        origin: "https://login.auth.example.com".into(),
        user_verified: false,
        ..Default::default()
    };
    let credential = auth.create(&options, &ceremony);
    assert_sdk_code(
        p.complete(&credential).await,
        "WebAuthnCredentialNotSupportedException",
    );
    let ceremony = Ceremony {
        origin: "https://auth.example.com".into(),
        ..Default::default()
    };
    let credential = auth.create(&options, &ceremony);
    p.complete(&credential).await.expect("registered");

    // Signing in asks for the configured relying party, preferred or selected.
    let (session, options) = p.web_authn_challenge().await;
    assert_eq!(options["rpId"], "auth.example.com");
    p.answer(&session, &auth.get(&options, &ceremony))
        .await
        .expect("signed in at auth.example.com");
    let out = p.ua.initiate("alice", &[]).await.expect("InitiateAuth");
    let (out, options) = p.select_web_authn(out.session().unwrap_or_default()).await;
    assert_eq!(options["rpId"], "auth.example.com");
    assert_eq!(options["userVerification"], "required");
    p.answer(
        out.session().unwrap_or_default(),
        &auth.get(&options, &ceremony),
    )
    .await
    .expect("signed in through SELECT_CHALLENGE");

    // A token of another client than the one that started the registration.
    let other =
        p.ua.app
            .create_client_with(json!({
                "UserPoolId": p.ua.pool_id,
                "ClientName": "other",
                "ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
            }))
            .await["ClientId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    let options = p.start().await.expect("Start");
    let other_token = sign_in_with_password(&p.ua, &other, "alice").await;
    let mut second = Authenticator::es256();
    let credential = second.create(&options, &ceremony);
    assert_sdk_code(
        p.complete_with(&other_token, &credential).await,
        "WebAuthnClientMismatchException",
    );
    assert_eq!(p.credentials().await.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Signing in with a passkey
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_registered_passkey_signs_in_through_web_authn() {
    let p = Passkeys::new().await;
    let before = p.ua.initiate("alice", &[]).await.expect("InitiateAuth");
    assert_eq!(
        challenge_names(before.available_challenges()),
        ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"]
    );
    let mut auth = Authenticator::es256();
    p.register(&mut auth, &Ceremony::default())
        .await
        .expect("registered");

    let (session, options) = p.web_authn_challenge().await;
    assert_eq!(options["rpId"], "localhost");
    assert_eq!(options["userVerification"], "preferred");
    assert_eq!(options["timeout"], 180000);
    assert_eq!(
        options["allowCredentials"],
        json!([{"id": auth.id(), "type": "public-key", "transports": ["internal", "hybrid"]}])
    );
    assert_eq!(
        unb64(options["challenge"].as_str().unwrap_or_default()).len(),
        16
    );
    let assertion = auth.get(&options, &Ceremony::default());
    let token = p.answer(&session, &assertion).await.expect("signed in");
    assert_eq!(claims(&token)["username"], "alice");

    // The same assertion again: its session is used, and a new session has a new challenge.
    let e = p.answer(&session, &assertion).await;
    assert_sdk_err(
        e,
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    );
    let (session, _) = p.web_authn_challenge().await;
    let e = p.answer(&session, &assertion).await;
    assert_sdk_err(
        e,
        "NotAuthorizedException",
        "Passkey authentication failed: challenge mismatch.",
    );

    // Through SELECT_CHALLENGE, with an RS256 passkey.
    let mut rs = Authenticator::rs256();
    p.register(
        &mut rs,
        &Ceremony {
            format: "packed",
            ..Default::default()
        },
    )
    .await
    .expect("RS256 registered");
    let out = p.ua.initiate("alice", &[]).await.expect("InitiateAuth");
    assert_eq!(
        challenge_names(out.available_challenges()),
        ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]
    );
    let (out, options) = p.select_web_authn(out.session().unwrap_or_default()).await;
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::WebAuthn));
    assert_eq!(
        options["allowCredentials"].as_array().map(Vec::len),
        Some(2)
    );
    let assertion = rs.get(&options, &Ceremony::default());
    p.answer(out.session().unwrap_or_default(), &assertion)
        .await
        .expect("RS256 sign-in");
}

#[tokio::test]
async fn bad_assertions_are_refused_and_change_nothing() {
    let p = Passkeys::new().await;
    let mut auth = Authenticator::es256();
    p.register(&mut auth, &Ceremony::default())
        .await
        .expect("registered");
    // bob has a passkey too.
    p.ua.add_user("bob").await;
    let bob_token = sign_in_with_password(&p.ua, &p.ua.client_id, "bob").await;
    let mut bobs = Authenticator::es256();
    p.register_with(&bob_token, &mut bobs, &Ceremony::default())
        .await
        .expect("bob's passkey");

    let failed = |what: &str| {
        (
            "NotAuthorizedException".to_string(),
            format!("Passkey authentication failed: {what}."),
        )
    };
    let cases: Vec<(Ceremony, &str)> = vec![
        (
            Ceremony {
                origin: "https://evil.example".into(),
                ..Default::default()
            },
            "origin not allowed",
        ),
        (
            Ceremony {
                rp_id: Some("example.com".into()),
                ..Default::default()
            },
            "relying party mismatch",
        ),
        (
            Ceremony {
                tamper_signature: true,
                ..Default::default()
            },
            "assertion signature invalid",
        ),
        (
            Ceremony {
                user_present: false,
                ..Default::default()
            },
            "user not present",
        ),
        (
            Ceremony {
                challenge: Some(b64(&[7u8; 16])),
                ..Default::default()
            },
            "challenge mismatch",
        ),
    ];
    for (ceremony, want) in cases {
        let (session, options) = p.web_authn_challenge().await;
        let assertion = auth.get(&options, &ceremony);
        let got = expect_err(p.answer(&session, &assertion).await);
        assert_eq!(got, failed(want));
    }

    // Bob's passkey for alice's sign-in.
    let (session, options) = p.web_authn_challenge().await;
    let assertion = bobs.get(&options, &Ceremony::default());
    let got = expect_err(p.answer(&session, &assertion).await);
    assert_eq!(
        got,
        (
            "NotAuthorizedException".to_string(),
            "Passkey authentication failed: the credential is not registered for this user."
                .to_string()
        )
    );
    // Malformed.
    let got = expect_err(p.answer(&session, &json!({"id": "x"})).await);
    assert_eq!(got.0, "NotAuthorizedException");

    // A counter that does not move forward (a cloned authenticator).
    let (session, options) = p.web_authn_challenge().await;
    let assertion = auth.get(&options, &Ceremony::default());
    p.answer(&session, &assertion).await.expect("counter 1");
    auth.counter -= 1;
    let (session, options) = p.web_authn_challenge().await;
    let assertion = auth.get(&options, &Ceremony::default());
    let got = expect_err(p.answer(&session, &assertion).await);
    assert_eq!(got, failed("signature counter not increased"));

    // An expired WEB_AUTHN session.
    let (session, options) = p.web_authn_challenge().await;
    let assertion = auth.get(&options, &Ceremony::default());
    p.ua.app.advance_clock(181).await;
    let got = expect_err(p.answer(&session, &assertion).await);
    assert_eq!(got.1, "Invalid session for the user, session is expired.");

    // Nothing changed: the authenticator's next real assertion signs in.
    let (session, options) = p.web_authn_challenge().await;
    let assertion = auth.get(&options, &Ceremony::default());
    p.answer(&session, &assertion).await.expect("still works");
}

#[tokio::test]
async fn user_verification_is_required_when_the_pool_says_so() {
    let p = Passkeys::new().await;
    let mut auth = Authenticator::es256();
    p.register(&mut auth, &Ceremony::default())
        .await
        .expect("registered");
    p.ua.app
        .client
        .set_user_pool_mfa_config()
        .user_pool_id(&p.ua.pool_id)
        .web_authn_configuration(
            WebAuthnConfigurationType::builder()
                .user_verification(UserVerificationType::Required)
                .build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    let (session, options) = p.web_authn_challenge().await;
    assert_eq!(options["userVerification"], "required");
    let assertion = auth.get(
        &options,
        &Ceremony {
            user_verified: false,
            ..Default::default()
        },
    );
    let got = expect_err(p.answer(&session, &assertion).await);
    assert_eq!(got.1, "Passkey authentication failed: user not verified.");
    let assertion = auth.get(&options, &Ceremony::default());
    p.answer(&session, &assertion).await.expect("with UV");
}

#[tokio::test]
async fn with_mfa_on_only_a_passkey_that_counts_as_mfa_is_offered_and_it_must_verify_the_user() {
    let p = Passkeys::new().await;
    let mut auth = Authenticator::es256();
    p.register(&mut auth, &Ceremony::default())
        .await
        .expect("registered");
    let mfa = |factor: Option<&str>| {
        let mut w = WebAuthnConfigurationType::builder().relying_party_id("localhost");
        if let Some(f) = factor {
            w = w.factor_configuration(f.into());
        }
        p.ua.app
            .client
            .set_user_pool_mfa_config()
            .user_pool_id(&p.ua.pool_id)
            .mfa_configuration(aws_sdk_cognitoidentityprovider::types::UserPoolMfaType::On)
            .software_token_mfa_configuration(
                aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaConfigType::builder()
                    .enabled(true)
                    .build(),
            )
            .web_authn_configuration(w.build())
            .send()
    };
    let passkey_mfa = |enabled: bool| {
        p.ua.app
            .client
            .admin_set_user_mfa_preference()
            .user_pool_id(&p.ua.pool_id)
            .username("alice")
            .web_authn_mfa_settings(
                aws_sdk_cognitoidentityprovider::types::WebAuthnMfaSettingsType::builder()
                    .enabled(enabled)
                    .build(),
            )
            .send()
    };
    mfa(None).await.expect("MFA ON, passkeys single factor");
    let out = p.ua.initiate("alice", &[]).await.expect("InitiateAuth");
    let offered = challenge_names(out.available_challenges());
    assert_eq!(offered, ["PASSWORD_SRP", "PASSWORD"]);
    // Passkey MFA needs a pool whose passkeys count as MFA (API Reference, SetUserMFAPreference).
    assert_sdk_err(
        passkey_mfa(true).await,
        "InvalidParameterException",
        "WebAuthn MFA cannot be enabled: the user pool's WebAuthnConfiguration FactorConfiguration is not MULTI_FACTOR_WITH_USER_VERIFICATION.",
    );
    passkey_mfa(false)
        .await
        .expect("turning it off is accepted");

    mfa(Some("MULTI_FACTOR_WITH_USER_VERIFICATION"))
        .await
        .expect("MFA ON, passkeys multi-factor");
    // Until the user turns passkey MFA on, the passkey is no way in while MFA is required.
    let out = p.ua.initiate("alice", &[]).await.expect("InitiateAuth");
    let offered = challenge_names(out.available_challenges());
    assert_eq!(offered, ["PASSWORD_SRP", "PASSWORD"]);
    passkey_mfa(true)
        .await
        .expect("AdminSetUserMFAPreference WebAuthnMfaSettings");
    // Not an entry of UserMFASettingList (API Reference, GetUser: SMS_MFA, EMAIL_OTP,
    // SOFTWARE_TOKEN_MFA).
    let u =
        p.ua.app
            .client
            .admin_get_user()
            .user_pool_id(&p.ua.pool_id)
            .username("alice")
            .send()
            .await
            .expect("AdminGetUser");
    assert!(u.user_mfa_setting_list().is_empty(), "{u:?}");
    let out = p.ua.initiate("alice", &[]).await.expect("InitiateAuth");
    let offered = challenge_names(out.available_challenges());
    assert_eq!(offered, ["PASSWORD_SRP", "PASSWORD", "WEB_AUTHN"]);
    // Chosen through SELECT_CHALLENGE: the options ask for user verification.
    let (out, options) = p.select_web_authn(out.session().unwrap_or_default()).await;
    assert_eq!(options["userVerification"], "required");
    let session = out.session().unwrap_or_default().to_string();
    let unverified = auth.get(
        &options,
        &Ceremony {
            user_verified: false,
            ..Default::default()
        },
    );
    let got = expect_err(p.answer(&session, &unverified).await);
    assert_eq!(got.1, "Passkey authentication failed: user not verified.");
    let verified = auth.get(&options, &Ceremony::default());
    p.answer(&session, &verified)
        .await
        .expect("the passkey stands in for MFA");
}

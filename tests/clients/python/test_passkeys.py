"""Passkeys and USER_AUTH through boto3, with a software authenticator that signs for real
(P-256 ECDSA from `cryptography`): StartWebAuthnRegistration / CompleteWebAuthnRegistration with
packed self attestation, ListWebAuthnCredentials, GetUserAuthFactors, the WEB_AUTHN challenge,
and refusals with Cognito's exceptions."""

import base64
import hashlib
import json
import os
import struct

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

PASSWORD = "Passw0rd!"
ORIGIN = "http://localhost:3000"


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def cbor(v):
    """Minimal CBOR: ints, bytes, text, lists, dicts (in insertion order)."""

    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        if n < 0x100:
            return bytes([major << 5 | 24, n])
        if n < 0x10000:
            return bytes([major << 5 | 25]) + struct.pack(">H", n)
        return bytes([major << 5 | 26]) + struct.pack(">I", n)

    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        return head(5, len(v)) + b"".join(cbor(k) + cbor(x) for k, x in v.items())
    raise TypeError(v)


class Authenticator:
    """One ES256 credential, kept in software."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0
        self.user_handle = b""

    def _client_data(self, kind, challenge, origin):
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin}).encode()

    def _sign(self, auth_data, client_data):
        signed = auth_data + hashlib.sha256(client_data).digest()
        return self.key.sign(signed, ec.ECDSA(hashes.SHA256()))

    def create(self, options, origin=ORIGIN):
        self.user_handle = unb64(options["user"]["id"])
        numbers = self.key.public_key().public_numbers()
        cose = cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        auth_data = (
            hashlib.sha256(options["rp"]["id"].encode()).digest()
            + bytes([0x45])
            + struct.pack(">I", self.counter)
            + bytes(16)
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + cose
        )
        statement = {"alg": -7, "sig": self._sign(auth_data, client_data)}
        attestation = cbor({"fmt": "packed", "attStmt": statement, "authData": auth_data})
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "attestationObject": b64(attestation),
                "transports": ["usb"],
            },
            "authenticatorAttachment": "cross-platform",
            "clientExtensionResults": {},
        }

    def get(self, options, origin=ORIGIN):
        self.counter += 1
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = hashlib.sha256(options["rpId"].encode()).digest() + bytes([0x05]) + struct.pack(">I", self.counter)
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(self._sign(auth_data, client_data)),
                "userHandle": b64(self.user_handle),
            },
            "clientExtensionResults": {},
        }


@pytest.fixture
def passkey_pool(idp, unique):
    pool_id = idp.create_user_pool(
        PoolName="py-passkeys-" + unique,
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}},
    )["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="py-passkeys",
        ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    yield pool_id, client_id
    idp.delete_user_pool(UserPoolId=pool_id)


def password_sign_in(idp, client_id):
    resp = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
    )
    return resp["AuthenticationResult"]["AccessToken"]


def web_authn_challenge(idp, client_id):
    resp = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )
    assert resp["ChallengeName"] == "WEB_AUTHN"
    return resp["Session"], json.loads(resp["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])


def answer(idp, client_id, session, assertion):
    return idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="WEB_AUTHN",
        Session=session,
        ChallengeResponses={"USERNAME": "alice", "CREDENTIAL": json.dumps(assertion)},
    )


def test_a_passkey_registers_and_signs_in_through_boto3(idp, passkey_pool):
    pool_id, client_id = passkey_pool
    token = password_sign_in(idp, client_id)
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["rp"]["id"] == "localhost"
    assert options["user"]["name"] == "alice"
    auth = Authenticator()

    # Collected at another origin: refused, nothing stored.
    with pytest.raises(idp.exceptions.WebAuthnOriginNotAllowedException):
        idp.complete_web_authn_registration(AccessToken=token, Credential=auth.create(options, "https://evil.example"))
    assert idp.list_web_authn_credentials(AccessToken=token)["Credentials"] == []

    idp.complete_web_authn_registration(AccessToken=token, Credential=auth.create(options))
    (credential,) = idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert credential["CredentialId"] == b64(auth.credential_id)
    assert credential["RelyingPartyId"] == "localhost"
    assert credential["AuthenticatorAttachment"] == "cross-platform"
    assert credential["AuthenticatorTransports"] == ["usb"]
    factors = idp.get_user_auth_factors(AccessToken=token)
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "WEB_AUTHN"]

    # The same registration again: its challenge is spent.
    with pytest.raises(idp.exceptions.WebAuthnChallengeNotFoundException):
        idp.complete_web_authn_registration(AccessToken=token, Credential=auth.create(options))

    session, request = web_authn_challenge(idp, client_id)
    assert request["allowCredentials"][0]["id"] == b64(auth.credential_id)
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        answer(idp, client_id, session, auth.get(request, "https://evil.example"))
    assert e.value.response["Error"]["Message"] == "Passkey authentication failed: origin not allowed."
    resp = answer(idp, client_id, session, auth.get(request))
    assert resp["AuthenticationResult"]["TokenType"] == "Bearer"

    idp.delete_web_authn_credential(AccessToken=token, CredentialId=credential["CredentialId"])
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.delete_web_authn_credential(AccessToken=token, CredentialId=credential["CredentialId"])


def test_passkeys_need_web_authn_among_the_first_factors(idp, pool_id):
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="py", ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="alice", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    token = password_sign_in(idp, client_id)
    with pytest.raises(idp.exceptions.WebAuthnNotEnabledException):
        idp.start_web_authn_registration(AccessToken=token)

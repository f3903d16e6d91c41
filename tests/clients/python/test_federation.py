"""Federated sign-in as a Python backend's test drives it: boto3 creates a Google provider, the
emulator's /_emulator/idp/.../next preset chooses the identity, requests follows the hosted UI's
redirects to the app's callback, and the code becomes tokens whose claims and user boto3 checks."""

import base64
import json
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

CALLBACK = "http://localhost:3000/callback"


def _claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _setup(idp, unique):
    pool_id = idp.create_user_pool(PoolName=f"fed-{unique}")["UserPool"]["Id"]
    idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails={"client_id": "g", "client_secret": "s", "authorize_scopes": "openid email"},
        AttributeMapping={"email": "email", "name": "name", "username": "sub"},
    )
    client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["Google"],
    )["UserPoolClient"]
    return pool_id, client["ClientId"]


def _follow(endpoint, url):
    """Follows redirects until one goes to the app; that URL."""
    with requests.Session() as s:
        for _ in range(8):
            r = s.get(url, allow_redirects=False)
            assert r.status_code == 302, (url, r.status_code, r.text)
            url = urljoin(endpoint + "/", r.headers["Location"])
            if url.startswith(CALLBACK):
                return url
    raise AssertionError("too many redirects")


def test_sign_in_with_google_through_the_preset(idp, endpoint, unique):
    pool_id, client_id = _setup(idp, unique)
    preset = requests.post(
        f"{endpoint}/_emulator/idp/{pool_id}/Google/next",
        json={"sub": "1045", "claims": {"email": "gina@example.com", "name": "Gina"}},
    )
    assert preset.status_code == 200
    assert preset.json()["sub"] == "1045"
    back = _follow(
        endpoint,
        f"{endpoint}/oauth2/authorize?"
        + requests.compat.urlencode(
            {
                "client_id": client_id,
                "response_type": "code",
                "redirect_uri": CALLBACK,
                "scope": "openid email profile",
                "state": "xyz",
                "identity_provider": "Google",
            }
        ),
    )
    q = parse_qs(urlsplit(back).query)
    assert q["state"] == ["xyz"]
    tokens = requests.post(
        f"{endpoint}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": client_id,
            "code": q["code"][0],
            "redirect_uri": CALLBACK,
        },
    ).json()
    id_claims = _claims(tokens["id_token"])
    assert id_claims["cognito:username"] == "Google_1045"
    assert id_claims["email"] == "gina@example.com"
    assert id_claims["identities"][0]["providerName"] == "Google"
    user = idp.admin_get_user(UserPoolId=pool_id, Username="Google_1045")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["name"] == "Gina"
    assert json.loads(attrs["identities"])[0]["userId"] == "1045"


def test_the_preset_endpoint_refuses_bad_input(idp, endpoint, unique):
    pool_id, _ = _setup(idp, unique)
    r = requests.post(f"{endpoint}/_emulator/idp/{pool_id}/Google/next", json={"claims": {}})
    assert (r.status_code, r.json()) == (400, {"error": "sub is required"})
    r = requests.post(f"{endpoint}/_emulator/idp/{pool_id}/Nope/next", json={"sub": "1"})
    assert r.status_code == 404

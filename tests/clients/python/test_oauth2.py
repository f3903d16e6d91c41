"""The OAuth 2.0 endpoints with requests, as a Python backend calls them: client_credentials for a
machine client, then a hosted UI sign-in (authorize, login form, code + PKCE) and userInfo."""

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlsplit

import requests

CALLBACK = "http://localhost:3000/callback"
PASSWORD = "Passw0rd!x"


def _pool(idp, unique):
    pool_id = idp.create_user_pool(PoolName=f"oauth-{unique}")["UserPool"]["Id"]
    idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="api",
        Name="api",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "Read"}],
    )
    return pool_id


def test_client_credentials_with_basic_auth(idp, endpoint, unique):
    pool_id = _pool(idp, unique)
    client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="m2m",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["api/read"],
    )["UserPoolClient"]
    resp = requests.post(
        f"{endpoint}/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "api/read"},
        auth=(client["ClientId"], client["ClientSecret"]),
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    payload = body["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["scope"] == "api/read"
    assert claims["sub"] == client["ClientId"]

    bad = requests.post(
        f"{endpoint}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(client["ClientId"], "wrong"),
        timeout=10,
    )
    assert (bad.status_code, bad.json()) == (400, {"error": "invalid_client"})


def test_hosted_ui_code_grant_with_pkce_and_user_info(idp, endpoint, unique):
    pool_id = _pool(idp, unique)
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": "alice@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": "openid email",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    browser = requests.Session()
    login = browser.get(f"{endpoint}/oauth2/authorize", params=params, timeout=10)
    assert login.status_code == 200 and 'name="password"' in login.text
    done = browser.post(
        login.url, data={"username": "alice", "password": PASSWORD}, allow_redirects=False, timeout=10
    )
    assert done.status_code == 302, done.text
    back = parse_qs(urlsplit(done.headers["Location"]).query)
    assert back["state"] == ["xyz"]

    tokens = requests.post(
        f"{endpoint}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": client_id,
            "code": back["code"][0],
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
        timeout=10,
    ).json()
    assert set(tokens) == {"id_token", "access_token", "refresh_token", "expires_in", "token_type"}

    info = requests.get(
        f"{endpoint}/oauth2/userInfo",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    ).json()
    assert info["email"] == "alice@example.com" and info["username"] == "alice"

    # The session cookie signs the next authorize in without the form.
    again = browser.get(f"{endpoint}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)
    assert again.status_code == 302 and again.headers["Location"].startswith(f"{CALLBACK}?code=")

"""HTTPS (`--tls-port`) through boto3, pycognito and curl, with the emulator's own CA as the trust
root: sign-up, SRP sign-in, NEW_PASSWORD_REQUIRED and GetUser; a client that does not trust the
CA fails the handshake; the AWS host name resolved to 127.0.0.1 verifies; curl completes a
sign-in over HTTP/2.

run.sh starts the emulator with `--tls-port`, a throw-away `--tls-dir` and
`--tls-hostname cognito-idp.us-east-1.amazonaws.com`, and exports COGNITO_EMULATOR_TLS_URL and
COGNITO_EMULATOR_CA (the CA file).
"""

import json
import os
import shutil
import socket
import subprocess
import uuid
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from botocore.exceptions import ClientError, SSLError

pycognito = pytest.importorskip("pycognito")
from pycognito.aws_srp import AWSSRP  # noqa: E402

TLS_URL = os.environ.get("COGNITO_EMULATOR_TLS_URL", "").rstrip("/")
CA = os.environ.get("COGNITO_EMULATOR_CA", "")
AWS_HOST = "cognito-idp.us-east-1.amazonaws.com"
PASSWORD = "Passw0rd!"
NEW_PASSWORD = "N3w-Passw0rd!"

pytestmark = pytest.mark.skipif(
    not TLS_URL or not CA, reason="needs the emulator started with --tls-port (tests/clients/run.sh)"
)


def tls_port():
    return urlsplit(TLS_URL).port


def client(endpoint, **kwargs):
    return boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        **kwargs,
    )


def claims(jwt):
    import base64

    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def pool_and_client(idp):
    pool = idp.create_user_pool(PoolName=f"tls-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="tls",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    return pool, client_id


@pytest.fixture
def aws_host_on_loopback(monkeypatch):
    """What a hosts-file entry does: the AWS host name resolves to 127.0.0.1 (this process only)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        return real("127.0.0.1" if host == AWS_HOST else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_ca_pem_is_served_on_both_listeners_and_is_the_file():
    with open(CA) as f:
        on_disk = f.read()
    plain = os.environ["COGNITO_EMULATOR_URL"].rstrip("/")
    assert requests.get(f"{plain}/_emulator/tls/ca.pem", timeout=10).text == on_disk
    resp = requests.get(f"{TLS_URL}/_emulator/tls/ca.pem", verify=CA, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/x-pem-file"
    assert resp.text == on_disk


def test_boto3_over_https_signs_up_signs_in_with_srp_answers_a_challenge_and_gets_the_user():
    idp = client(TLS_URL, verify=CA)
    pool, client_id = pool_and_client(idp)
    idp.sign_up(
        ClientId=client_id,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    idp.admin_confirm_sign_up(UserPoolId=pool, Username="alice")
    tokens = AWSSRP("alice", PASSWORD, pool, client_id, client=idp).authenticate_user()["AuthenticationResult"]
    # The issuer names the URL the client used.
    assert claims(tokens["AccessToken"])["iss"] == f"{TLS_URL}/{pool}"
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"

    # NEW_PASSWORD_REQUIRED over https.
    idp.admin_create_user(UserPoolId=pool, Username="bob", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    srp = AWSSRP("bob", PASSWORD, pool, client_id, client=idp)
    with pytest.raises(pycognito.exceptions.ForceChangePasswordException):
        srp.authenticate_user()
    done = srp.set_new_password_challenge(NEW_PASSWORD)
    assert idp.get_user(AccessToken=done["AuthenticationResult"]["AccessToken"])["Username"] == "bob"


def test_a_client_that_does_not_trust_the_ca_fails_the_handshake(monkeypatch):
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    idp = client(TLS_URL)
    with pytest.raises(SSLError) as e:
        idp.list_user_pools(MaxResults=1)
    assert "CERTIFICATE_VERIFY_FAILED" in str(e.value)


def test_aws_ca_bundle_is_enough_for_boto3(monkeypatch):
    monkeypatch.setenv("AWS_CA_BUNDLE", CA)
    idp = client(TLS_URL)
    assert "UserPools" in idp.list_user_pools(MaxResults=1)


def test_the_aws_host_name_resolved_to_loopback_signs_in(aws_host_on_loopback):
    # Only the port differs from boto3's own endpoint (443 needs root or a container port map).
    endpoint = f"https://{AWS_HOST}:{tls_port()}"
    idp = client(endpoint, verify=CA)
    pool, client_id = pool_and_client(idp)
    idp.admin_create_user(UserPoolId=pool, Username="carol", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="carol", Password=PASSWORD, Permanent=True)
    tokens = AWSSRP("carol", PASSWORD, pool, client_id, client=idp).authenticate_user()["AuthenticationResult"]
    assert claims(tokens["IdToken"])["iss"] == f"{endpoint}/{pool}"
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "carol"
    # The discovery document names the same host, so a verifier finds the JWKS there.
    doc = requests.get(f"{endpoint}/{pool}/.well-known/openid-configuration", verify=CA, timeout=10).json()
    assert doc["issuer"] == f"{endpoint}/{pool}"
    assert doc["jwks_uri"] == f"{endpoint}/{pool}/.well-known/jwks.json"


def test_pycognito_verifies_tokens_fetched_over_https(monkeypatch):
    # pycognito fetches the JWKS with requests, which reads REQUESTS_CA_BUNDLE.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", CA)
    idp = client(TLS_URL, verify=CA)
    pool, client_id = pool_and_client(idp)
    idp.admin_create_user(UserPoolId=pool, Username="dana", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="dana", Password=PASSWORD, Permanent=True)
    u = pycognito.Cognito(
        pool,
        client_id,
        username="dana",
        boto3_client_kwargs={
            "endpoint_url": TLS_URL,
            "verify": CA,
            "aws_access_key_id": "AKIDTEST",
            "aws_secret_access_key": "secret",
        },
    )
    u.authenticate(password=PASSWORD)
    # Verifies both signatures against the JWKS and iss == endpoint/pool.
    assert u.check_token(renew=False) is False
    assert u.access_claims["username"] == "dana"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_resolve_completes_a_sign_in_over_http2():
    plain = client(os.environ["COGNITO_EMULATOR_URL"])
    pool, client_id = pool_and_client(plain)
    plain.admin_create_user(UserPoolId=pool, Username="erin", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    plain.admin_set_user_password(UserPoolId=pool, Username="erin", Password=PASSWORD, Permanent=True)
    port = tls_port()
    body = json.dumps(
        {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "erin", "PASSWORD": PASSWORD},
        }
    )
    out = subprocess.run(
        [
            "curl", "-sS", "--http2",
            "--resolve", f"{AWS_HOST}:{port}:127.0.0.1",
            "--cacert", CA,
            "-H", "content-type: application/x-amz-json-1.1",
            "-H", "x-amz-target: AWSCognitoIdentityProviderService.InitiateAuth",
            "--data-binary", body,
            "-w", "\n%{http_version} %{http_code}",
            f"https://{AWS_HOST}:{port}/",
        ],
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout
    answer, status = out.rsplit("\n", 1)
    assert status == "2 200", out
    tokens = json.loads(answer)["AuthenticationResult"]
    assert claims(tokens["AccessToken"])["iss"] == f"https://{AWS_HOST}:{port}/{pool}"

    # Without the CA, curl refuses the certificate (exit 60: peer certificate cannot be authenticated).
    refused = subprocess.run(
        ["curl", "-sS", "--resolve", f"{AWS_HOST}:{port}:127.0.0.1", f"https://{AWS_HOST}:{port}/_emulator/health"],
        capture_output=True, text=True, timeout=30,
    )
    assert refused.returncode == 60, refused.stderr


def test_a_token_minted_over_https_is_good_over_http():
    tls = client(TLS_URL, verify=CA)
    plain = client(os.environ["COGNITO_EMULATOR_URL"])
    pool, client_id = pool_and_client(tls)
    tls.admin_create_user(UserPoolId=pool, Username="finn", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    tls.admin_set_user_password(UserPoolId=pool, Username="finn", Password=PASSWORD, Permanent=True)
    tokens = tls.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "finn", "PASSWORD": PASSWORD}
    )["AuthenticationResult"]
    assert plain.get_user(AccessToken=tokens["AccessToken"])["Username"] == "finn"
    # The signature is still checked: a token with a broken one is refused.
    with pytest.raises(ClientError) as e:
        plain.get_user(AccessToken=tokens["AccessToken"][:-4] + "AAAA")
    assert e.value.response["Error"]["Code"] == "NotAuthorizedException"

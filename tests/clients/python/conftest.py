"""Shared fixtures for the Python client suites.

run.sh starts the emulator and exports COGNITO_EMULATOR_URL (default http://127.0.0.1:9229).
Every test makes its own pool, so tests do not depend on each other or on their order.

Fixtures: `endpoint` (base URL), `idp` / `cognito` (boto3 cognito-idp client), `unique` (a fresh
suffix for names), `emulator` (the /_emulator endpoints: `messages(**filters)`, `last_code(username,
purpose=None)`, `advance_clock(seconds)`), `pool_id` / `client_id` (a fresh pool and public client).
"""

import os
import uuid

import boto3
import pytest
import requests

ENDPOINT = os.environ.get("COGNITO_EMULATOR_URL", "http://127.0.0.1:9229").rstrip("/")
REGION = "us-east-1"

# Admin operations are SigV4-signed client side, so boto3 needs some credentials; any will do.
# Set them in the environment too, for clients that build their own boto3 client (pycognito).
os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIDTEST")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "secret")
os.environ.setdefault("AWS_DEFAULT_REGION", REGION)


@pytest.fixture(scope="session")
def endpoint():
    return ENDPOINT


@pytest.fixture(scope="session")
def idp():
    """boto3 pointed at the emulator, as the README shows."""
    return boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=ENDPOINT,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
    )


@pytest.fixture(scope="session")
def cognito(idp):
    return idp


@pytest.fixture
def unique():
    return uuid.uuid4().hex[:12]


class Emulator:
    """The emulator's own endpoints (README, "Emulator endpoints")."""

    def __init__(self, url):
        self.url = url

    def messages(self, **filters):
        """The outbox, oldest first; filters as the endpoint names them:
        messages(userPoolId=pool, username="alice", purpose="SIGN_UP", channel="EMAIL")."""
        resp = requests.get(f"{self.url}/_emulator/messages", params=filters, timeout=10)
        resp.raise_for_status()
        return resp.json()["messages"]

    def last_code(self, username, purpose=None, **filters):
        """The code of the newest message to `username` (of `purpose`, if given), or None."""
        if purpose:
            filters["purpose"] = purpose
        for m in reversed(self.messages(username=username, **filters)):
            if m.get("code"):
                return m["code"]
        return None

    def clear_messages(self):
        requests.delete(f"{self.url}/_emulator/messages", timeout=10).raise_for_status()

    def advance_clock(self, seconds):
        """Moves the emulator's clock for every test of the run: reset it when done."""
        resp = requests.post(f"{self.url}/_emulator/clock", json={"advanceSeconds": seconds}, timeout=10)
        resp.raise_for_status()
        return resp.json()["now"]

    def reset_clock(self):
        requests.post(f"{self.url}/_emulator/clock", json={"reset": True}, timeout=10).raise_for_status()


@pytest.fixture(scope="session")
def emulator():
    return Emulator(ENDPOINT)


@pytest.fixture
def messages(emulator):
    return emulator.messages


@pytest.fixture
def pool_id(idp, unique):
    pool = idp.create_user_pool(PoolName="py-" + unique)["UserPool"]
    yield pool["Id"]
    try:
        idp.delete_user_pool(UserPoolId=pool["Id"])
    except idp.exceptions.ResourceNotFoundException:
        pass


@pytest.fixture
def client_id(idp, pool_id):
    resp = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="py-client",
        ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        ],
    )
    return resp["UserPoolClient"]["ClientId"]

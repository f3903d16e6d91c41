"""Fault rules (/_emulator/faults) as boto3 sees them: botocore's standard retry mode retries an
injected TooManyRequestsException, and injected latency shows in the client's timing."""

import time

import boto3
import pytest
import requests
from botocore.config import Config

from conftest import ENDPOINT, REGION


@pytest.fixture
def rules(endpoint):
    """Adds rules; removes them after the test (the emulator is shared by the whole run)."""
    added = []

    def add(rule):
        resp = requests.post(f"{endpoint}/_emulator/faults", json=rule, timeout=10)
        assert resp.status_code == 201, resp.text
        added.append(resp.json()["id"])
        return resp.json()

    yield add
    for rule_id in added:
        requests.delete(f"{endpoint}/_emulator/faults/{rule_id}", timeout=10)


def standard_retry_client():
    return boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=ENDPOINT,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        config=Config(retries={"mode": "standard", "max_attempts": 3}),
    )


def signed_up_user(idp, pool_id, username, password):
    idp.admin_create_user(
        UserPoolId=pool_id, Username=username, TemporaryPassword=password, MessageAction="SUPPRESS"
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)


def test_standard_retry_mode_succeeds_on_the_third_attempt(idp, pool_id, client_id, rules, endpoint):
    signed_up_user(idp, pool_id, "alice", "Passw0rd!")
    rule = rules(
        {
            "operation": "InitiateAuth",
            "clientId": client_id,
            "error": {"type": "TooManyRequestsException"},
            "count": 2,
        }
    )
    resp = standard_retry_client().initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
    )
    assert resp["ResponseMetadata"]["RetryAttempts"] == 2
    assert "AccessToken" in resp["AuthenticationResult"]
    listed = requests.get(f"{endpoint}/_emulator/faults", timeout=10).json()["faults"]
    mine = next(r for r in listed if r["id"] == rule["id"])
    assert (mine["hits"], mine["remaining"]) == (2, 0)


def test_without_retries_the_injected_error_reaches_the_caller(idp, pool_id, client_id, rules):
    signed_up_user(idp, pool_id, "bob", "Passw0rd!")
    rules({"operation": "InitiateAuth", "clientId": client_id, "error": {"type": "TooManyRequestsException"}})
    no_retry = boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=ENDPOINT,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    with pytest.raises(no_retry.exceptions.TooManyRequestsException) as err:
        no_retry.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "bob", "PASSWORD": "Passw0rd!"},
        )
    assert err.value.response["Error"] == {"Code": "TooManyRequestsException", "Message": "Rate exceeded"}
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_latency_is_measurable_from_the_client(idp, pool_id, rules):
    rules({"operation": "DescribeUserPool", "userPoolId": pool_id, "latencyMs": 600, "count": 1})
    started = time.monotonic()
    idp.describe_user_pool(UserPoolId=pool_id)
    assert time.monotonic() - started >= 0.6
    started = time.monotonic()
    idp.describe_user_pool(UserPoolId=pool_id)
    assert time.monotonic() - started < 0.6

"""Remembered devices through boto3 (ConfirmDevice and the Admin device operations, with Cognito's
error texts) and pycognito's device SRP (`AWSSRP(device_key=..., device_group_key=...,
device_password=...)`, which answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER without a
Session and reuses its SRP a).

The device verifier is pycognito's `generate_hash_device`, the maths every SDK uses. Every test
makes its own pool; none moves the shared clock (the TIMESTAMP comes from the machine's clock).
"""

import base64
import json

import pytest
from botocore.exceptions import ClientError

aws_srp = pytest.importorskip("pycognito.aws_srp")

PASSWORD = "Passw0rd!"
NOT_FOUND = ("ResourceNotFoundException", "Device does not exist.")


def error(exc_info):
    e = exc_info.value.response["Error"]
    return e["Code"], e["Message"]


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture
def tracked(idp, unique):
    """A pool that remembers devices on the user's prompt, a client, and a confirmed user alice."""
    pool = idp.create_user_pool(
        PoolName="py-devices-" + unique,
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True},
    )["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="py-devices",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="alice", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="alice", Password=PASSWORD, Permanent=True)
    yield pool, client
    idp.delete_user_pool(UserPoolId=pool)


def new_device(idp, client, name="laptop"):
    """USER_PASSWORD_AUTH, then ConfirmDevice as pycognito's confirm_device builds it."""
    result = idp.initiate_auth(
        ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}
    )["AuthenticationResult"]
    meta = result["NewDeviceMetadata"]
    password, config = aws_srp.generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    confirmed = idp.confirm_device(
        AccessToken=result["AccessToken"],
        DeviceKey=meta["DeviceKey"],
        DeviceName=name,
        DeviceSecretVerifierConfig=config,
    )
    assert confirmed["UserConfirmationNecessary"] is True
    return meta["DeviceKey"], meta["DeviceGroupKey"], password, result


def attributes(device):
    return {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}


def test_boto3_admin_device_operations(idp, tracked):
    pool, client = tracked
    key, _, _, result = new_device(idp, client)
    assert claims(result["AccessToken"])["device_key"] == key

    devices = idp.admin_list_devices(UserPoolId=pool, Username="alice")["Devices"]
    assert [d["DeviceKey"] for d in devices] == [key]
    attrs = attributes(devices[0])
    assert attrs["device_name"] == "laptop"
    assert attrs["device_status"] == "valid"
    assert attrs["dev:device_remembered_status"] == "not_remembered"
    assert devices[0]["DeviceCreateDate"].year >= 2024

    idp.admin_update_device_status(
        UserPoolId=pool, Username="alice", DeviceKey=key, DeviceRememberedStatus="remembered"
    )
    got = idp.admin_get_device(UserPoolId=pool, Username="alice", DeviceKey=key)["Device"]
    assert attributes(got)["dev:device_remembered_status"] == "remembered"
    # Remembered now: the user's own ListDevices shows it.
    own = idp.list_devices(AccessToken=result["AccessToken"])["Devices"]
    assert [d["DeviceKey"] for d in own] == [key]

    idp.admin_forget_device(UserPoolId=pool, Username="alice", DeviceKey=key)
    assert idp.admin_list_devices(UserPoolId=pool, Username="alice")["Devices"] == []
    for call in (
        lambda: idp.admin_get_device(UserPoolId=pool, Username="alice", DeviceKey=key),
        lambda: idp.admin_forget_device(UserPoolId=pool, Username="alice", DeviceKey=key),
        lambda: idp.admin_update_device_status(
            UserPoolId=pool, Username="alice", DeviceKey=key, DeviceRememberedStatus="remembered"
        ),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert error(e) == NOT_FOUND
    with pytest.raises(idp.exceptions.UserNotFoundException) as e:
        idp.admin_list_devices(UserPoolId=pool, Username="nobody")
    assert error(e) == ("UserNotFoundException", "User does not exist.")


def test_boto3_refresh_is_bound_to_the_device(idp, tracked):
    _, client = tracked
    key, _, _, result = new_device(idp, client)
    refresh = result["RefreshToken"]
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh})
    assert error(e) == ("NotAuthorizedException", "Invalid Refresh Token.")
    again = idp.initiate_auth(
        ClientId=client,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh, "DEVICE_KEY": key},
    )["AuthenticationResult"]
    assert claims(again["AccessToken"])["device_key"] == key


def test_an_unknown_device_key_gets_device_does_not_exist(idp, tracked):
    _, client = tracked
    with pytest.raises(idp.exceptions.ResourceNotFoundException) as e:
        idp.initiate_auth(
            ClientId=client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": "alice",
                "PASSWORD": PASSWORD,
                "DEVICE_KEY": "us-east-1_00000000-0000-4000-8000-000000000000",
            },
        )
    assert error(e) == NOT_FOUND


def test_pycognito_device_srp_signs_in_with_the_remembered_device(idp, tracked):
    pool, client = tracked
    key, group, password, _ = new_device(idp, client)
    srp = aws_srp.AWSSRP(
        username="alice",
        password=PASSWORD,
        pool_id=pool,
        client_id=client,
        client=idp,
        device_key=key,
        device_group_key=group,
        device_password=password,
    )
    tokens = srp.authenticate_user()["AuthenticationResult"]
    assert "NewDeviceMetadata" not in tokens
    assert claims(tokens["AccessToken"])["device_key"] == key
    last = idp.admin_get_device(UserPoolId=pool, Username="alice", DeviceKey=key)["Device"]
    assert "DeviceLastAuthenticatedDate" in last

    # A wrong device password fails the DEVICE_PASSWORD_VERIFIER step with Cognito's text.
    wrong = aws_srp.AWSSRP(
        username="alice",
        password=PASSWORD,
        pool_id=pool,
        client_id=client,
        client=idp,
        device_key=key,
        device_group_key=group,
        device_password="not-the-device-password",
    )
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        wrong.authenticate_user()
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")

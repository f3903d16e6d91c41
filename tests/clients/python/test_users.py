"""boto3 against the emulator: sign-up and confirmation, AdminCreateUser, ListUsers filters, groups.

Run by tests/clients/run.sh (or `COGNITO_EMULATOR_URL=http://127.0.0.1:9229 pytest` with an
emulator running). Every test creates its own pool.
"""

import base64
import hashlib
import hmac
import uuid

import pytest
from botocore.exceptions import ClientError


def error(exc_info):
    e = exc_info.value.response["Error"]
    return e["Code"], e["Message"]


def secret_hash(secret, username, client_id):
    mac = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


@pytest.fixture
def pool(idp, unique):
    return idp.create_user_pool(PoolName="py-" + unique, AutoVerifiedAttributes=["email"])["UserPool"]["Id"]


@pytest.fixture
def client_id(idp, pool):
    return idp.create_user_pool_client(UserPoolId=pool, ClientName="py")["UserPoolClient"]["ClientId"]


def test_sign_up_and_confirm_with_the_code_from_the_outbox(idp, emulator, pool, client_id):
    out = idp.sign_up(
        ClientId=client_id,
        Username="jane",
        Password="Passw0rd!",
        UserAttributes=[{"Name": "email", "Value": "jane@example.com"}],
    )
    assert out["UserConfirmed"] is False
    uuid.UUID(out["UserSub"])
    assert out["CodeDeliveryDetails"] == {
        "Destination": "j***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert len(out["Session"]) >= 20

    messages = emulator.messages(userPoolId=pool, username="jane")
    assert [m["purpose"] for m in messages] == ["SIGN_UP"]
    code = messages[0]["code"]
    assert len(code) == 6 and code.isdigit()

    with pytest.raises(ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="jane", ConfirmationCode="000000" if code != "000000" else "111111")
    assert error(e) == ("CodeMismatchException", "Invalid verification code provided, please try again.")

    confirmed = idp.confirm_sign_up(ClientId=client_id, Username="jane", ConfirmationCode=code, Session=out["Session"])
    assert len(confirmed["Session"]) >= 20
    user = idp.admin_get_user(UserPoolId=pool, Username="jane")
    assert user["UserStatus"] == "CONFIRMED"
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["email_verified"] == "true"
    assert user["UserAttributes"][0]["Name"] == "sub"

    with pytest.raises(ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="jane", ConfirmationCode=code)
    assert error(e) == ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")


def test_sign_up_errors_have_cognitos_texts(idp, pool, client_id):
    idp.sign_up(ClientId=client_id, Username="taken", Password="Passw0rd!")
    with pytest.raises(ClientError) as e:
        idp.sign_up(ClientId=client_id, Username="taken", Password="Passw0rd!")
    assert error(e) == ("UsernameExistsException", "User already exists")

    with pytest.raises(ClientError) as e:
        idp.sign_up(ClientId=client_id, Username="weak", Password="password")
    assert error(e) == (
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have uppercase characters",
    )

    with pytest.raises(ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="ghost", ConfirmationCode="123456")
    assert error(e) == ("UserNotFoundException", "Username/client id combination not found.")


def test_a_confidential_client_needs_the_secret_hash(idp, emulator, pool):
    c = idp.create_user_pool_client(UserPoolId=pool, ClientName="secret", GenerateSecret=True)["UserPoolClient"]
    cid, secret = c["ClientId"], c["ClientSecret"]
    with pytest.raises(ClientError) as e:
        idp.sign_up(ClientId=cid, Username="sam", Password="Passw0rd!")
    assert error(e) == ("NotAuthorizedException", f"Client {cid} is configured for secret but secret was not received")
    with pytest.raises(ClientError) as e:
        idp.sign_up(ClientId=cid, Username="sam", Password="Passw0rd!", SecretHash=secret_hash(secret, "other", cid))
    assert error(e) == ("NotAuthorizedException", f"Unable to verify secret hash for client {cid}")
    idp.sign_up(
        ClientId=cid,
        Username="sam",
        Password="Passw0rd!",
        SecretHash=secret_hash(secret, "sam", cid),
        UserAttributes=[{"Name": "email", "Value": "sam@example.com"}],
    )
    code = emulator.last_code("sam", "SIGN_UP")
    idp.confirm_sign_up(ClientId=cid, Username="sam", ConfirmationCode=code, SecretHash=secret_hash(secret, "sam", cid))


def test_resend_confirmation_code_replaces_the_code(idp, emulator, pool, client_id):
    idp.sign_up(
        ClientId=client_id,
        Username="rex",
        Password="Passw0rd!",
        UserAttributes=[{"Name": "email", "Value": "rex@example.com"}],
    )
    out = idp.resend_confirmation_code(ClientId=client_id, Username="rex")
    assert out["CodeDeliveryDetails"]["Destination"] == "r***@e***"
    code = emulator.last_code("rex", "RESEND_CONFIRMATION")
    idp.confirm_sign_up(ClientId=client_id, Username="rex", ConfirmationCode=code)
    with pytest.raises(ClientError) as e:
        idp.resend_confirmation_code(ClientId=client_id, Username="rex")
    assert error(e) == ("InvalidParameterException", "User is already confirmed.")


def test_admin_create_user_invites_and_can_be_suppressed(idp, emulator, pool):
    out = idp.admin_create_user(
        UserPoolId=pool,
        Username="ann",
        TemporaryPassword="Temp0rary!",
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}, {"Name": "email_verified", "Value": "true"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    user = out["User"]
    assert user["Username"] == "ann"
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert user["Enabled"] is True
    invitation = emulator.messages(userPoolId=pool, username="ann")
    assert [m["purpose"] for m in invitation] == ["INVITATION"]
    assert invitation[0]["code"] is None
    assert "Temp0rary!" in invitation[0]["body"]

    idp.admin_create_user(UserPoolId=pool, Username="quiet", MessageAction="SUPPRESS")
    assert emulator.messages(userPoolId=pool, username="quiet") == []

    with pytest.raises(ClientError) as e:
        idp.admin_create_user(UserPoolId=pool, Username="ann")
    assert error(e) == ("UsernameExistsException", "User account already exists")

    with pytest.raises(ClientError) as e:
        idp.admin_create_user(UserPoolId=pool, Username="bad", TemporaryPassword="short")
    assert error(e) == (
        "InvalidPasswordException",
        "Password did not conform with password policy: Password not long enough",
    )

    idp.admin_set_user_password(UserPoolId=pool, Username="ann", Password="Passw0rd!", Permanent=True)
    with pytest.raises(ClientError) as e:
        idp.admin_create_user(UserPoolId=pool, Username="ann", MessageAction="RESEND")
    assert error(e) == ("UnsupportedUserStateException", "Resend not possible. ann status is not FORCE_CHANGE_PASSWORD")

    with pytest.raises(ClientError) as e:
        idp.admin_get_user(UserPoolId=pool, Username="nobody")
    assert error(e) == ("UserNotFoundException", "User does not exist.")


def test_list_users_filters(idp, pool):
    for name, given in [("alice", "Alice"), ("alfred", "Alfred"), ("bob", "Bob")]:
        idp.admin_create_user(
            UserPoolId=pool,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "given_name", "Value": given}],
        )
    idp.admin_disable_user(UserPoolId=pool, Username="bob")

    def names(flt):
        return sorted(u["Username"] for u in idp.list_users(UserPoolId=pool, Filter=flt)["Users"])

    assert names("") == ["alfred", "alice", "bob"]
    assert names('username = "bob"') == ["bob"]
    assert names('given_name ^= "Al"') == ["alfred", "alice"]
    assert names('status = "Disabled"') == ["bob"]
    assert names('cognito:user_status = "FORCE_CHANGE_PASSWORD"') == ["alfred", "alice", "bob"]

    with pytest.raises(ClientError) as e:
        idp.list_users(UserPoolId=pool, Filter="username = foo")
    assert error(e) == ("InvalidParameterException", "Error while parsing filter")
    with pytest.raises(ClientError) as e:
        idp.list_users(UserPoolId=pool, Filter='custom:foo = "bar"')
    assert error(e) == ("InvalidParameterException", "Invalid search attribute: custom:foo")

    page = idp.list_users(UserPoolId=pool, Limit=2)
    rest = idp.list_users(UserPoolId=pool, Limit=2, PaginationToken=page["PaginationToken"])
    assert len(page["Users"]) == 2 and len(rest["Users"]) == 1
    assert "PaginationToken" not in rest

    only = idp.list_users(UserPoolId=pool, AttributesToGet=["given_name"])["Users"]
    assert all([a["Name"] for a in u["Attributes"]] == ["given_name"] for u in only)

    # boto3's paginator follows PaginationToken.
    paged = [u["Username"] for p in idp.get_paginator("list_users").paginate(UserPoolId=pool, Limit=1) for u in p["Users"]]
    assert sorted(paged) == ["alfred", "alice", "bob"]


def test_groups_and_memberships(idp, pool):
    g = idp.create_group(UserPoolId=pool, GroupName="admins", Description="Admins", Precedence=1)["Group"]
    assert g["GroupName"] == "admins" and g["Precedence"] == 1
    with pytest.raises(ClientError) as e:
        idp.create_group(UserPoolId=pool, GroupName="admins")
    assert error(e) == ("GroupExistsException", "A group with the name admins already exists.")
    idp.create_group(UserPoolId=pool, GroupName="readers")

    idp.admin_create_user(UserPoolId=pool, Username="gus", MessageAction="SUPPRESS")
    idp.admin_add_user_to_group(UserPoolId=pool, Username="gus", GroupName="admins")
    idp.admin_add_user_to_group(UserPoolId=pool, Username="gus", GroupName="readers")
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username="gus")["Groups"]
    assert [g["GroupName"] for g in groups] == ["admins", "readers"]
    members = idp.list_users_in_group(UserPoolId=pool, GroupName="admins")["Users"]
    assert [u["Username"] for u in members] == ["gus"]

    idp.admin_remove_user_from_group(UserPoolId=pool, Username="gus", GroupName="admins")
    assert idp.list_users_in_group(UserPoolId=pool, GroupName="admins")["Users"] == []

    idp.update_group(UserPoolId=pool, GroupName="readers", Precedence=7)
    assert idp.get_group(UserPoolId=pool, GroupName="readers")["Group"]["Precedence"] == 7
    assert [g["GroupName"] for g in idp.list_groups(UserPoolId=pool)["Groups"]] == ["admins", "readers"]

    idp.delete_group(UserPoolId=pool, GroupName="admins")
    with pytest.raises(ClientError) as e:
        idp.get_group(UserPoolId=pool, GroupName="admins")
    assert error(e) == ("ResourceNotFoundException", "Group not found.")

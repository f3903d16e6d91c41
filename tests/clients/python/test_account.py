"""boto3 against the emulator: the account lifecycle's administrator operations (reset, attribute
deletion, auth events) and the self-service reset and verification they lead to.

Run by tests/clients/run.sh (or `COGNITO_EMULATOR_URL=http://127.0.0.1:9229 pytest` with an
emulator running). Every test creates its own pool.
"""

import pytest
from botocore.exceptions import ClientError

PASSWORD = "Passw0rd!"
NEW_PASSWORD = "N3w-Passw0rd!"


def error(exc_info):
    e = exc_info.value.response["Error"]
    return e["Code"], e["Message"]


@pytest.fixture
def pool(idp, unique):
    return idp.create_user_pool(
        PoolName="py-account-" + unique,
        AliasAttributes=["email"],
        AutoVerifiedAttributes=["email"],
    )["UserPool"]["Id"]


@pytest.fixture
def client_id(idp, pool):
    return idp.create_user_pool_client(
        UserPoolId=pool, ClientName="py", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]


def confirmed_user(idp, pool, username, verified=True):
    attrs = [{"Name": "email", "Value": f"{username}@example.com"}, {"Name": "locale", "Value": "en"}]
    if verified:
        attrs.append({"Name": "email_verified", "Value": "true"})
    idp.admin_create_user(
        UserPoolId=pool, Username=username, MessageAction="SUPPRESS", TemporaryPassword=PASSWORD, UserAttributes=attrs
    )
    idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True)


def sign_in(idp, client_id, username, password):
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )["AuthenticationResult"]["AccessToken"]


def test_admin_reset_user_password_then_the_user_resets_with_the_code(idp, emulator, pool, client_id):
    confirmed_user(idp, pool, "jane")
    idp.admin_reset_user_password(UserPoolId=pool, Username="jane")
    assert idp.admin_get_user(UserPoolId=pool, Username="jane")["UserStatus"] == "RESET_REQUIRED"
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id, "jane", PASSWORD)
    assert error(e) == ("PasswordResetRequiredException", "Password reset required for the user")

    code = emulator.last_code("jane", "FORGOT_PASSWORD", userPoolId=pool)
    with pytest.raises(ClientError) as e:
        idp.confirm_forgot_password(ClientId=client_id, Username="jane", ConfirmationCode=code, Password="weak")
    assert error(e) == ("InvalidPasswordException", "Password does not conform to policy: Password not long enough")
    idp.confirm_forgot_password(ClientId=client_id, Username="jane", ConfirmationCode=code, Password=NEW_PASSWORD)
    assert idp.admin_get_user(UserPoolId=pool, Username="jane")["UserStatus"] == "CONFIRMED"
    assert sign_in(idp, client_id, "jane@example.com", NEW_PASSWORD)

    with pytest.raises(ClientError) as e:
        idp.admin_reset_user_password(UserPoolId=pool, Username="nobody")
    assert error(e) == ("UserNotFoundException", "User does not exist.")


def test_forgot_password_without_a_verified_address_and_its_hourly_limit(idp, pool, client_id):
    confirmed_user(idp, pool, "unverified", verified=False)
    with pytest.raises(ClientError) as e:
        idp.forgot_password(ClientId=client_id, Username="unverified")
    assert error(e) == (
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )
    confirmed_user(idp, pool, "jane")
    for _ in range(5):
        out = idp.forgot_password(ClientId=client_id, Username="jane")
        assert out["CodeDeliveryDetails"] == {"Destination": "j***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    with pytest.raises(ClientError) as e:
        idp.forgot_password(ClientId=client_id, Username="jane")
    assert error(e) == ("LimitExceededException", "Attempt limit exceeded, please try after some time.")


def test_admin_delete_user_attributes_and_self_service_verification(idp, emulator, pool, client_id):
    confirmed_user(idp, pool, "jane", verified=False)
    token = sign_in(idp, client_id, "jane", PASSWORD)
    out = idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert out["CodeDeliveryDetails"]["Destination"] == "j***@e***"
    code = emulator.last_code("jane", "VERIFY_ATTRIBUTE", userPoolId=pool)
    with pytest.raises(ClientError) as e:
        idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code="000000" if code != "000000" else "111111")
    assert error(e) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    attrs = {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=token)["UserAttributes"]}
    assert attrs["email_verified"] == "true"

    idp.admin_delete_user_attributes(UserPoolId=pool, Username="jane@example.com", UserAttributeNames=["locale", "email"])
    attrs = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool, Username="jane")["UserAttributes"]}
    assert "locale" not in attrs and "email" not in attrs and "email_verified" not in attrs
    with pytest.raises(ClientError) as e:
        idp.admin_delete_user_attributes(UserPoolId=pool, Username="jane", UserAttributeNames=["sub"])
    assert error(e) == (
        "InvalidParameterException",
        "user.sub: Attribute cannot be updated. (changing an immutable attribute)\n",
    )


def test_auth_events_need_the_threat_protection_add_on(idp, unique, pool):
    confirmed_user(idp, pool, "jane")
    with pytest.raises(idp.exceptions.UserPoolAddOnNotEnabledException):
        idp.admin_list_user_auth_events(UserPoolId=pool, Username="jane")
    with pytest.raises(idp.exceptions.UserPoolAddOnNotEnabledException):
        idp.admin_update_auth_event_feedback(UserPoolId=pool, Username="jane", EventId="e1", FeedbackValue="Valid")

    audited = idp.create_user_pool(PoolName="py-audit-" + unique, UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    audited = audited["UserPool"]["Id"]
    confirmed_user(idp, audited, "jane")
    assert idp.admin_list_user_auth_events(UserPoolId=audited, Username="jane")["AuthEvents"] == []
    client = idp.create_user_pool_client(
        UserPoolId=audited, ClientName="py", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )
    sign_in(idp, client["UserPoolClient"]["ClientId"], "jane", PASSWORD)
    (event,) = idp.admin_list_user_auth_events(UserPoolId=audited, Username="jane")["AuthEvents"]
    assert event["EventType"] == "SignIn" and event["EventResponse"] == "Pass"
    assert event["ChallengeResponses"] == [{"ChallengeName": "Password", "ChallengeResponse": "Success"}]
    idp.admin_update_auth_event_feedback(UserPoolId=audited, Username="jane", EventId=event["EventId"], FeedbackValue="Valid")
    (event,) = idp.admin_list_user_auth_events(UserPoolId=audited, Username="jane")["AuthEvents"]
    assert event["EventFeedback"]["FeedbackValue"] == "Valid" and event["EventFeedback"]["Provider"] == "Admin"
    idp.delete_user_pool(UserPoolId=audited)

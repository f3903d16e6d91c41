"""MFA through boto3's admin operations: AdminInitiateAuth / AdminRespondToAuthChallenge reaching
SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and MFA_SETUP (software token through
AssociateSoftwareToken / VerifySoftwareToken with the Session), AdminSetUserMFAPreference,
AdminSetUserSettings and AdminGetUser's MFA members, each with Cognito's exact names and texts.

Run by tests/clients/run.sh. Every test makes its own pool. No test moves the shared clock: TOTP
codes are computed (RFC 6238) at the emulator clock's time, read from /_emulator/clock.
"""

import base64
import hashlib
import hmac
import struct
from datetime import datetime

import pytest
import requests
from botocore.exceptions import ClientError

PASSWORD = "Passw0rd!"
PHONE = "+12065551234"
WRONG_CODE = ("CodeMismatchException", "Invalid code or auth state for the user.")


def error(exc_info):
    e = exc_info.value.response["Error"]
    return e["Code"], e["Message"]


def totp_at_step(secret, step):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[19] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1_000_000)


class Totp:
    """Codes for one secret, each of a step not used before (Cognito accepts a code once)."""

    def __init__(self, endpoint, secret):
        self.endpoint = endpoint
        self.secret = secret
        self.last = None

    def next(self):
        now = requests.get(f"{self.endpoint}/_emulator/clock", timeout=10).json()["now"]
        current = int(datetime.fromisoformat(now.replace("Z", "+00:00")).timestamp()) // 30
        step = current if self.last is None else max(current, self.last + 1)
        assert step <= current + 1, "no unused step left in the window"
        self.last = step
        return totp_at_step(self.secret, step)


class Pool:
    def __init__(self, idp, unique, level, factors):
        self.idp = idp
        self.id = idp.create_user_pool(PoolName="py-mfa-" + unique)["UserPool"]["Id"]
        self.client = idp.create_user_pool_client(
            UserPoolId=self.id,
            ClientName="py-mfa",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        cfg = {
            "UserPoolId": self.id,
            "MfaConfiguration": level,
            "SoftwareTokenMfaConfiguration": {"Enabled": "TOTP" in factors},
        }
        if "SMS" in factors:
            cfg["SmsMfaConfiguration"] = {"SmsAuthenticationMessage": "Your code is {####}"}
        if "EMAIL" in factors:
            cfg["EmailMfaConfiguration"] = {}
        echoed = idp.set_user_pool_mfa_config(**cfg)
        assert echoed["MfaConfiguration"] == level

    def user(self, username, **attrs):
        self.idp.admin_create_user(
            UserPoolId=self.id,
            Username=username,
            TemporaryPassword=PASSWORD,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
        )
        self.idp.admin_set_user_password(UserPoolId=self.id, Username=username, Password=PASSWORD, Permanent=True)

    def sign_in(self, username):
        return self.idp.admin_initiate_auth(
            UserPoolId=self.id,
            ClientId=self.client,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )

    def respond(self, challenge, session, **answers):
        return self.idp.admin_respond_to_auth_challenge(
            UserPoolId=self.id,
            ClientId=self.client,
            ChallengeName=challenge,
            Session=session,
            ChallengeResponses=answers,
        )


@pytest.fixture
def make_pool(idp, unique):
    return lambda level, factors: Pool(idp, unique, level, factors)


def test_admin_sms_mfa_with_an_outbox_code(make_pool, emulator):
    p = make_pool("ON", ["SMS", "TOTP"])
    p.user("alice", phone_number=PHONE)
    r = p.sign_in("alice")
    assert r["ChallengeName"] == "SMS_MFA"
    assert r["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
        "CODE_DELIVERY_DESTINATION": "+*******1234",
        "USER_ID_FOR_SRP": "alice",
        "USERNAME": "alice",
    }
    assert len(r["Session"]) >= 20
    msg = emulator.messages(userPoolId=p.id, username="alice", purpose="MFA")[-1]
    assert (msg["channel"], msg["destination"]) == ("SMS", PHONE)
    assert msg["body"] == "Your code is " + msg["code"]
    with pytest.raises(ClientError) as e:
        p.respond("SMS_MFA", r["Session"], USERNAME="alice", SMS_MFA_CODE="000000")
    assert error(e) == WRONG_CODE
    with pytest.raises(ClientError) as e:
        p.respond("SMS_MFA", r["Session"], USERNAME="alice")
    assert error(e) == ("InvalidParameterException", "Missing required parameter SMS_MFA_CODE")
    done = p.respond("SMS_MFA", r["Session"], USERNAME="alice", SMS_MFA_CODE=msg["code"])
    assert done["AuthenticationResult"]["TokenType"] == "Bearer"
    assert done["ChallengeParameters"] == {}
    with pytest.raises(ClientError) as e:
        p.respond("SMS_MFA", r["Session"], USERNAME="alice", SMS_MFA_CODE=msg["code"])
    assert error(e) == ("NotAuthorizedException", "Invalid session for the user, session can only be used once.")


def test_three_wrong_codes_end_the_session(make_pool, emulator):
    p = make_pool("ON", ["SMS"])
    p.user("alice", phone_number=PHONE)
    r = p.sign_in("alice")
    code = emulator.last_code("alice", purpose="MFA", userPoolId=p.id)
    for _ in range(3):
        with pytest.raises(ClientError) as e:
            p.respond("SMS_MFA", r["Session"], USERNAME="alice", SMS_MFA_CODE="000000")
        assert error(e) == WRONG_CODE
    with pytest.raises(ClientError) as e:
        p.respond("SMS_MFA", r["Session"], USERNAME="alice", SMS_MFA_CODE=code)
    assert error(e) == ("NotAuthorizedException", "Invalid session for the user.")


def test_admin_preferences_settings_and_select_mfa_type(idp, make_pool, emulator):
    p = make_pool("OPTIONAL", ["SMS", "EMAIL"])
    p.user("alice", email="alice@example.com", phone_number=PHONE)
    assert "UserMFASettingList" not in idp.admin_get_user(UserPoolId=p.id, Username="alice")
    idp.admin_set_user_settings(
        UserPoolId=p.id, Username="alice", MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    )
    idp.admin_set_user_mfa_preference(UserPoolId=p.id, Username="alice", EmailMfaSettings={"Enabled": True})
    u = idp.admin_get_user(UserPoolId=p.id, Username="alice")
    assert u["UserMFASettingList"] == ["SMS_MFA", "EMAIL_OTP"]
    assert u["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    assert "PreferredMfaSetting" not in u
    with pytest.raises(ClientError) as e:
        idp.admin_set_user_mfa_preference(
            UserPoolId=p.id, Username="alice", SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
        )
    assert error(e) == (
        "InvalidParameterException",
        "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA",
    )

    r = p.sign_in("alice")
    assert r["ChallengeName"] == "SELECT_MFA_TYPE"
    assert r["ChallengeParameters"]["MFAS_CAN_CHOOSE"] == '["SMS_MFA","EMAIL_OTP"]'
    r = p.respond("SELECT_MFA_TYPE", r["Session"], USERNAME="alice", ANSWER="EMAIL_OTP")
    assert r["ChallengeName"] == "EMAIL_OTP"
    assert r["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "a***@e***"
    code = emulator.last_code("alice", purpose="MFA", userPoolId=p.id)
    done = p.respond("EMAIL_OTP", r["Session"], USERNAME="alice", EMAIL_OTP_CODE=code)
    assert "AccessToken" in done["AuthenticationResult"]

    idp.admin_set_user_mfa_preference(
        UserPoolId=p.id, Username="alice", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    assert idp.admin_get_user(UserPoolId=p.id, Username="alice")["PreferredMfaSetting"] == "SMS_MFA"
    assert p.sign_in("alice")["ChallengeName"] == "SMS_MFA"


def test_admin_mfa_setup_with_a_software_token(idp, make_pool, endpoint):
    p = make_pool("ON", ["TOTP"])
    p.user("alice", email="alice@example.com")
    r = p.sign_in("alice")
    assert r["ChallengeName"] == "MFA_SETUP"
    assert r["ChallengeParameters"]["MFAS_CAN_SETUP"] == '["SOFTWARE_TOKEN_MFA"]'
    assoc = idp.associate_software_token(Session=r["Session"])
    totp = Totp(endpoint, assoc["SecretCode"])
    with pytest.raises(ClientError) as e:
        idp.verify_software_token(Session=assoc["Session"], UserCode="000000")
    assert error(e) == ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
    verified = idp.verify_software_token(Session=assoc["Session"], UserCode=totp.next(), FriendlyDeviceName="py")
    assert verified["Status"] == "SUCCESS"
    done = p.respond("MFA_SETUP", verified["Session"], USERNAME="alice")
    assert "IdToken" in done["AuthenticationResult"]
    assert idp.admin_get_user(UserPoolId=p.id, Username="alice")["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]

    r = p.sign_in("alice")
    assert r["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert r["ChallengeParameters"] == {"FRIENDLY_DEVICE_NAME": "py", "USER_ID_FOR_SRP": "alice", "USERNAME": "alice"}
    done = p.respond("SOFTWARE_TOKEN_MFA", r["Session"], USERNAME="alice", SOFTWARE_TOKEN_MFA_CODE=totp.next())
    assert "RefreshToken" in done["AuthenticationResult"]


def test_sms_only_pool_and_a_user_without_a_phone(make_pool):
    p = make_pool("ON", ["SMS"])
    p.user("bob", email="bob@example.com")
    with pytest.raises(ClientError) as e:
        p.sign_in("bob")
    assert error(e) == ("MFAMethodNotFoundException", "No MFA mechanism registerd in the account.")

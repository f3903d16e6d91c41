"""Password sign-in, NEW_PASSWORD_REQUIRED, refresh and sign-out through boto3 and pycognito.

Run by tests/clients/run.sh (or `COGNITO_EMULATOR_URL=http://127.0.0.1:9229 pytest` with an
emulator running). Every test creates its own pool; none moves the shared clock.
"""

import base64
import json

import pytest
from botocore.exceptions import ClientError

PASSWORD = "Passw0rd!"
NEW_PASSWORD = "N3w-Passw0rd!"
REFRESH_PREFIX = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ."


def error(exc_info):
    e = exc_info.value.response["Error"]
    return e["Code"], e["Message"]


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture
def pool(idp, unique):
    return idp.create_user_pool(PoolName="py-auth-" + unique)["UserPool"]["Id"]


@pytest.fixture
def client_id(idp, pool):
    return idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="py-auth",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]


def create_user(idp, pool, username, permanent=True):
    idp.admin_create_user(
        UserPoolId=pool,
        Username=username,
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": username + "@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    if permanent:
        idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True)


def sign_in(idp, client_id, username, password=PASSWORD):
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def test_user_password_auth_returns_tokens_with_cognito_claims(idp, endpoint, pool, client_id):
    create_user(idp, pool, "alice")
    out = sign_in(idp, client_id, "alice")
    result = out["AuthenticationResult"]
    assert out["ChallengeParameters"] == {}
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    assert result["RefreshToken"].startswith(REFRESH_PREFIX)
    id_claims = claims(result["IdToken"])
    assert id_claims["iss"] == endpoint + "/" + pool
    assert id_claims["aud"] == client_id
    assert id_claims["cognito:username"] == "alice"
    assert id_claims["email_verified"] is True
    access = claims(result["AccessToken"])
    assert access["token_use"] == "access"
    assert access["scope"] == "aws.cognito.signin.user.admin"
    assert access["origin_jti"] == id_claims["origin_jti"]


def test_admin_initiate_auth_signs_in(idp, pool, client_id):
    create_user(idp, pool, "bob")
    out = idp.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD},
    )
    assert claims(out["AuthenticationResult"]["AccessToken"])["username"] == "bob"


def test_sign_in_errors_have_cognitos_texts(idp, pool, client_id):
    create_user(idp, pool, "carol")
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id, "carol", "Wrong-Passw0rd")
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id, "nobody")
    assert error(e) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "carol"})
    assert error(e) == ("InvalidParameterException", "Missing required parameter PASSWORD")
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "carol", "PASSWORD": PASSWORD},
        )
    assert error(e) == ("InvalidParameterException", "Initiate Auth method not supported.")


def test_new_password_required_then_tokens(idp, pool, client_id):
    create_user(idp, pool, "dave", permanent=False)
    out = sign_in(idp, client_id, "dave")
    assert out["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert out["ChallengeParameters"]["USER_ID_FOR_SRP"] == "dave"
    assert out["ChallengeParameters"]["requiredAttributes"] == "[]"
    done = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=out["Session"],
        ChallengeResponses={"USERNAME": "dave", "NEW_PASSWORD": NEW_PASSWORD},
    )
    assert "IdToken" in done["AuthenticationResult"]
    assert idp.admin_get_user(UserPoolId=pool, Username="dave")["UserStatus"] == "CONFIRMED"
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=out["Session"],
            ChallengeResponses={"USERNAME": "dave", "NEW_PASSWORD": NEW_PASSWORD},
        )
    assert error(e) == ("NotAuthorizedException", "Invalid session for the user, session can only be used once.")


def test_refresh_keeps_the_sign_in(idp, pool, client_id):
    create_user(idp, pool, "erin")
    first = sign_in(idp, client_id, "erin")["AuthenticationResult"]
    refreshed = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    assert claims(refreshed["IdToken"])["origin_jti"] == claims(first["IdToken"])["origin_jti"]
    again = idp.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=first["RefreshToken"])
    assert "AccessToken" in again["AuthenticationResult"]
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(
            ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": REFRESH_PREFIX + "a.b.c.d"}
        )
    assert error(e) == ("NotAuthorizedException", "Invalid Refresh Token.")


def test_global_sign_out_revokes_access_and_refresh_tokens(idp, pool, client_id):
    create_user(idp, pool, "frank")
    tokens = sign_in(idp, client_id, "frank")["AuthenticationResult"]
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "frank"
    idp.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError) as e:
        idp.get_user(AccessToken=tokens["AccessToken"])
    assert error(e) == ("NotAuthorizedException", "Access Token has been revoked")
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(
            ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
        )
    assert error(e) == ("NotAuthorizedException", "Refresh Token has been revoked")


def test_revoke_token_then_admin_global_sign_out(idp, pool, client_id):
    create_user(idp, pool, "gina")
    first = sign_in(idp, client_id, "gina")["AuthenticationResult"]
    idp.revoke_token(ClientId=client_id, Token=first["RefreshToken"])
    with pytest.raises(ClientError) as e:
        idp.get_user(AccessToken=first["AccessToken"])
    assert error(e) == ("NotAuthorizedException", "Access Token has been revoked")
    second = sign_in(idp, client_id, "gina")["AuthenticationResult"]
    idp.admin_user_global_sign_out(UserPoolId=pool, Username="gina")
    with pytest.raises(ClientError) as e:
        idp.get_user(AccessToken=second["AccessToken"])
    assert error(e) == ("NotAuthorizedException", "Access Token has been revoked")


def test_pycognito_admin_authenticate_and_check_token(idp, endpoint, pool, client_id):
    pycognito = pytest.importorskip("pycognito")
    create_user(idp, pool, "hank")
    u = pycognito.Cognito(
        pool,
        client_id,
        username="hank",
        boto3_client_kwargs={
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "aws_access_key_id": "AKIDTEST",
            "aws_secret_access_key": "secret",
        },
    )
    u.admin_authenticate(password=PASSWORD)
    assert u.token_type == "Bearer"
    # Verifies both tokens' signatures against the emulator's JWKS and iss == endpoint/pool.
    assert u.check_token(renew=False) is False
    assert u.id_claims["cognito:username"] == "hank"
    assert u.access_claims["username"] == "hank"
    u.renew_access_token()
    assert u.access_claims["token_use"] == "access"

"""USER_SRP_AUTH through pycognito's `authenticate` (its AWSSRP client computes the real SRP maths,
answers PASSWORD_VERIFIER without a Session and hashes the SALT string it receives).

Run by tests/clients/run.sh. Every test makes its own pool; none moves the shared clock, because
the signature's TIMESTAMP comes from the test machine's clock and must be within 5 minutes of
the emulator's.
"""

import pytest
from botocore.exceptions import ClientError

pycognito = pytest.importorskip("pycognito")

PASSWORD = "Passw0rd!"
NEW_PASSWORD = "N3w-Passw0rd!"


def error(exc_info):
    e = exc_info.value.response["Error"]
    return e["Code"], e["Message"]


def create_user(idp, pool, username, email=None, permanent=True):
    idp.admin_create_user(
        UserPoolId=pool,
        Username=username,
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": email or username + "@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    if permanent:
        idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True)


def make_client(idp, pool, **extra):
    return idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="py-srp",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        **extra,
    )["UserPoolClient"]


def cognito_user(endpoint, pool, client_id, username, client_secret=None):
    return pycognito.Cognito(
        pool,
        client_id,
        username=username,
        client_secret=client_secret,
        boto3_client_kwargs={"endpoint_url": endpoint, "region_name": "us-east-1"},
    )


def test_pycognito_authenticate_signs_in_with_srp_and_verifies_the_tokens(idp, endpoint, pool_id, client_id):
    create_user(idp, pool_id, "alice")
    u = cognito_user(endpoint, pool_id, client_id, "alice")
    u.authenticate(password=PASSWORD)
    assert u.token_type == "Bearer"
    # Verifies both signatures against the emulator's JWKS and iss == endpoint/pool.
    assert u.check_token(renew=False) is False
    assert u.id_claims["cognito:username"] == "alice"
    assert u.access_claims["username"] == "alice"
    assert u.refresh_token


def test_pycognito_authenticate_with_a_wrong_password_is_refused(idp, endpoint, pool_id, client_id):
    create_user(idp, pool_id, "alice")
    u = cognito_user(endpoint, pool_id, client_id, "alice")
    with pytest.raises(ClientError) as e:
        u.authenticate(password="Wr0ng-password!")
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")
    assert e.value.operation_name == "RespondToAuthChallenge"


def test_pycognito_signs_in_with_an_alias_as_the_internal_username(idp, endpoint, unique):
    pool = idp.create_user_pool(PoolName="py-srp-alias-" + unique, AliasAttributes=["email"])["UserPool"]["Id"]
    client = make_client(idp, pool)
    create_user(idp, pool, "bob", email="bob.smith@example.com")
    u = cognito_user(endpoint, pool, client["ClientId"], "bob.smith@example.com")
    u.authenticate(password=PASSWORD)
    assert u.id_claims["cognito:username"] == "bob"


def test_pycognito_signs_in_through_a_client_with_a_secret(idp, endpoint, pool_id):
    client = make_client(idp, pool_id, GenerateSecret=True)
    create_user(idp, pool_id, "carol")
    u = cognito_user(endpoint, pool_id, client["ClientId"], "carol", client_secret=client["ClientSecret"])
    u.authenticate(password=PASSWORD)
    assert u.access_claims["client_id"] == client["ClientId"]


def test_a_force_change_password_user_gets_new_password_required_after_srp(idp, endpoint, pool_id, client_id):
    create_user(idp, pool_id, "dave", permanent=False)
    u = cognito_user(endpoint, pool_id, client_id, "dave")
    with pytest.raises(pycognito.exceptions.ForceChangePasswordException):
        u.authenticate(password=PASSWORD)
    # pycognito's own way through: USER_SRP_AUTH again, then answer NEW_PASSWORD_REQUIRED.
    u.new_password_challenge(password=PASSWORD, new_password=NEW_PASSWORD)
    assert u.id_claims["cognito:username"] == "dave"
    again = cognito_user(endpoint, pool_id, client_id, "dave")
    again.authenticate(password=NEW_PASSWORD)
    assert again.access_claims["username"] == "dave"


def test_an_unknown_user_fails_at_the_signature_when_existence_errors_are_prevented(idp, endpoint, pool_id):
    client = make_client(idp, pool_id, PreventUserExistenceErrors="ENABLED")
    u = cognito_user(endpoint, pool_id, client["ClientId"], "nobody")
    with pytest.raises(ClientError) as e:
        u.authenticate(password=PASSWORD)
    assert error(e) == ("NotAuthorizedException", "Incorrect username or password.")
    # The refusal comes at the signature step, as for a wrong password.
    assert e.value.operation_name == "RespondToAuthChallenge"


def test_an_unknown_user_is_refused_at_initiate_auth_with_legacy_errors(idp, endpoint, pool_id, client_id):
    u = cognito_user(endpoint, pool_id, client_id, "nobody")
    with pytest.raises(ClientError) as e:
        u.authenticate(password=PASSWORD)
    assert error(e) == ("UserNotFoundException", "User does not exist.")
    assert e.value.operation_name == "InitiateAuth"

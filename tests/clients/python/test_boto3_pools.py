"""boto3 against the emulator: pool and app-client administration and error codes."""

import re

import botocore.exceptions
import pytest


def test_a_created_pool_shows_up_in_list_user_pools(cognito, pool_id):
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    assert pool_id in [p["Id"] for p in pools]
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]{9}", pool_id)


def test_describe_user_pool_parses_into_python_types(cognito, pool_id):
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Id"] == pool_id
    # botocore turns epoch-second timestamps into datetimes: proof of the wire type.
    assert pool["CreationDate"].year >= 2024
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    assert pool["MfaConfiguration"] == "OFF"


def test_a_client_with_a_generated_secret(cognito, pool_id):
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="confidential", GenerateSecret=True
    )["UserPoolClient"]
    assert re.fullmatch(r"[0-9a-z]{26}", client["ClientId"])
    assert re.fullmatch(r"[0-9a-z]{51}", client["ClientSecret"])
    listed = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    assert [c["ClientId"] for c in listed["UserPoolClients"]] == [client["ClientId"]]


def test_a_missing_pool_is_resource_not_found_with_cognitos_text(cognito):
    with pytest.raises(cognito.exceptions.ResourceNotFoundException) as err:
        cognito.describe_user_pool(UserPoolId="us-east-1_NoSuchOne")
    e = err.value.response["Error"]
    assert e["Code"] == "ResourceNotFoundException"
    assert e["Message"] == "User pool us-east-1_NoSuchOne does not exist."
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_refresh_token_auth_must_be_allowed(cognito, pool_id):
    with pytest.raises(cognito.exceptions.InvalidParameterException) as err:
        cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"]
        )
    assert err.value.response["Error"]["Message"] == "REFRESH_TOKEN_AUTH should always be allowed."


def test_a_model_violation_is_invalid_parameter(cognito):
    # botocore validates lengths client side, not patterns: the emulator must answer this one.
    with pytest.raises(cognito.exceptions.InvalidParameterException) as err:
        cognito.describe_user_pool(UserPoolId="local")
    assert err.value.response["Error"]["Message"].startswith("1 validation error detected: ")


def test_an_operation_not_implemented_is_a_clear_400(cognito, pool_id):
    try:
        cognito.describe_risk_configuration(UserPoolId=pool_id)
    except botocore.exceptions.ClientError as e:
        code = e.response["Error"]["Code"]
        if code == "UnsupportedOperationException":
            assert "DescribeRiskConfiguration" in e.response["Error"]["Message"]
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # Implemented meanwhile: nothing to check here.


def test_the_pool_mfa_configuration_round_trips(cognito, pool_id):
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )
    got = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert got["MfaConfiguration"] == "OPTIONAL"
    assert got["SoftwareTokenMfaConfiguration"] == {"Enabled": True}

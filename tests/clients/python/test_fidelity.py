"""boto3 against the emulator where it once differed from Cognito: regions and schema rules."""

import base64
import json
import re

import boto3
import pytest


def client_in(endpoint, region):
    return boto3.client(
        "cognito-idp",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
    )


def test_a_client_in_eu_west_1_makes_eu_west_1_pools(endpoint, cognito, unique):
    eu = client_in(endpoint, "eu-west-1")
    pool = eu.create_user_pool(PoolName=f"dublin-{unique}")["UserPool"]
    assert re.fullmatch(r"eu-west-1_[0-9A-Za-z]{9}", pool["Id"])
    assert pool["Arn"] == f"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{pool['Id']}"
    client_id = eu.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    eu.admin_create_user(UserPoolId=pool["Id"], Username="jane", MessageAction="SUPPRESS")
    eu.admin_set_user_password(
        UserPoolId=pool["Id"], Username="jane", Password="Passw0rd!", Permanent=True
    )
    tokens = eu.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "jane", "PASSWORD": "Passw0rd!"},
    )["AuthenticationResult"]
    payload = tokens["IdToken"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["iss"] == f"{endpoint}/{pool['Id']}"
    # A us-east-1 pool coexists with it.
    us = cognito.create_user_pool(PoolName=f"virginia-{unique}")["UserPool"]
    assert us["Id"].startswith("us-east-1_")
    listed = [p["Id"] for p in eu.list_user_pools(MaxResults=60)["UserPools"]]
    assert pool["Id"] in listed and us["Id"] in listed


def test_developer_only_attributes_and_standard_types(cognito, unique):
    pool = cognito.create_user_pool(
        PoolName=f"dev-{unique}",
        Schema=[{"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True}],
    )["UserPool"]
    names = [a["Name"] for a in pool["SchemaAttributes"]]
    assert "dev:custom:secret" in names
    with pytest.raises(cognito.exceptions.InvalidParameterException) as err:
        cognito.create_user_pool(
            PoolName=f"std-{unique}", Schema=[{"Name": "email", "AttributeDataType": "Number"}]
        )
    assert err.value.response["Error"]["Message"] == (
        "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"
    )
    with pytest.raises(cognito.exceptions.InvalidParameterException) as err:
        cognito.add_custom_attributes(UserPoolId=pool["Id"], CustomAttributes=[{"Name": "tier"}])
    assert err.value.response["Error"]["Message"] == (
        "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
    )

"""boto3 against the emulator: custom attributes, tags, resource servers and client scopes, client
secret rotation, risk configuration."""

import base64
import hashlib
import hmac

import pytest


def secret_hash(secret, username, client_id):
    mac = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def test_custom_attributes_tags_and_resource_servers(cognito, pool_id):
    cognito.add_custom_attributes(
        UserPoolId=pool_id,
        CustomAttributes=[{"Name": "tier", "AttributeDataType": "String"}],
    )
    schema = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["SchemaAttributes"]
    assert "custom:tier" in [a["Name"] for a in schema]
    with pytest.raises(cognito.exceptions.InvalidParameterException) as err:
        cognito.add_custom_attributes(
            UserPoolId=pool_id,
            CustomAttributes=[{"Name": "tier", "AttributeDataType": "String"}],
        )
    assert err.value.response["Error"]["Message"] == (
        "custom:tier: Existing attribute already has name custom:tier."
    )

    arn = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    cognito.tag_resource(ResourceArn=arn, Tags={"env": "test"})
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "test"}
    cognito.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {}

    cognito.create_resource_server(
        UserPoolId=pool_id,
        Identifier="orders",
        Name="orders",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "Read orders"}],
    )
    servers = cognito.list_resource_servers(UserPoolId=pool_id, MaxResults=10)
    assert [s["Identifier"] for s in servers["ResourceServers"]] == ["orders"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="m2m", AllowedOAuthScopes=["orders/read"]
    )["UserPoolClient"]
    assert client["AllowedOAuthScopes"] == ["orders/read"]
    with pytest.raises(cognito.exceptions.ScopeDoesNotExistException) as err:
        cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="m2m", AllowedOAuthScopes=["orders/write"]
        )
    assert err.value.response["Error"]["Message"] == "Invalid scope requested: orders/write"


def test_both_secrets_work_during_a_rotation(cognito, pool_id):
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="confidential",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    client_id, old = client["ClientId"], client["ClientSecret"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="jane", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="jane", Password="Passw0rd!", Permanent=True
    )
    added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)
    new = added["ClientSecretDescriptor"]["ClientSecretValue"]
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)
    assert len(listed["ClientSecrets"]) == 2
    for secret in (old, new):
        result = cognito.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": "jane",
                "PASSWORD": "Passw0rd!",
                "SECRET_HASH": secret_hash(secret, "jane", client_id),
            },
        )
        assert "AccessToken" in result["AuthenticationResult"]
    old_id = listed["ClientSecrets"][0]["ClientSecretId"]
    cognito.delete_user_pool_client_secret(
        UserPoolId=pool_id, ClientId=client_id, ClientSecretId=old_id
    )
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": "jane",
                "PASSWORD": "Passw0rd!",
                "SECRET_HASH": secret_hash(old, "jane", client_id),
            },
        )


def test_risk_configuration_round_trip(cognito, unique):
    pool_id = cognito.create_user_pool(
        PoolName="py-risk-" + unique, UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"}
    )["UserPool"]["Id"]
    try:
        cognito.set_risk_configuration(
            UserPoolId=pool_id,
            RiskExceptionConfiguration={"BlockedIPRangeList": ["192.0.2.0/24"]},
        )
        rc = cognito.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
        assert rc["RiskExceptionConfiguration"] == {"BlockedIPRangeList": ["192.0.2.0/24"]}
    finally:
        cognito.delete_user_pool(UserPoolId=pool_id)

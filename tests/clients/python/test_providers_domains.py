"""boto3 against the emulator: identity providers, linked identities, domains, hosted-UI
customization, managed login branding and terms."""

import json

import pytest


@pytest.fixture
def domain(idp, pool_id, unique):
    """A prefix domain for the pool, deleted before the pool is (a pool with a domain cannot be)."""
    name = "py-" + unique
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    yield name
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain=name)


def google(idp, pool_id):
    return idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails={
            "client_id": "google-client",
            "client_secret": "google-secret",
            "authorize_scopes": "openid email",
        },
        AttributeMapping={"email": "email"},
    )["IdentityProvider"]


def test_a_provider_is_created_listed_and_refused_twice(idp, pool_id):
    created = google(idp, pool_id)
    assert created["ProviderType"] == "Google"
    assert created["CreationDate"].year >= 2024
    listed = idp.list_identity_providers(UserPoolId=pool_id, MaxResults=60)["Providers"]
    assert [p["ProviderName"] for p in listed] == ["Google"]
    with pytest.raises(idp.exceptions.DuplicateProviderException) as err:
        google(idp, pool_id)
    assert err.value.response["Error"]["Message"] == f"Google already exists in user pool {pool_id}"


def test_a_linked_identity_shows_in_admin_get_user(idp, pool_id):
    google(idp, pool_id)
    idp.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    idp.admin_link_provider_for_user(
        UserPoolId=pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "alice"},
        SourceUser={
            "ProviderName": "Google",
            "ProviderAttributeName": "Cognito_Subject",
            "ProviderAttributeValue": "1234",
        },
    )
    attrs = idp.admin_get_user(UserPoolId=pool_id, Username="alice")["UserAttributes"]
    identities = json.loads(next(a["Value"] for a in attrs if a["Name"] == "identities"))
    assert identities[0]["userId"] == "1234"
    assert identities[0]["providerName"] == "Google"


def test_a_client_naming_an_unknown_provider_is_refused(idp, pool_id):
    with pytest.raises(idp.exceptions.InvalidParameterException) as err:
        idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="web", SupportedIdentityProviders=["COGNITO", "Okta"]
        )
    assert err.value.response["Error"]["Message"] == (
        f"The provider Okta does not exist for User Pool {pool_id}"
    )


def test_a_domain_is_described_and_shown_on_the_pool(idp, pool_id, domain):
    d = idp.describe_user_pool_domain(Domain=domain)["DomainDescription"]
    assert d["UserPoolId"] == pool_id
    assert d["Status"] == "ACTIVE"
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == domain
    assert idp.describe_user_pool_domain(Domain=domain + "-none")["DomainDescription"] == {}
    with pytest.raises(idp.exceptions.InvalidParameterException) as err:
        idp.create_user_pool_domain(UserPoolId=pool_id, Domain=domain + "-two")
    assert err.value.response["Error"]["Message"] == "User pool already has a domain configured."


def test_ui_customization_and_terms(idp, pool_id, client_id, domain):
    css = ".banner-customizable { background-color: black; }"
    idp.set_ui_customization(UserPoolId=pool_id, CSS=css)
    got = idp.get_ui_customization(UserPoolId=pool_id, ClientId=client_id)["UICustomization"]
    assert got["CSS"] == css
    terms = idp.create_terms(
        UserPoolId=pool_id,
        ClientId=client_id,
        TermsName="privacy-policy",
        TermsSource="LINK",
        Enforcement="NONE",
        Links={"cognito:default": "https://example.com/privacy"},
    )["Terms"]
    listed = idp.list_terms(UserPoolId=pool_id)["Terms"]
    assert [t["TermsId"] for t in listed] == [terms["TermsId"]]
    branding = idp.create_managed_login_branding(
        UserPoolId=pool_id, ClientId=client_id, UseCognitoProvidedValues=True
    )["ManagedLoginBranding"]
    by_client = idp.describe_managed_login_branding_by_client(
        UserPoolId=pool_id, ClientId=client_id
    )["ManagedLoginBranding"]
    assert by_client["ManagedLoginBrandingId"] == branding["ManagedLoginBrandingId"]


def test_the_signing_certificate_is_stable_base64_der(idp, pool_id):
    import base64

    cert = idp.get_signing_certificate(UserPoolId=pool_id)["Certificate"]
    assert base64.b64decode(cert)[:2] == b"\x30\x82"
    assert idp.get_signing_certificate(UserPoolId=pool_id)["Certificate"] == cert

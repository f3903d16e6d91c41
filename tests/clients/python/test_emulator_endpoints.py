"""The emulator's own endpoints, as test suites in other languages use them."""

import requests


def test_health(endpoint):
    body = requests.get(f"{endpoint}/_emulator/health", timeout=10).json()
    assert body["status"] == "ok"


def test_the_outbox_reads_back_empty_for_an_unknown_user(messages):
    assert messages(username="nobody-here") == []


def test_a_snapshot_brings_back_users_and_tokens_still_verify(endpoint, idp, pool_id, client_id, unique):
    """Save, change through boto3, restore: boto3 sees the earlier users, and the user signs in
    with the password it had when the snapshot was taken."""
    name = "py-" + unique
    idp.admin_create_user(UserPoolId=pool_id, Username="ada", TemporaryPassword="Passw0rd!", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="ada", Password="Passw0rd!", Permanent=True)
    before = idp.admin_get_user(UserPoolId=pool_id, Username="ada")
    before.pop("ResponseMetadata")

    saved = requests.post(f"{endpoint}/_emulator/snapshots/{name}", timeout=10)
    assert saved.status_code == 201, saved.text
    assert name in [s["name"] for s in requests.get(f"{endpoint}/_emulator/snapshots", timeout=10).json()["snapshots"]]

    idp.admin_set_user_password(UserPoolId=pool_id, Username="ada", Password="Other-Passw0rd!", Permanent=True)
    idp.admin_create_user(UserPoolId=pool_id, Username="bea", MessageAction="SUPPRESS")
    idp.admin_delete_user(UserPoolId=pool_id, Username="ada")

    restored = requests.post(f"{endpoint}/_emulator/snapshots/{name}/restore", timeout=10)
    assert restored.status_code == 200, restored.text
    after = idp.admin_get_user(UserPoolId=pool_id, Username="ada")
    after.pop("ResponseMetadata")
    assert after == before
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]] == ["ada"]
    tokens = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "ada", "PASSWORD": "Passw0rd!"}
    )["AuthenticationResult"]
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "ada"

    assert requests.delete(f"{endpoint}/_emulator/snapshots/{name}", timeout=10).status_code == 200
    gone = requests.post(f"{endpoint}/_emulator/snapshots/{name}/restore", timeout=10)
    assert (gone.status_code, gone.json()) == (404, {"error": f"no snapshot {name}"})
    bad = requests.post(f"{endpoint}/_emulator/snapshots/a:b", timeout=10)
    assert bad.status_code == 400 and "1 to 64 characters" in bad.json()["error"]

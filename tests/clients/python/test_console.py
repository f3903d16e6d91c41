"""The web console (/_emulator/ui/) in headless Chromium: each page renders, each action works and
is visible through the API afterwards. Screenshots land in tests/clients/screenshots/."""

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from test_hosted_ui import browser, click, pytestmark, shot  # noqa: F401 (fixture, skip mark)

PASSWORD = "Passw0rd!"


def rows(driver, table_id):
    return driver.find_elements(By.CSS_SELECTOR, f"#{table_id} tr td:first-child")


def test_pools_users_and_user_actions(idp, endpoint, unique, browser, pool_id, client_id):  # noqa: F811
    idp.sign_up(ClientId=client_id, Username="ann", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "ann@example.com"}])
    for i in range(61):
        idp.admin_create_user(UserPoolId=pool_id, Username=f"user{i:02d}", MessageAction="SUPPRESS")

    browser.get(f"{endpoint}/_emulator/ui/")
    browser.find_element(By.LINK_TEXT, pool_id)
    shot(browser, "console-home")
    click(browser, By.LINK_TEXT, pool_id)
    assert len(rows(browser, "users")) == 60
    shot(browser, "console-pool")
    click(browser, By.ID, "next")
    assert [r.text for r in rows(browser, "users")] == ["user59", "user60"]  # ann and 61 users: 60 on the first page

    search = browser.find_element(By.ID, "search")
    search.clear()
    search.send_keys("an")
    click(browser, By.ID, "search-button")
    assert [r.text for r in rows(browser, "users")] == ["ann"]
    click(browser, By.LINK_TEXT, "ann")
    assert browser.find_element(By.ID, "user-status").text == "UNCONFIRMED"
    shot(browser, "console-user")

    click(browser, By.ID, "confirm")
    assert browser.find_element(By.ID, "user-status").text == "CONFIRMED"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserStatus"] == "CONFIRMED"
    click(browser, By.ID, "disable")
    assert browser.find_element(By.ID, "user-enabled").text == "no"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ann")["Enabled"] is False
    click(browser, By.ID, "enable")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ann")["Enabled"] is True
    click(browser, By.ID, "reset-password")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserStatus"] == "RESET_REQUIRED"
    click(browser, By.ID, "delete")
    assert browser.current_url.endswith(f"/_emulator/ui/pools/{pool_id}")
    try:
        idp.admin_get_user(UserPoolId=pool_id, Username="ann")
        raise AssertionError("ann should be gone")
    except idp.exceptions.UserNotFoundException:
        pass

    browser.get(f"{endpoint}/_emulator/ui/pools/us-east-1_nothere")
    assert "ResourceNotFoundException" in browser.find_element(By.ID, "error").text


def test_outbox_requests_faults_snapshots_and_clock(idp, endpoint, unique, browser, pool_id, client_id):  # noqa: F811
    idp.admin_create_user(UserPoolId=pool_id, Username="olga", DesiredDeliveryMediums=["EMAIL"],
                          UserAttributes=[{"Name": "email", "Value": f"olga-{unique}@example.com"}])
    browser.get(f"{endpoint}/_emulator/ui/")
    # The live tables fill in from the outbox and the request log.
    WebDriverWait(browser, 10).until(
        lambda d: f"olga-{unique}@example.com" in d.find_element(By.ID, "outbox").text)
    WebDriverWait(browser, 10).until(lambda d: "AdminCreateUser" in d.find_element(By.ID, "requests").text)

    rule = browser.find_element(By.ID, "fault-rule")
    rule.clear()
    rule.send_keys('{"operation": "ListUsers", "username": "%s", "count": 3, "error": {"type": "TooManyRequestsException"}}' % unique)
    click(browser, By.ID, "add-fault")
    faults = requests.get(f"{endpoint}/_emulator/faults", timeout=10).json()["faults"]
    mine = [f for f in faults if f.get("username") == unique]
    assert len(mine) == 1 and mine[0]["count"] == 3
    assert mine[0]["id"] in browser.find_element(By.ID, "faults").text

    name = "console-" + unique
    browser.find_element(By.ID, "snapshot-name").send_keys(name)
    click(browser, By.ID, "save-snapshot")
    names = [s["name"] for s in requests.get(f"{endpoint}/_emulator/snapshots", timeout=10).json()["snapshots"]]
    assert name in names
    WebDriverWait(browser, 10).until(lambda d: "AdminCreateUser" in d.find_element(By.ID, "requests").text)
    shot(browser, "console-home-actions")

    idp.admin_delete_user(UserPoolId=pool_id, Username="olga")
    click(browser, By.CSS_SELECTOR, f'[data-restore="{name}"]')
    assert idp.admin_get_user(UserPoolId=pool_id, Username="olga")["Username"] == "olga"
    click(browser, By.CSS_SELECTOR, f'[data-drop="{name}"]')
    names = [s["name"] for s in requests.get(f"{endpoint}/_emulator/snapshots", timeout=10).json()["snapshots"]]
    assert name not in names

    click(browser, By.CSS_SELECTOR, f'[data-fault="{mine[0]["id"]}"]')
    faults = requests.get(f"{endpoint}/_emulator/faults", timeout=10).json()["faults"]
    assert mine[0]["id"] not in [f["id"] for f in faults]

    before = requests.get(f"{endpoint}/_emulator/clock", timeout=10).json()["now"]
    advance = browser.find_element(By.ID, "advance")
    advance.clear()
    advance.send_keys("86400")
    click(browser, By.ID, "advance-clock")
    after = requests.get(f"{endpoint}/_emulator/clock", timeout=10).json()["now"]
    assert after[:10] > before[:10]
    assert browser.find_element(By.ID, "now").text[:10] == after[:10]
    click(browser, By.ID, "reset-clock")
    assert requests.get(f"{endpoint}/_emulator/clock", timeout=10).json()["now"][:10] == before[:10]

"""The hosted UI's sign-in steps in a real browser: headless Chromium (Debian's chromium and
chromium-driver packages) driven by selenium, as a user of signInWithRedirect / signInWithWebUI
walks them. Each test goes from /oauth2/authorize through the step to the app's callback with a
code, then exchanges the code at /oauth2/token (PKCE) and checks the tokens.

Screenshots of every page land in tests/clients/screenshots/ (gitignored), at desktop and phone
width. No test moves the shared clock: TOTP codes are computed at the emulator clock's time."""

import base64
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from test_mfa import Totp

PASSWORD = "Passw0rd!x"
NEW_PASSWORD = "N3w-Passw0rd!"
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
SHOTS = Path(__file__).resolve().parent.parent / "screenshots"

pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


class _Callback(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"signed in")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def callback():
    """The app's redirect_uri: a local page the browser can land on."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/callback"
    server.shutdown()


@pytest.fixture
def browser():
    profile = tempfile.mkdtemp(prefix="hosted-ui-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def shot(driver, name):
    """The page at desktop and at phone width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(1280, 900)
    driver.save_screenshot(str(SHOTS / f"{name}-desktop.png"))
    driver.set_window_size(390, 844)
    driver.save_screenshot(str(SHOTS / f"{name}-phone.png"))
    driver.set_window_size(1280, 900)


class Web:
    """A pool with an OAuth app client (code grant, PKCE) and its MFA set-up."""

    def __init__(
        self, idp, endpoint, unique, callback, mfa=None, factors=(), schema=None, pool=None, client=None
    ):
        self.idp, self.endpoint, self.callback = idp, endpoint, callback
        args = {"PoolName": f"hosted-{unique}", **(pool or {})}
        if schema:
            args["Schema"] = schema
        self.pool_id = idp.create_user_pool(**args)["UserPool"]["Id"]
        self.client_id = idp.create_user_pool_client(
            **(client or {}),
            UserPoolId=self.pool_id,
            ClientName="Hosted UI test app",
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "profile"],
            CallbackURLs=[callback],
            SupportedIdentityProviders=["COGNITO"],
        )["UserPoolClient"]["ClientId"]
        if mfa:
            cfg = {
                "UserPoolId": self.pool_id,
                "MfaConfiguration": mfa,
                "SoftwareTokenMfaConfiguration": {"Enabled": "TOTP" in factors},
            }
            if "SMS" in factors:
                cfg["SmsMfaConfiguration"] = {"SmsAuthenticationMessage": "Your code is {####}"}
            if "EMAIL" in factors:
                cfg["EmailMfaConfiguration"] = {}
            idp.set_user_pool_mfa_config(**cfg)
        self.verifier = secrets.token_urlsafe(48)

    def user(self, username, permanent=True, **attrs):
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username=username,
            TemporaryPassword=PASSWORD,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
        )
        if permanent:
            self.idp.admin_set_user_password(
                UserPoolId=self.pool_id, Username=username, Password=PASSWORD, Permanent=True
            )

    def authorize_url(self, **extra):
        challenge = base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest())
        params = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": self.callback,
            "scope": "openid email profile",
            "state": "st-42",
            "nonce": "n-42",
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
            "prompt": "login",
            **extra,
        }
        return f"{self.endpoint}/oauth2/authorize?{urlencode(params)}"

    def password_step(self, driver, username, password=PASSWORD, **extra):
        driver.get(self.authorize_url(**extra))
        assert urlsplit(driver.current_url).path == "/login"
        driver.find_element(By.NAME, "username").send_keys(username)
        driver.find_element(By.NAME, "password").send_keys(password)
        click(driver, By.NAME, "signInSubmitButton")

    def exchange(self, driver):
        """The browser is back at the app: the code's tokens, after the checks every test makes."""
        url = urlsplit(driver.current_url)
        assert f"{url.scheme}://{url.netloc}{url.path}" == self.callback, driver.current_url
        back = parse_qs(url.query)
        assert back["state"] == ["st-42"]
        resp = requests.post(
            f"{self.endpoint}/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "client_id": self.client_id,
                "code": back["code"][0],
                "redirect_uri": self.callback,
                "code_verifier": self.verifier,
            },
            timeout=10,
        )
        assert resp.status_code == 200, resp.text
        tokens = resp.json()
        assert set(tokens) == {"id_token", "access_token", "refresh_token", "expires_in", "token_type"}
        return claims(tokens["id_token"]), claims(tokens["access_token"])


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def click(driver, by, what):
    """Clicks a submit button and waits for the page it leads to."""
    driver.execute_script("window.__before_submit = true")
    driver.find_element(by, what).click()
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script("return !window.__before_submit && document.readyState === 'complete'")
    )


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def wrong(code):
    return "%06d" % ((int(code) + 1) % 1_000_000)


def submit_code(driver, code):
    field = driver.find_element(By.NAME, "code")
    assert field.get_attribute("autocomplete") == "one-time-code"
    field.clear()
    field.send_keys(code)
    click(driver, By.NAME, "signInSubmitButton")


def test_password_only_sign_in_and_a_wrong_password_next_to_the_field(idp, endpoint, unique, callback, browser):
    web = Web(idp, endpoint, unique, callback)
    web.user("alice", email="alice@example.com", email_verified="true")
    web.password_step(browser, "alice", "wrong")
    assert text(browser, "loginErrorMessage") == "Incorrect username or password."
    assert text(browser, "appName") == "Hosted UI test app"
    shot(browser, "login-error")
    browser.find_element(By.NAME, "username").send_keys("alice")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    click(browser, By.NAME, "signInSubmitButton")
    id_claims, access = web.exchange(browser)
    assert id_claims["cognito:username"] == "alice" and id_claims["nonce"] == "n-42"
    assert access["scope"] == "openid email profile"


def test_new_password_required_with_the_password_policy_and_its_message(
    idp, endpoint, unique, callback, browser
):
    # A user can only lack a required attribute through paths the API refuses (AdminCreateUser
    # and AdminDeleteUserAttributes both insist), so no test reaches the page's
    # requiredAttributes[...] fields; here: the temporary password's own page.
    web = Web(idp, endpoint, unique, callback)
    web.user("temp", permanent=False, email="temp@example.com", name="Temp User")
    web.password_step(browser, "temp")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Change password"
    assert browser.find_element(By.NAME, "password").get_attribute("autocomplete") == "new-password"
    assert text(browser, "passwordPolicy") == (
        "Password must have at least 8 characters, an uppercase letter, a lowercase letter, "
        "a number, a symbol."
    )
    # Too weak: the policy's message under the password field, same session.
    browser.find_element(By.NAME, "password").send_keys("short")
    click(browser, By.NAME, "signInSubmitButton")
    assert text(browser, "errorMessage") == "Password does not conform to policy: Password not long enough"
    shot(browser, "new-password-error")
    browser.find_element(By.NAME, "password").send_keys(NEW_PASSWORD)
    click(browser, By.NAME, "signInSubmitButton")
    id_claims, _ = web.exchange(browser)
    assert id_claims["name"] == "Temp User" and id_claims["cognito:username"] == "temp"
    user = idp.admin_get_user(UserPoolId=web.pool_id, Username="temp")
    assert user["UserStatus"] == "CONFIRMED"


def test_mfa_setup_with_an_authenticator_app_then_software_token_mfa(idp, endpoint, unique, callback, browser):
    web = Web(idp, endpoint, unique, callback, mfa="ON", factors=["TOTP"])
    web.user("tina", email="tina@example.com")
    web.password_step(browser, "tina")
    # Only an authenticator app can be set up: straight to its secret and QR code.
    assert browser.find_element(By.TAG_NAME, "h1").text == "Set up an authenticator app"
    secret = text(browser, "secretCode")
    uri = text(browser, "otpauthUri")
    assert uri == f"otpauth://totp/hosted-{unique}:tina?secret={secret}&issuer=hosted-{unique}"
    assert browser.find_element(By.CSS_SELECTOR, "#qrCode svg").is_displayed()
    totp = Totp(endpoint, secret)
    code = totp.next()
    submit_code(browser, wrong(code))
    assert text(browser, "errorMessage") == "Code mismatch and fail enable Software Token MFA"
    shot(browser, "mfa-setup-totp-error")
    submit_code(browser, code)
    web.exchange(browser)

    # The next sign-in asks for the app's code; a wrong one is answered next to the field.
    web.password_step(browser, "tina")
    assert text(browser, "hint") == "Enter the code from your authenticator app."
    code = totp.next()
    submit_code(browser, wrong(code))
    assert text(browser, "errorMessage") == "Invalid code or auth state for the user."
    shot(browser, "software-token-mfa-error")
    submit_code(browser, code)
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "tina"


def test_select_mfa_type_then_sms_code_and_three_wrong_codes_end_the_session(
    idp, endpoint, unique, callback, browser, emulator
):
    web = Web(idp, endpoint, unique, callback, mfa="OPTIONAL", factors=["SMS", "EMAIL"])
    web.user("sam", email="sam@example.com", email_verified="true", phone_number="+12065551234")
    idp.admin_set_user_mfa_preference(
        UserPoolId=web.pool_id,
        Username="sam",
        SMSMfaSettings={"Enabled": True},
        EmailMfaSettings={"Enabled": True},
    )
    web.password_step(browser, "sam")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Choose a sign-in method"
    shot(browser, "select-mfa-type")
    click(browser, By.CSS_SELECTOR, "button[value=SMS_MFA]")
    assert text(browser, "hint") == "We texted a code to +*******1234."
    shot(browser, "sms-mfa")
    code = emulator.last_code("sam", purpose="MFA")
    submit_code(browser, code)
    web.exchange(browser)

    # Three wrong codes: the session is over and the sign-in form says so.
    web.password_step(browser, "sam")
    click(browser, By.CSS_SELECTOR, "button[value=EMAIL_OTP]")
    assert text(browser, "hint") == "We emailed a code to s***@e***."
    for _ in range(2):
        submit_code(browser, "000000")
        assert text(browser, "errorMessage") == "Invalid code or auth state for the user."
    submit_code(browser, "000000")
    assert text(browser, "loginErrorMessage") == "Invalid code or auth state for the user."
    submit = browser.find_element(By.NAME, "signInSubmitButton")
    assert submit.text == "Sign in" and browser.find_elements(By.NAME, "username")


def test_mfa_setup_by_email(idp, endpoint, unique, callback, browser, emulator):
    web = Web(idp, endpoint, unique, callback, mfa="ON", factors=["TOTP", "EMAIL"])
    web.user("eve")
    web.password_step(browser, "eve")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Set up multi-factor authentication"
    shot(browser, "mfa-setup-choice")
    browser.find_element(By.NAME, "email").send_keys("eve@example.com")
    click(browser, By.CSS_SELECTOR, "button[value=email]")
    assert text(browser, "hint") == "We emailed a code to e***@e***."
    submit_code(browser, emulator.last_code("eve", purpose="MFA"))
    id_claims, _ = web.exchange(browser)
    assert id_claims["email"] == "eve@example.com" and id_claims["email_verified"] is True


def test_a_disabled_user_is_told_on_the_sign_in_form(idp, endpoint, unique, callback, browser):
    web = Web(idp, endpoint, unique, callback)
    web.user("dora")
    idp.admin_disable_user(UserPoolId=web.pool_id, Username="dora")
    web.password_step(browser, "dora")
    assert text(browser, "loginErrorMessage") == "User is disabled."


def fill(driver, values):
    for name, value in values.items():
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)


def error_after(driver, name):
    """The error line right after the field `name` (errors sit under the field they are about)."""
    return driver.find_element(By.XPATH, f"//input[@name='{name}']/following-sibling::*[1][@id='errorMessage']").text


SIGN_UP_SCHEMA = [
    {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
    {"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True},
    {"Name": "team", "AttributeDataType": "String", "Mutable": True},
]


def test_sign_up_then_the_confirmation_code_signs_the_user_in(idp, endpoint, unique, callback, browser, emulator):
    web = Web(
        idp,
        endpoint,
        unique,
        callback,
        schema=SIGN_UP_SCHEMA,
        pool={"AutoVerifiedAttributes": ["email"]},
        client={"ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
    )
    web.user("taken", email="taken@example.com", name="Taken")
    browser.get(web.authorize_url())
    click(browser, By.ID, "signUpLink")
    assert urlsplit(browser.current_url).path == "/signup"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sign up"
    labels = [e.text for e in browser.find_elements(By.TAG_NAME, "label")]
    assert labels == ["Username", "Name", "Email", "Team (optional)", "Password"]
    assert text(browser, "passwordPolicy").startswith("Password must have at least 8 characters")
    shot(browser, "sign-up")
    # A weak password, then a taken username: each message under its own field, values kept.
    fill(
        browser,
        {
            "username": "nina",
            "requiredAttributes[email]": "nina@example.com",
            "requiredAttributes[name]": "Nina N",
            "requiredAttributes[custom:team]": "blue",
            "password": "short",
        },
    )
    click(browser, By.NAME, "signUpButton")
    assert error_after(browser, "password") == "Password did not conform with policy: Password not long enough"
    assert browser.find_element(By.NAME, "requiredAttributes[name]").get_attribute("value") == "Nina N"
    shot(browser, "sign-up-error")
    fill(browser, {"username": "taken", "password": PASSWORD})
    click(browser, By.NAME, "signUpButton")
    assert error_after(browser, "username") == "User already exists"
    fill(browser, {"username": "nina", "password": PASSWORD})
    click(browser, By.NAME, "signUpButton")

    assert browser.find_element(By.TAG_NAME, "h1").text == "Confirm your account"
    assert text(browser, "hint") == (
        "We have sent a code by email to n***@e***. Enter it below to confirm your account."
    )
    shot(browser, "confirm-user")
    code = emulator.last_code("nina", purpose="SIGN_UP")
    submit = lambda c: (fill(browser, {"code": c}), click(browser, By.NAME, "confirm"))  # noqa: E731
    submit(wrong(code))
    assert error_after(browser, "code") == "Invalid verification code provided, please try again."
    submit(code)
    # Confirmed and signed in (USER_AUTH's auto sign-in): back at the app with a code.
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "nina" and id_claims["custom:team"] == "blue"
    assert id_claims["email_verified"] is True and id_claims["name"] == "Nina N"
    user = idp.admin_get_user(UserPoolId=web.pool_id, Username="nina")
    assert user["UserStatus"] == "CONFIRMED"


def test_sign_up_without_user_auth_ends_on_the_sign_in_form_with_a_note(
    idp, endpoint, unique, callback, browser, emulator
):
    web = Web(idp, endpoint, unique, callback, schema=SIGN_UP_SCHEMA[:1], pool={"AutoVerifiedAttributes": ["email"]})
    browser.get(web.authorize_url())
    click(browser, By.ID, "signUpLink")
    fill(browser, {"username": "omar", "requiredAttributes[email]": "omar@example.com", "password": PASSWORD})
    click(browser, By.NAME, "signUpButton")
    fill(browser, {"code": emulator.last_code("omar", purpose="SIGN_UP")})
    click(browser, By.NAME, "confirm")
    assert text(browser, "successMessage") == "Your account has been confirmed. Sign in to continue."
    shot(browser, "sign-up-confirmed")
    fill(browser, {"username": "omar", "password": PASSWORD})
    click(browser, By.NAME, "signInSubmitButton")
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "omar" and id_claims["email_verified"] is True


def test_forgot_password_then_sign_in_with_the_new_one(idp, endpoint, unique, callback, browser, emulator):
    web = Web(idp, endpoint, unique, callback)
    web.user("fern", email="fern@example.com", email_verified="true")
    browser.get(web.authorize_url())
    click(browser, By.ID, "forgotPasswordLink")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Forgot your password?"
    shot(browser, "forgot-password")
    fill(browser, {"username": "nobody"})
    click(browser, By.NAME, "reset_my_password")
    assert error_after(browser, "username") == "Username/client id combination not found."
    fill(browser, {"username": "fern"})
    click(browser, By.NAME, "reset_my_password")
    assert text(browser, "hint") == (
        "We have sent a password reset code by email to f***@e***. Enter it below to reset your password."
    )
    code = emulator.last_code("fern", purpose="FORGOT_PASSWORD")
    fill(browser, {"code": wrong(code), "password": NEW_PASSWORD})
    click(browser, By.NAME, "reset_password")
    assert error_after(browser, "code") == "Invalid verification code provided, please try again."
    fill(browser, {"code": code, "password": "short"})
    click(browser, By.NAME, "reset_password")
    assert error_after(browser, "password") == "Password does not conform to policy: Password not long enough"
    shot(browser, "confirm-forgot-password-error")
    fill(browser, {"code": code, "password": NEW_PASSWORD})
    click(browser, By.NAME, "reset_password")
    assert text(browser, "successMessage") == "Your password has been reset. Sign in with your new password."
    fill(browser, {"username": "fern", "password": NEW_PASSWORD})
    click(browser, By.NAME, "signInSubmitButton")
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "fern"


# Choice-based sign-in: a pool with passwordless first factors and a client with USER_AUTH get the
# username first, then one button per factor the user can use.
CHOICE_POOL = {
    "AutoVerifiedAttributes": ["email"],
    "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]}},
}
CHOICE_CLIENT = {"ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}


def choice_web(idp, endpoint, unique, callback):
    web = Web(idp, endpoint, unique, callback, pool=CHOICE_POOL, client=CHOICE_CLIENT)
    web.user("carol", email="carol@example.com", email_verified="true")
    return web


def username_step(web, driver, username, name=None):
    driver.get(web.authorize_url())
    assert urlsplit(driver.current_url).path == "/login"
    assert not driver.find_elements(By.NAME, "password")
    if name:
        shot(driver, name)
    driver.find_element(By.NAME, "username").send_keys(username)
    click(driver, By.NAME, "signInSubmitButton")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Choose a sign-in method"


def choices(driver):
    return [b.text for b in driver.find_elements(By.NAME, "answer")]


def test_choice_based_sign_in_with_the_password(idp, endpoint, unique, callback, browser):
    web = choice_web(idp, endpoint, unique, callback)
    username_step(web, browser, "carol", name="choice-username")
    assert choices(browser) == ["Password", "Email code"]
    shot(browser, "choice-select")
    click(browser, By.ID, "choice-PASSWORD")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Enter your password"
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    click(browser, By.NAME, "signInSubmitButton")
    # No passkey yet in a pool that takes them: the prompt, declined.
    assert browser.find_element(By.TAG_NAME, "h1").text == "Add a passkey?"
    click(browser, By.ID, "notNowButton")
    id_claims, access = web.exchange(browser)
    assert id_claims["cognito:username"] == "carol" and id_claims["nonce"] == "n-42"
    assert access["scope"] == "openid email profile"


def test_choice_based_sign_in_with_an_email_code(idp, endpoint, unique, callback, browser, emulator):
    web = choice_web(idp, endpoint, unique, callback)
    username_step(web, browser, "carol")
    click(browser, By.ID, "choice-EMAIL_OTP")
    assert text(browser, "hint") == "We emailed a code to c***@e***."
    submit_code(browser, "00000000")
    assert text(browser, "errorMessage") == "Invalid code or auth state for the user."
    shot(browser, "choice-email-code")
    submit_code(browser, emulator.last_code("carol", purpose="SIGN_IN_OTP"))
    click(browser, By.ID, "notNowButton")
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "carol" and id_claims["email"] == "carol@example.com"


# navigator.credentials.create() with StartWebAuthnRegistration's options (base64url fields as
# ArrayBuffers), answered as the RegistrationResponseJSON CompleteWebAuthnRegistration takes.
CREATE_PASSKEY = """
const [o, done] = arguments;
const dec = s => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), c => c.charCodeAt(0)).buffer;
const enc = b => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
const publicKey = {...o, challenge: dec(o.challenge), user: {...o.user, id: dec(o.user.id)},
  excludeCredentials: (o.excludeCredentials || []).map(c => ({...c, id: dec(c.id)}))};
delete publicKey.hints; delete publicKey.attestationFormats;
navigator.credentials.create({publicKey}).then(c => done({
  id: c.id, rawId: enc(c.rawId), type: c.type, clientExtensionResults: c.getClientExtensionResults(),
  authenticatorAttachment: c.authenticatorAttachment,
  response: {clientDataJSON: enc(c.response.clientDataJSON),
             attestationObject: enc(c.response.attestationObject),
             transports: c.response.getTransports()}}), e => done({error: String(e)}));
"""


def test_choice_based_sign_in_with_a_passkey_of_chromes_virtual_authenticator(
    idp, endpoint, unique, callback, browser
):
    from selenium.webdriver.common.virtual_authenticator import VirtualAuthenticatorOptions

    # The pool's relying party is `localhost` (README, passkeys): the pages must be on that origin.
    local = endpoint.replace("//127.0.0.1:", "//localhost:")
    web = choice_web(idp, local, unique, callback)
    browser.add_virtual_authenticator(
        VirtualAuthenticatorOptions(
            protocol="ctap2",
            transport="internal",
            has_resident_key=True,
            has_user_verification=True,
            is_user_verified=True,
        )
    )
    token = idp.initiate_auth(
        ClientId=web.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "carol", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    browser.get(web.authorize_url())
    credential = browser.execute_async_script(CREATE_PASSKEY, options)
    assert "error" not in credential, credential
    idp.complete_web_authn_registration(AccessToken=token, Credential=credential)

    username_step(web, browser, "carol")
    assert choices(browser) == ["Password", "Email code", "Passkey"]
    click(browser, By.ID, "choice-WEB_AUTHN")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sign in with a passkey"
    shot(browser, "choice-passkey")
    click(browser, By.ID, "passkeyButton")
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "carol"
    assert len(browser.get_credentials()) == 1


def confirm_with(driver, code):
    fill(driver, {"code": code})
    click(driver, By.NAME, "confirm")


def test_an_unconfirmed_user_with_the_right_password_confirms_and_goes_on_to_the_app(
    idp, endpoint, unique, callback, browser, emulator
):
    # Cognito's hosted UI sends an UNCONFIRMED user to the confirmation page with a new code; the
    # sign-in the password started goes on once the code is confirmed (no USER_AUTH needed).
    web = Web(idp, endpoint, unique, callback, pool={"AutoVerifiedAttributes": ["email"]})
    idp.sign_up(
        ClientId=web.client_id,
        Username="uma",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "uma@example.com"}],
    )
    web.password_step(browser, "uma")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Confirm your account"
    assert text(browser, "hint") == (
        "We have sent a code by email to u***@e***. Enter it below to confirm your account."
    )
    shot(browser, "unconfirmed-sign-in")
    # SignUp's code, then the page's (ResendConfirmationCode); "Send a new code" sends a third,
    # without filling the code field.
    assert len(emulator.messages(username="uma", purpose="RESEND_CONFIRMATION")) == 1
    click(browser, By.ID, "resendCode")
    assert len(emulator.messages(username="uma", purpose="RESEND_CONFIRMATION")) == 2
    assert browser.find_element(By.TAG_NAME, "h1").text == "Confirm your account"
    assert text(browser, "hint").startswith("We have sent a code by email to u***@e***.")
    code = emulator.last_code("uma")
    confirm_with(browser, wrong(code))
    assert error_after(browser, "code") == "Invalid verification code provided, please try again."
    proof = browser.find_element(By.NAME, "session").get_attribute("value")
    confirm_with(browser, code)
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "uma" and id_claims["email_verified"] is True
    assert idp.admin_get_user(UserPoolId=web.pool_id, Username="uma")["UserStatus"] == "CONFIRMED"
    # The same form posted again: the user is confirmed, the API's refusal on the page, no code.
    again = requests.post(
        f"{endpoint}/confirmUser?{urlsplit(web.authorize_url()).query}",
        data={"username": "uma", "session": proof, "code": code},
        allow_redirects=False,
        timeout=10,
    )
    assert again.status_code == 200 and "Current status is CONFIRMED" in again.text


def test_an_unconfirmed_user_with_a_wrong_password_confirms_then_signs_in_again(
    idp, endpoint, unique, callback, browser, emulator
):
    web = Web(idp, endpoint, unique, callback, pool={"AutoVerifiedAttributes": ["email"]})
    idp.sign_up(
        ClientId=web.client_id,
        Username="vic",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "vic@example.com"}],
    )
    # The API answers UserNotConfirmedException whatever the password, so the page asks for the
    # code either way; without the right password the confirmation does not sign in.
    web.password_step(browser, "vic", "wrong")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Confirm your account"
    # The page looks the same as with the right password: a session field, naming nothing.
    assert len(browser.find_element(By.NAME, "session").get_attribute("value")) > 20
    # A forged proof in the hidden field changes nothing.
    browser.execute_script("document.getElementsByName('session')[0].value = arguments[0]", "f" * 40)
    confirm_with(browser, emulator.last_code("vic"))
    assert text(browser, "successMessage") == "Your account has been confirmed. Sign in to continue."
    fill(browser, {"username": "vic", "password": PASSWORD})
    click(browser, By.NAME, "signInSubmitButton")
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "vic"


def test_an_unconfirmed_user_without_auto_verification_keeps_the_apis_message(
    idp, endpoint, unique, callback, browser
):
    web = Web(idp, endpoint, unique, callback)
    idp.sign_up(ClientId=web.client_id, Username="walt", Password=PASSWORD)
    web.password_step(browser, "walt")
    assert text(browser, "loginErrorMessage") == "User is not confirmed."


def test_the_reset_page_sends_a_new_code(idp, endpoint, unique, callback, browser, emulator):
    web = Web(idp, endpoint, unique, callback)
    web.user("rita", email="rita@example.com", email_verified="true")
    browser.get(web.authorize_url())
    click(browser, By.ID, "forgotPasswordLink")
    fill(browser, {"username": "rita"})
    click(browser, By.NAME, "reset_my_password")
    sent = len(emulator.messages(username="rita", purpose="FORGOT_PASSWORD"))
    click(browser, By.ID, "resendCode")
    assert len(emulator.messages(username="rita", purpose="FORGOT_PASSWORD")) == sent + 1
    assert text(browser, "hint").startswith("We have sent a password reset code by email to r***@e***.")
    fill(browser, {"code": emulator.last_code("rita", purpose="FORGOT_PASSWORD"), "password": NEW_PASSWORD})
    click(browser, By.NAME, "reset_password")
    assert text(browser, "successMessage") == "Your password has been reset. Sign in with your new password."
    fill(browser, {"username": "rita", "password": NEW_PASSWORD})
    click(browser, By.NAME, "signInSubmitButton")
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "rita"


def html_lang(driver):
    return driver.find_element(By.TAG_NAME, "html").get_attribute("lang")


def test_lang_is_kept_on_every_page_and_redirect(idp, endpoint, unique, callback, browser, emulator):
    # Texts are English only; `lang` is accepted, names the page's language and is not dropped.
    web = Web(idp, endpoint, unique, callback, mfa="ON", factors=["EMAIL"])
    web.user("lena", email="lena@example.com", email_verified="true")
    web.password_step(browser, "lena", "wrong", lang="fr")
    assert html_lang(browser) == "fr"
    assert "lang=fr" in browser.current_url
    assert text(browser, "loginErrorMessage") == "Incorrect username or password."
    fill(browser, {"username": "lena", "password": PASSWORD})
    click(browser, By.NAME, "signInSubmitButton")
    assert html_lang(browser) == "fr" and "lang=fr" in browser.current_url
    submit_code(browser, emulator.last_code("lena", purpose="MFA"))
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "lena"
    # Not a language tag: ignored, the page stays English and whole.
    browser.get(web.authorize_url(lang='"><script>window.pwned=1</script>'))
    assert html_lang(browser) == "en"
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_elements(By.NAME, "password")


def png(width, height, rgb):
    """A solid-colour PNG (PNG spec: IHDR, one IDAT, IEND)."""
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def css_of(driver, selector, prop):
    return driver.find_element(By.CSS_SELECTOR, selector).value_of_css_property(prop)


def test_ui_customization_css_and_logo_on_the_pages(idp, endpoint, unique, callback, browser):
    web = Web(idp, endpoint, unique, callback)
    web.user("bree", email="bree@example.com", email_verified="true")
    idp.create_user_pool_domain(Domain=f"brand-{unique}", UserPoolId=web.pool_id)
    # The pool-wide customization, with a try at ending the style element early.
    idp.set_ui_customization(
        UserPoolId=web.pool_id,
        CSS=".submitButton-customizable{background-color:#1d8102}"
        ".banner-customizable{background-color:#232f3e;padding:8px}"
        "</style><script>window.pwned=1</script>",
        ImageFile=png(120, 40, (255, 153, 0)),
    )
    stored = idp.get_ui_customization(UserPoolId=web.pool_id)["UICustomization"]
    assert stored["ImageUrl"].startswith("data:image/png;base64,")
    web.password_step(browser, "bree", "wrong")
    assert css_of(browser, "button[name=signInSubmitButton]", "background-color") == "rgba(29, 129, 2, 1)"
    assert css_of(browser, ".banner-customizable", "background-color") == "rgba(35, 47, 62, 1)"
    logo = browser.find_element(By.CSS_SELECTOR, "img.logo-customizable")
    assert logo.get_attribute("src") == stored["ImageUrl"]
    assert browser.execute_script("return arguments[0].naturalWidth", logo) == 120
    assert browser.execute_script("return window.pwned === undefined")
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 0
    assert "errorMessage-customizable" in browser.find_element(By.ID, "loginErrorMessage").get_attribute("class")
    shot(browser, "ui-customization")

    # The client's own customization replaces the pool-wide one (GetUICustomization's order).
    idp.set_ui_customization(
        UserPoolId=web.pool_id, ClientId=web.client_id, CSS=".label-customizable{color:#d91515}"
    )
    browser.get(web.authorize_url())
    assert css_of(browser, "label[for=username]", "color") == "rgba(217, 21, 21, 1)"
    assert css_of(browser, "button[name=signInSubmitButton]", "background-color") == "rgba(9, 114, 211, 1)"
    assert not browser.find_elements(By.CSS_SELECTOR, "img.logo-customizable")

    # Managed login branding: its form logo is the page's logo.
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30"><rect width="80" height="30" fill="#0972d3"/></svg>'
    idp.create_managed_login_branding(
        UserPoolId=web.pool_id,
        ClientId=web.client_id,
        Assets=[
            {"Category": "FORM_LOGO", "ColorMode": "DARK", "Extension": "PNG", "Bytes": png(10, 10, (0, 0, 0))},
            {"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "SVG", "Bytes": svg},
        ],
    )
    browser.get(web.authorize_url())
    src = browser.find_element(By.CSS_SELECTOR, "img.logo-customizable").get_attribute("src")
    assert src == "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    shot(browser, "managed-login-logo")
    fill(browser, {"username": "bree", "password": PASSWORD})
    click(browser, By.NAME, "signInSubmitButton")
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "bree"


def test_a_device_tracking_pool_signs_in_through_the_pages_without_remembering_the_browser(
    idp, endpoint, unique, callback, browser, emulator
):
    # Device tracking needs USER_SRP_AUTH and a device key kept by an SDK (Cognito Developer Guide,
    # "Working with user devices"); the hosted pages track no device, so every sign-in through them
    # answers MFA and no device is listed, whatever the pool's DeviceConfiguration says.
    web = Web(
        idp,
        endpoint,
        unique,
        callback,
        mfa="ON",
        factors=["EMAIL"],
        pool={
            "DeviceConfiguration": {
                "ChallengeRequiredOnNewDevice": True,
                "DeviceOnlyRememberedOnUserPrompt": False,
            }
        },
    )
    web.user("dev", email="dev@example.com", email_verified="true")
    for _ in range(2):
        web.password_step(browser, "dev")
        assert text(browser, "hint") == "We emailed a code to d***@e***."
        submit_code(browser, emulator.last_code("dev", purpose="MFA"))
        id_claims, access = web.exchange(browser)
        assert id_claims["cognito:username"] == "dev" and "device_key" not in access
    assert idp.admin_list_devices(UserPoolId=web.pool_id, Username="dev")["Devices"] == []


class _CustomAuth(BaseHTTPRequestHandler):
    """DefineAuthChallenge / CreateAuthChallenge webhooks: always one CUSTOM_CHALLENGE."""

    def do_POST(self):  # noqa: N802 (http.server's name)
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if event["triggerSource"].startswith("DefineAuthChallenge"):
            event["response"].update(challengeName="CUSTOM_CHALLENGE", issueTokens=False, failAuthentication=False)
        else:
            event["response"].update(publicChallengeParameters={"q": "2+2"}, privateChallengeParameters={"a": "4"})
        body = json.dumps(event).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_custom_auth_is_not_part_of_the_hosted_pages(idp, endpoint, unique, callback, browser):
    # Cognito's hosted UI runs no custom authentication: a pool with the challenge Lambdas signs in
    # with the password through the pages, and a CUSTOM_CHALLENGE session brought to a page is
    # told so, never signed in.
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CustomAuth)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_port}/"
    try:
        web = Web(
            idp,
            endpoint,
            unique,
            callback,
            client={"ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
        )
        requests.put(
            f"{endpoint}/_emulator/triggers/{web.pool_id}",
            json={"TriggerWebhooks": {"DefineAuthChallenge": hook, "CreateAuthChallenge": hook}},
            timeout=10,
        ).raise_for_status()
        web.user("cody")
        started = idp.initiate_auth(ClientId=web.client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "cody"})
        assert started["ChallengeName"] == "CUSTOM_CHALLENGE"
        page = requests.post(
            f"{endpoint}/mfa?{urlsplit(web.authorize_url()).query}",
            data={"session": started["Session"], "code": "4"},
            allow_redirects=False,
            timeout=10,
        )
        assert page.status_code == 200
        assert "Custom authentication challenges (CUSTOM_CHALLENGE) are not part of Cognito's hosted UI" in page.text
        web.password_step(browser, "cody")
        id_claims, _ = web.exchange(browser)
        assert id_claims["cognito:username"] == "cody"
    finally:
        server.shutdown()


def test_after_a_password_sign_in_the_prompt_adds_a_passkey_that_signs_in_next_time(
    idp, endpoint, unique, callback, browser
):
    from selenium.webdriver.common.virtual_authenticator import VirtualAuthenticatorOptions

    local = endpoint.replace("//127.0.0.1:", "//localhost:")
    web = choice_web(idp, local, unique, callback)
    browser.add_virtual_authenticator(
        VirtualAuthenticatorOptions(
            protocol="ctap2",
            transport="internal",
            has_resident_key=True,
            has_user_verification=True,
            is_user_verified=True,
        )
    )
    username_step(web, browser, "carol")
    click(browser, By.ID, "choice-PASSWORD")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    click(browser, By.NAME, "signInSubmitButton")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Add a passkey?"
    assert urlsplit(browser.current_url).path == "/login/challenge"
    shot(browser, "passkey-prompt")
    # A forged credential: CompleteWebAuthnRegistration's refusal on the prompt, nothing stored.
    browser.execute_script("document.getElementById('credential').value = '{\"id\":\"x\"}'")
    browser.execute_script("window.__before_submit = true; document.getElementById('passkeyForm').submit()")
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return !window.__before_submit && document.readyState === 'complete'")
    )
    assert browser.find_element(By.TAG_NAME, "h1").text == "Add a passkey?"
    assert text(browser, "errorMessage").startswith("Invalid passkey credential")
    # The real thing: Chrome's virtual authenticator creates it, the page posts it.
    click(browser, By.ID, "addPasskeyButton")
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "carol"
    assert len(browser.get_credentials()) == 1
    token = idp.initiate_auth(
        ClientId=web.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "carol", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    assert len(idp.list_web_authn_credentials(AccessToken=token)["Credentials"]) == 1

    # Next time the passkey signs in, and a user with a passkey gets no prompt.
    username_step(web, browser, "carol")
    assert choices(browser) == ["Password", "Email code", "Passkey"]
    click(browser, By.ID, "choice-WEB_AUTHN")
    click(browser, By.ID, "passkeyButton")
    id_claims, _ = web.exchange(browser)
    assert id_claims["cognito:username"] == "carol"

    # The prompt's endpoint without the session cookie of a sign-in: back to the sign-in form.
    query = urlsplit(web.authorize_url()).query
    resp = requests.post(f"{local}/passkeys/add?{query}", data={"skip": "1"}, allow_redirects=False, timeout=10)
    assert resp.status_code == 200 and "Your sign-in session has expired. Sign in again." in resp.text

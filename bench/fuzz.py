"""Hostile input against a running emulator, generated from the API model.

    python3 bench/fuzz.py BINARY [--cases 20000] [--threads 4] [--seed N] [--timeout 10]

Starts BINARY on a throw-away `:memory:` store (`--no-rate-limits`, `--fixed-code 123456`), makes
a few real things to aim at (a pool with optional TOTP MFA, an app client with every auth flow and
the OAuth2 code flow, a domain-free hosted UI, a group, confirmed and FORCE_CHANGE_PASSWORD users, a
signed-in user's tokens), then sends CASES requests drawn at random from:

  * every operation of model/service-2.json (the emulator's own model, the same shapes as
    src/model/catalog.rs): a body built from the input shape, member by member, where any value may
    be replaced by one of the wrong JSON type, a huge string (up to 1 MiB), unicode (astral, RTL,
    combining, lone surrogates escaped in JSON), control characters, deep nesting (up to 5 000
    levels), huge or fractional numbers; members dropped or invented; real ids and tokens mixed in
    so the store and the sign-in flows are reached, not just the validator;
  * raw bodies and headers: truncated or invalid JSON, invalid UTF-8, duplicate keys, a missing or
    unknown X-Amz-Target, wrong Content-Type, a random Authorization header;
  * RespondToAuthChallenge on real sessions (NEW_PASSWORD_REQUIRED, PASSWORD_VERIFIER from
    USER_SRP_AUTH with a random SRP_A, SELECT_CHALLENGE from USER_AUTH, SOFTWARE_TOKEN_MFA) with a
    random ChallengeName and random ChallengeResponses;
  * the OAuth2 and hosted UI endpoints (/oauth2/authorize, /oauth2/token, /oauth2/revoke,
    /oauth2/userInfo, /login, /signup, /confirmUser, /forgotPassword, /confirmForgotPassword,
    /mfa, /mfaSetup, /forceChangePassword, /logout, /error, /oauth2/idpresponse, .well-known) with
    random query strings, form bodies and methods;
  * the /_emulator/ endpoints (messages, clock, triggers, faults, tls, idp, import, requests, ui,
    export, snapshots: saved, restored and deleted under three names), except
    `POST /_emulator/reset` (it would wipe the targets) and except creating fault rules (a fault
    rule answers 5xx on purpose): /_emulator/faults only gets reads, deletes and bodies that are
    not JSON objects.

Each thread keeps one keep-alive connection. The server answers an oversize request (a URI over
64 KiB: 414, a head over 408 KiB: 431, a body over 1 MiB: 413) before it has read all of it and
then closes the connection, so the client's write can fail with EPIPE / ECONNRESET; the answer is
read anyway (as urllib3 does), and an oversize request whose answer the kernel discarded with the
reset counts as "closed". Any other request without an answer is a failure.

It fails (exit 1) on any answer >= 500, any request without an answer (or none within --timeout
seconds), a dead server, or "panicked" in the server's log, and prints the offending requests
(their first 300 bytes). The counts by status and the wall time are printed at the end.
"""

import argparse
import base64
import collections
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from benchlib import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "model", "service-2.json")
TARGET = "AWSCognitoIdentityProviderService."
MAX_BODY_BYTES = 1024 * 1024  # src/http/awsjson.rs

WEIRD_TEXT = [
    "",
    " ",
    "\x00",
    "\x00\x01\x02\x1f\x7f",
    "\r\n\r\nX-Injected: 1",
    "é" * 3,
    "e\u0301" * 50,
    "\u202eRTL\u202c",
    "\U0001F600" * 20,
    "\ud800",
    "\udfff\ud800",
    "\ufeff",
    "'; DROP TABLE users; --",
    "\" OR 1=1 --",
    "%00%ff%",
    "../../../../etc/passwd",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "null",
    "-1",
    "1e309",
    "us-east-1_",
    "us-east-1_\x00",
    "a" * 129,
    "a" * 2049,
    'email ^= "',
    'email = "a" or 1',
    "cognito:user_status = \"\\\"",
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
    "eyJ.eyJ.sig",
    "AAAA====",
    "\\u0000",
]

WEIRD_NUMBERS = [0, -1, 1, 2**31, 2**31 - 1, -(2**31), 2**63, -(2**63) - 1, 10**40, 0.5, -0.0, 1e308, 3.14]


def q(text):
    """Percent-encode any text, lone surrogates included."""
    return urllib.parse.quote(text.encode("utf-8", "surrogatepass"), safe="")




# Limits past which the server answers before it has read the whole request and then closes the
# connection (hyper's HTTP/1 defaults, and the JSON 1.1 layer's body limit above): a request line
# whose URI is longer than 65 534 bytes gets 414, a request head over hyper's 408 KiB read buffer
# (8 KiB + 100 x 4 KiB) gets 431, a body over 1 MiB gets 413 (2 MB for the hosted UI's forms,
# axum's default). A client still writing such a request then gets EPIPE or ECONNRESET.
MAX_URI_BYTES = 65534
MAX_HEAD_BYTES = 8192 + 4096 * 100


def head_bytes(method, path, headers):
    return len(method) + len(path.encode("utf-8", "surrogatepass")) + 11 + sum(
        len(k) + len(v.encode("latin-1", "replace")) + 4 for k, v in headers.items()
    )


class Client:
    """One keep-alive connection per client thread (http.client), reopened when the server closes it.

    A server may answer and close the connection before it has read the whole request (an
    oversize head or body: RFC 9112 section 9.6 on tear-down); the client's write then fails with
    EPIPE / ECONNRESET although the answer is already in its receive buffer. Like urllib3
    (connectionpool.py swallows BrokenPipeError while sending and reads the response), send()
    reads the answer anyway. When none can be read on a kept-alive connection (the server was
    closing it), the request is sent once more on a new connection; only an oversize request may
    then end as "closed" without an answer.
    """

    def __init__(self, port, timeout):
        self.port = port
        self.timeout = timeout
        self.conn = None
        self.cut_writes = 0  # requests whose write the server cut short, answer read anyway
        self.closed = collections.Counter()  # oversize requests without a readable answer, by why

    def _drop(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def send(self, method, path, body=b"", headers=None):
        """(status, body bytes); status None on a timeout, "closed" when an oversize request was
        cut without a readable answer; raises ConnectionError when no answer came otherwise."""
        headers = headers or {}
        uri = len(path.encode("utf-8", "surrogatepass"))
        oversize = len(body) > MAX_BODY_BYTES or uri > MAX_URI_BYTES or head_bytes(method, path, headers) > MAX_HEAD_BYTES
        errors = []
        for attempt in range(2):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            write_error = None
            try:
                try:
                    self.conn.request(method, path, body=body, headers=headers)
                except (BrokenPipeError, ConnectionResetError) as e:
                    write_error = e
                    if self.conn.sock is None:
                        raise
                resp = self.conn.getresponse()
                data = resp.read()
                if write_error is not None:
                    self.cut_writes += 1
                    self._drop()
                elif resp.getheader("connection", "").lower() == "close" or resp.will_close:
                    self._drop()
                return resp.status, data
            except socket.timeout:
                self._drop()
                return None, b""
            except (ConnectionError, http.client.HTTPException, OSError) as e:
                errors.append(f"{type(e).__name__}: {e}" + (f" (after write error {write_error!r})" if write_error else ""))
                self._drop()
                if not fresh and attempt == 0:
                    # A kept-alive connection the server was closing (after an answer that did not
                    # say "Connection: close"): the request never reached a handler; send it again
                    # on a new connection, as HTTP clients do.
                    continue
                if oversize:
                    what = "body" if len(body) > MAX_BODY_BYTES else "URI" if uri > MAX_URI_BYTES else "head"
                    self.closed[f"{what} over the limit, {type(e).__name__}"] += 1
                    return "closed", b""
        raise ConnectionError(
            f"no answer ({'; '.join(errors)}; {method} URI {uri} bytes, head {head_bytes(method, path, headers)} bytes, "
            f"body {len(body)} bytes, path {path[:120]!r}, headers {str(headers)[:300]})"
        )

    def api(self, op, body):
        status, data = self.send(
            "POST",
            "/",
            json.dumps(body).encode(),
            {"content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET + op},
        )
        try:
            return status, json.loads(data) if data else {}
        except ValueError:
            return status, {}


class Gen:
    def __init__(self, model, rnd, targets):
        self.shapes = model["shapes"]
        self.ops = model["operations"]
        self.r = rnd
        self.t = targets

    def text(self, name=None, shape=None):
        r = self.r
        real = self.t.get(name)
        if real and r.random() < 0.5:
            return r.choice(real) if isinstance(real, list) else real
        if shape and "enum" in shape and r.random() < 0.5:
            return r.choice(shape["enum"])
        p = r.random()
        if p < 0.3:
            return r.choice(WEIRD_TEXT)
        if p < 0.4:
            return r.choice("aZ0_-.@+ ") * r.choice([1, 100, 2048, 65536, 1 << 20])
        if p < 0.7:
            return "".join(chr(r.randrange(0x20, 0x7F)) for _ in range(r.randrange(0, 40)))
        if p < 0.85:
            return "".join(chr(r.randrange(0, 0x3000)) for _ in range(r.randrange(0, 30)))
        # Any code point, lone surrogates included (json.dumps escapes them as \\udXXX).
        return "".join(chr(r.randrange(0, 0x110000)) for _ in range(r.randrange(1, 20)))

    def wrong(self, depth):
        r = self.r
        p = r.random()
        if p < 0.1 and depth < 3:
            return self.deep()
        return r.choice(
            [None, True, False, r.choice(WEIRD_NUMBERS), self.text(), [], {}, [self.text()], {"x": self.text()}]
        )

    def deep(self):
        n = self.r.choice([10, 100, 1000, 5000])
        v = "x"
        for _ in range(n):
            v = [v] if self.r.random() < 0.5 else {"a": v}
        return v

    def value(self, shape_name, name=None, depth=0):
        r = self.r
        if r.random() < 0.05:
            return self.wrong(depth)
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if kind == "structure":
            return self.structure(shape_name, depth + 1)
        if kind == "list":
            if depth > 6:
                return []
            n = r.choice([0, 1, 1, 2, 3, 50]) if r.random() < 0.95 else 1000
            return [self.value(shape["member"]["shape"], name, depth + 1) for _ in range(n)]
        if kind == "map":
            if depth > 6:
                return {}
            return {
                self.text(): self.value(shape["value"]["shape"], None, depth + 1)
                for _ in range(r.choice([0, 1, 2, 5]))
            }
        if kind in ("integer", "long"):
            return r.choice(WEIRD_NUMBERS + [r.randrange(-10, 1000)])
        if kind == "boolean":
            return r.random() < 0.5
        if kind == "timestamp":
            return r.choice([0, -1, 1e12, 1.5e9, 2**63, "2020-01-01T00:00:00Z"])
        if kind == "blob":
            raw = bytes(r.randrange(256) for _ in range(r.randrange(0, 64)))
            return base64.b64encode(raw).decode() if r.random() < 0.8 else self.text()
        return self.text(name, shape)

    def structure(self, shape_name, depth=0):
        r = self.r
        shape = self.shapes[shape_name]
        required = set(shape.get("required", []))
        out = {}
        for m, spec in shape.get("members", {}).items():
            keep = r.random() < (0.9 if m in required else 0.5)
            if keep:
                out[m] = self.value(spec["shape"], m, depth)
        if r.random() < 0.1:
            out[self.text()] = self.wrong(depth)
        return out

    def operation_body(self, op):
        inp = self.ops[op].get("input")
        return self.structure(inp["shape"]) if inp else {}


def setup(c):
    def ok(op, body):
        status, out = c.api(op, body)
        if status != 200:
            raise RuntimeError(f"setup {op}: {status} {out}")
        return out

    pool = ok(
        "CreateUserPool",
        {"PoolName": "fuzz", "MfaConfiguration": "OPTIONAL", "AutoVerifiedAttributes": ["email"],
         "UsernameAttributes": ["email"], "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}},
    )["UserPool"]["Id"]
    ok("SetUserPoolMfaConfig", {"UserPoolId": pool, "MfaConfiguration": "OPTIONAL",
                                "SoftwareTokenMfaConfiguration": {"Enabled": True}})
    client = ok(
        "CreateUserPoolClient",
        {
            "UserPoolId": pool,
            "ClientName": "fuzz",
            "ExplicitAuthFlows": [
                "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH",
            ],
            "AllowedOAuthFlows": ["code", "implicit"],
            "AllowedOAuthFlowsUserPoolClient": True,
            "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
            "CallbackURLs": ["https://example.com/cb"],
            "LogoutURLs": ["https://example.com/out"],
            "SupportedIdentityProviders": ["COGNITO"],
        },
    )["UserPoolClient"]["ClientId"]
    ok("CreateGroup", {"UserPoolId": pool, "GroupName": "g"})
    users = []
    for i in range(4):
        name = f"user{i}@example.com"
        ok("AdminCreateUser", {"UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS",
                               "TemporaryPassword": "Temp-Pass-1!"})
        users.append(name)
    for name in users[:2]:
        ok("AdminSetUserPassword", {"UserPoolId": pool, "Username": name, "Password": "Passw0rd!x", "Permanent": True})
    auth = ok("InitiateAuth", {"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                               "AuthParameters": {"USERNAME": users[0], "PASSWORD": "Passw0rd!x"}})["AuthenticationResult"]
    return {
        "UserPoolId": [pool, pool, pool, "us-east-1_NoSuchP00l"],
        "ClientId": [client, client, client, "nosuchclient0000000000000a"],
        "Username": users + ["nobody"],
        "GroupName": ["g", "nope"],
        "AccessToken": [auth["AccessToken"], auth["IdToken"]],
        "RefreshToken": [auth["RefreshToken"]],
        "Password": ["Passw0rd!x", "Temp-Pass-1!"],
        "ProposedPassword": ["Passw0rd!y"],
        "PreviousPassword": ["Passw0rd!x"],
        "_users": users,
    }


CHALLENGE_KEYS = [
    "USERNAME", "NEW_PASSWORD", "PASSWORD", "PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK",
    "TIMESTAMP", "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA_CODE", "EMAIL_OTP_CODE", "SMS_OTP_CODE", "ANSWER",
    "SECRET_HASH", "DEVICE_KEY", "SRP_A", "CREDENTIAL", "MFA_TYPE", "userAttributes.email",
    "userAttributes.name", "requiredAttributes", "ANSWER\x00",
]


def challenge_case(c, g, t):
    """A real session, then a random answer to it."""
    r = g.r
    client = t["ClientId"][0]
    users = t["_users"]
    how = r.randrange(4)
    if how == 0:  # FORCE_CHANGE_PASSWORD user -> NEW_PASSWORD_REQUIRED
        body = {"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": r.choice(users[2:]), "PASSWORD": "Temp-Pass-1!"}}
    elif how == 1:  # USER_SRP_AUTH -> PASSWORD_VERIFIER
        srp_a = format(r.getrandbits(3072) | 1, "x") if r.random() < 0.8 else r.choice(["0", "00", "N", "-1", ""])
        body = {"ClientId": client, "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": {"USERNAME": r.choice(users), "SRP_A": srp_a}}
    elif how == 2:  # USER_AUTH -> SELECT_CHALLENGE
        body = {"ClientId": client, "AuthFlow": "USER_AUTH", "AuthParameters": {"USERNAME": r.choice(users)}}
    else:  # CUSTOM_AUTH (no triggers: an error, or a session)
        body = {"ClientId": client, "AuthFlow": "CUSTOM_AUTH", "AuthParameters": {"USERNAME": r.choice(users)}}
    results = []
    status, out = c.api("InitiateAuth", body)
    results.append(("InitiateAuth " + body["AuthFlow"], status, json.dumps(body)[:300]))
    session = out.get("Session") or g.text()
    for _ in range(r.randrange(1, 4)):
        responses = {}
        for _ in range(r.randrange(0, 6)):
            key = r.choice(CHALLENGE_KEYS) if r.random() < 0.85 else g.text()
            if key == "USERNAME" and r.random() < 0.7:
                val = r.choice(users)
            elif key == "TIMESTAMP" and r.random() < 0.5:
                val = time.strftime("%a %b %-d %H:%M:%S UTC %Y", time.gmtime())
            elif key in ("SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA_CODE", "EMAIL_OTP_CODE") and r.random() < 0.5:
                val = r.choice(["123456", "000000", "12345678"])
            elif key == "PASSWORD_CLAIM_SIGNATURE" and r.random() < 0.5:
                val = base64.b64encode(os.urandom(32)).decode()
            elif key == "PASSWORD_CLAIM_SECRET_BLOCK" and r.random() < 0.5:
                val = base64.b64encode(os.urandom(r.choice([0, 16, 100, 1000]))).decode()
            else:
                val = g.text() if r.random() < 0.9 else g.wrong(0)
            responses[key] = val
        answer = {"ClientId": client if r.random() < 0.9 else g.text(),
                  "ChallengeName": g.text("ChallengeName", g.shapes["ChallengeNameType"]),
                  "Session": session if r.random() < 0.9 else g.text(),
                  "ChallengeResponses": responses}
        if r.random() < 0.1:
            answer["ChallengeResponses"] = g.wrong(0)
        status, out = c.api("RespondToAuthChallenge", answer)
        results.append(("RespondToAuthChallenge", status, json.dumps(answer)[:300]))
        session = out.get("Session") or session
    return results


HOSTED_PATHS = [
    ("GET", "/oauth2/authorize"), ("POST", "/oauth2/token"), ("POST", "/oauth2/revoke"),
    ("GET", "/oauth2/userInfo"), ("POST", "/oauth2/userInfo"), ("GET", "/oauth2/idpresponse"),
    ("GET", "/login"), ("POST", "/login"), ("GET", "/signup"), ("POST", "/signup"),
    ("GET", "/confirmUser"), ("POST", "/confirmUser"), ("GET", "/forgotPassword"), ("POST", "/forgotPassword"),
    ("GET", "/confirmForgotPassword"), ("POST", "/confirmForgotPassword"), ("POST", "/mfa"),
    ("POST", "/mfaSetup"), ("POST", "/forceChangePassword"), ("GET", "/logout"), ("GET", "/error"),
    ("GET", "/{pool}/.well-known/jwks.json"), ("GET", "/{pool}/.well-known/openid-configuration"),
    ("GET", "/_emulator/idp/{pool}/{text}/authorize"), ("POST", "/_emulator/idp/{pool}/{text}/authorize"),
    ("POST", "/_emulator/idp/{pool}/{text}/next"), ("POST", "/login/challenge"),
]

FORM_KEYS = [
    "grant_type", "code", "redirect_uri", "client_id", "client_secret", "refresh_token", "code_verifier",
    "scope", "token", "response_type", "state", "nonce", "code_challenge", "code_challenge_method",
    "identity_provider", "idp_identifier", "username", "password", "new_password", "code", "session",
    "logout_uri", "lang", "error", "email", "_csrf", "confirmation_code", "totp", "mfa_code", "prompt",
]


def form(g, t):
    r = g.r
    pairs = []
    for _ in range(r.randrange(0, 10)):
        k = r.choice(FORM_KEYS) if r.random() < 0.85 else g.text()
        if k == "client_id" and r.random() < 0.7:
            v = t["ClientId"][0]
        elif k == "redirect_uri" and r.random() < 0.5:
            v = r.choice(["https://example.com/cb", "https://evil.example/cb", "javascript:alert(1)"])
        elif k == "grant_type" and r.random() < 0.7:
            v = r.choice(["authorization_code", "refresh_token", "client_credentials", "password", ""])
        elif k == "response_type" and r.random() < 0.7:
            v = r.choice(["code", "token", "id_token", "code token"])
        elif k == "refresh_token" and r.random() < 0.5:
            v = t["RefreshToken"][0]
        elif k == "username" and r.random() < 0.5:
            v = r.choice(t["_users"])
        else:
            v = g.text()
        pairs.append((k, v))
    try:
        encoded = urllib.parse.urlencode(pairs)
    except UnicodeEncodeError:
        encoded = urllib.parse.urlencode([(k.encode("utf-8", "surrogatepass"), v.encode("utf-8", "surrogatepass")) for k, v in pairs])
    if r.random() < 0.1:
        encoded = r.choice(["%", "%zz", "a=%ff%fe", "&&&==", "a" * 100000, "x=%00&y=%0d%0a"])
    return encoded


def hosted_case(c, g, t):
    r = g.r
    method, path = r.choice(HOSTED_PATHS)
    path = path.replace("{pool}", q(r.choice(t["UserPoolId"]) if r.random() < 0.7 else g.text()))
    path = path.replace("{text}", urllib.parse.quote(g.text().encode("utf-8", "surrogatepass"), safe=""))
    query = form(g, t)
    headers = {}
    if r.random() < 0.3:
        headers["authorization"] = r.choice(["Bearer " + t["AccessToken"][0], "Bearer " + g.text(), "Basic " + g.text(), g.text()])
    if r.random() < 0.3:
        headers["cookie"] = f"{r.choice(['session', 'XSRF-TOKEN', 'cognito', g.text()])}={g.text()}"
    headers = {k: v.encode("latin-1", "replace").decode("latin-1").replace("\r", "").replace("\n", "") for k, v in headers.items()}
    if method == "GET":
        return method, f"{path}?{query}", b"", headers
    headers["content-type"] = r.choice(["application/x-www-form-urlencoded", "application/json", "text/plain", ""])
    return method, f"{path}?{form(g, t)}" if r.random() < 0.2 else path, query.encode(), headers


def emulator_case(c, g, t):
    r = g.r
    pool = r.choice(t["UserPoolId"]) if r.random() < 0.7 else g.text()
    qpool = urllib.parse.quote(pool.encode("utf-8", "surrogatepass"), safe="")
    snapshot = r.choice(["fuzz-a", "fuzz-b", "fuzz-c"]) if r.random() < 0.9 else g.text()
    choices = [
        ("GET", f"/_emulator/messages?{form(g, t)}"),
        ("GET", f"/_emulator/messages/latest?{form(g, t)}"),
        ("DELETE", f"/_emulator/messages?{form(g, t)}"),
        ("GET", "/_emulator/clock"),
        ("POST", "/_emulator/clock"),
        ("GET", "/_emulator/health"),
        ("GET", f"/_emulator/triggers/{qpool}"),
        ("POST", f"/_emulator/triggers/{qpool}"),
        ("PUT", f"/_emulator/triggers/{qpool}"),
        ("DELETE", f"/_emulator/triggers/{qpool}"),
        ("GET", "/_emulator/faults"),
        ("DELETE", f"/_emulator/faults/{urllib.parse.quote(g.text().encode('utf-8', 'surrogatepass'), safe='')}"),
        ("POST", "/_emulator/faults"),
        ("GET", "/_emulator/tls/ca.pem"),
        ("DELETE", "/_emulator/faults"),
        ("GET", f"/_emulator/requests?{form(g, t)}"),
        ("GET", "/_emulator/ui"),
        ("GET", "/_emulator/ui/"),
        ("GET", f"/_emulator/ui/pools/{qpool}"),
        ("GET", f"/_emulator/ui/pools/{qpool}/users/{q(r.choice(t['_users']) if r.random() < 0.5 else g.text())}"),
        ("GET", f"/_emulator/export?{form(g, t)}"),
        ("GET", "/_emulator/snapshots"),
        # A few fixed names, so saves, restores and deletes meet; a restore brings back a state
        # saved after the set-up, so the targets above stay.
        ("POST", f"/_emulator/snapshots/{q(snapshot)}"),
        ("DELETE", f"/_emulator/snapshots/{q(snapshot)}"),
        ("POST", f"/_emulator/snapshots/{q(snapshot)}/restore"),
        ("PUT", f"/_emulator/import/{urllib.parse.quote(g.text().encode('utf-8', 'surrogatepass'), safe='')}"),
    ]
    method, path = r.choice(choices)
    if path == "/_emulator/faults" and method == "POST":
        # Never a JSON object: no fault rule can be made by accident.
        body = r.choice([b"", b"[]", b"null", b"{", b"\xff\xfe", json.dumps(g.text()).encode(), b"42"])
    elif method in ("POST", "PUT"):
        p = r.random()
        if p < 0.5 and "clock" in path:
            body = json.dumps(r.choice([
                {"offsetSeconds": r.choice(WEIRD_NUMBERS)}, {"advanceSeconds": r.choice(WEIRD_NUMBERS)},
                {"now": r.choice(WEIRD_NUMBERS + ["2020-01-01T00:00:00Z", g.text()])},
                {"set": g.text()}, {"reset": True},
            ])).encode()
        elif p < 0.8:
            body = json.dumps({g.text(): g.wrong(0) for _ in range(r.randrange(0, 4))} if r.random() < 0.5
                              else {k: g.wrong(0) for k in ["url", "triggers", "PreSignUp", "events", "offset"]}).encode()
        else:
            body = g.text().encode("utf-8", "surrogatepass")
    else:
        body = b""
    return method, path, body, {"content-type": "application/json"}


def raw_case(c, g, t):
    r = g.r
    op = r.choice(list(g.ops))
    p = r.random()
    if p < 0.3:
        body = json.dumps(g.operation_body(op)).encode()
        cut = r.randrange(0, max(1, len(body)))
        body = body[:cut]
    elif p < 0.45:
        body = b"\xff\xfe{\"a\":\"\xc3\x28\"}"
    elif p < 0.6:
        body = b'{"UserPoolId":"a","UserPoolId":"b","Username":"x","Username":1}'
    elif p < 0.7:
        body = b"[" * 100000 + b"]" * 100000
    elif p < 0.8:
        body = ('{"ClientId":' + "9" * 5000 + "}").encode()
    else:
        body = json.dumps(g.operation_body(op)).encode()
    headers = {"content-type": r.choice(["application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json", "text/plain", ""])}
    q = r.random()
    if q < 0.8:
        headers["x-amz-target"] = TARGET + op
    elif q < 0.9:
        headers["x-amz-target"] = r.choice([op, TARGET, "Other." + op, TARGET + "NoSuchOperation", g.text()]).encode("latin-1", "replace").decode("latin-1").replace("\r", "").replace("\n", "")
    if r.random() < 0.3:
        headers["authorization"] = "AWS4-HMAC-SHA256 Credential=" + "A" * r.choice([0, 10, 5000])
    return "POST", "/", body, headers


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=10.0, help="per-request timeout, seconds")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    # Deep nesting (5 000 levels) goes through json.dumps' recursion.
    sys.setrecursionlimit(50000)
    threading.stack_size(256 * 1024 * 1024)
    model = json.load(open(MODEL))
    port = free_port()
    logf = tempfile.NamedTemporaryFile(prefix="fuzz-server-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [args.binary, "--host", "127.0.0.1", "--port", str(port), "--db", ":memory:",
         "--no-rate-limits", "--fixed-code", "123456"],
        stdout=logf, stderr=subprocess.STDOUT,
    )
    c = Client(port, args.timeout)
    for _ in range(600):
        try:
            if c.send("GET", "/_emulator/health")[0] == 200:
                break
        except ConnectionError:
            time.sleep(0.05)
    targets = setup(c)
    print(f"binary: {args.binary}; cases: {args.cases}; threads: {args.threads}; seed: {seed}; server log: {logf.name}")

    statuses = collections.Counter()
    kinds = collections.Counter()
    bad = []
    lock = threading.Lock()
    counter = iter(range(args.cases))
    cut_writes = [0] * args.threads
    closed_why = [collections.Counter()] * args.threads
    t0 = time.time()

    def worker(wid):
        g = Gen(model, random.Random(seed * 1000 + wid), targets)
        cl = Client(port, args.timeout)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            p = g.r.random()
            try:
                if p < 0.55:
                    kind = "operation"
                    op = g.r.choice(list(g.ops))
                    body = json.dumps(g.operation_body(op)).encode()
                    headers = {"content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET + op}
                    if g.r.random() < 0.2:
                        headers["authorization"] = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0"
                    results = [(op, *cl.send("POST", "/", body, headers)[:1], body[:300])]
                elif p < 0.7:
                    kind = "challenge"
                    results = challenge_case(cl, g, targets)
                elif p < 0.82:
                    kind = "hosted"
                    method, path, body, headers = hosted_case(cl, g, targets)
                    results = [(f"{method} {path[:200]}", cl.send(method, path, body, headers)[0], body[:300])]
                elif p < 0.9:
                    kind = "emulator"
                    method, path, body, headers = emulator_case(cl, g, targets)
                    results = [(f"{method} {path[:200]}", cl.send(method, path, body, headers)[0], body[:300])]
                else:
                    kind = "raw"
                    method, path, body, headers = raw_case(cl, g, targets)
                    results = [(f"raw {headers.get('x-amz-target', '-')[:80]}", cl.send(method, path, body, headers)[0], body[:300])]
            except ConnectionError as e:
                # A request that got no answer at all is a failure; the thread goes on while the
                # server is alive (it stops when the server is gone).
                with lock:
                    kinds[kind] += 1
                    statuses["no answer"] += 1
                    bad.append((f"no answer at {time.time() - t0:.1f} s", "no answer", str(e)))
                if proc.poll() is not None:
                    return
                continue
            finally:
                with lock:
                    cut_writes[wid] = cl.cut_writes
                    closed_why[wid] = cl.closed
            with lock:
                kinds[kind] += 1
                for what, status, sent in results:
                    statuses[status if status is not None else "timeout"] += 1
                    if status is None or (isinstance(status, int) and status >= 500):
                        bad.append((what, status, sent))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(args.threads)]
    for th in threads:
        th.start()
    last = time.time()
    while any(th.is_alive() for th in threads):
        time.sleep(1)
        if time.time() - last > 30:
            last = time.time()
            print(f"  {sum(kinds.values())} cases, {sum(statuses.values())} requests, {time.time() - t0:.0f} s", flush=True)
    elapsed = time.time() - t0
    alive = proc.poll() is None
    faults = c.send("GET", "/_emulator/faults")[1] if alive else b""
    proc.terminate()
    proc.wait()
    logf.close()
    log = open(logf.name, "rb").read().decode("utf-8", "replace")
    panics = log.count("panicked")
    print(f"{sum(kinds.values())} cases ({dict(kinds)}), {sum(statuses.values())} requests in {elapsed:.0f} s")
    print("answers by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))
    print(f"requests whose write the server cut short (answer read anyway): {sum(cut_writes)}; "
          f"oversize requests closed without a readable answer: {statuses['closed']} "
          f"{dict(sum(closed_why, collections.Counter()))}")
    print(f">= 500: {sum(1 for b in bad if isinstance(b[1], int))}; no answer: {statuses['no answer']}; timeouts: {statuses['timeout']}; panics in log: {panics}; server alive at end: {alive}; fault rules at end: {faults[:100]!r}")
    for what, status, sent in bad[:30]:
        print(f"  FAIL {status} {what}: {sent!r}")
    if bad or panics or not alive:
        if panics:
            i = log.find("panicked")
            print(log[max(0, i - 500): i + 1500])
        sys.exit(1)
    os.unlink(logf.name)


if __name__ == "__main__":
    main()

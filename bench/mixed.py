"""Mixed load: sign-ups, every sign-in path, reads and admin writes on 64 connections.

    python3 bench/mixed.py BINARY [--seconds 300] [--connections 64] [--timeout 30]

Needs aiohttp (bench/requirements.txt); SRP sign-ins use pycognito's AWSSRP
(tests/clients/python/requirements.txt) through boto3, and are skipped (said so in the output) when
pycognito is not importable. The server runs on a file database in a temporary directory with
--no-rate-limits. Each connection loops over a weighted random choice of:

  sign-up      SignUp + AdminConfirmSignUp of a new user (then usable by the other steps)
  password     InitiateAuth USER_PASSWORD_AUTH
  srp          USER_SRP_AUTH + PASSWORD_VERIFIER (pycognito, in a thread; at most 4 at a time)
  mfa          InitiateAuth of a TOTP user -> SOFTWARE_TOKEN_MFA -> RespondToAuthChallenge
               (the code computed from the secret AssociateSoftwareToken gave, RFC 6238)
  refresh      InitiateAuth REFRESH_TOKEN_AUTH
  GetUser, AdminGetUser, ListUsers (Filter email ^= "..."),
  AdminUpdateUserAttributes, AdminAddUserToGroup / AdminRemoveUserFromGroup

It prints, per step, the answers by status (and by __type for 4xx), timeouts, p50 / p99 latency,
and the server's RSS sampled every 5 s. Exit status 1 on any answer >= 500 or any timeout.
"""

import argparse
import asyncio
import base64
import collections
import hashlib
import hmac
import json
import os
import random
import socket
import struct
import subprocess
import sys
import tempfile
import time

import aiohttp

from benchlib import free_port, rss_kib

try:
    import boto3
    from botocore.config import Config
    from pycognito.aws_srp import AWSSRP
except ImportError:  # SRP sign-ins are skipped
    AWSSRP = None

TARGET = "AWSCognitoIdentityProviderService."
PASSWORD = "Passw0rd!mixed"
SIGV4 = (
    "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/cognito-idp/aws4_request, "
    "SignedHeaders=host, Signature=0"
)
WEIGHTS = {
    "sign-up": 8,
    "password": 12,
    "srp": 4,
    "mfa": 6,
    "refresh": 10,
    "GetUser": 15,
    "AdminGetUser": 15,
    "ListUsers": 6,
    "AdminUpdateUserAttributes": 10,
    "group": 6,
}






def totp(secret_b32, at=None):
    """RFC 6238 with Cognito's parameters: SHA-1, 30 s, 6 digits."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((at or time.time()) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[o:o + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Stats:
    def __init__(self):
        self.status = collections.defaultdict(collections.Counter)
        self.latency = collections.defaultdict(list)
        self.bad = []

    def record(self, step, status, out, seconds):
        key = status
        if isinstance(status, int) and 400 <= status < 500:
            key = f"{status} {out.get('__type', '')}"
        self.status[step][key] += 1
        self.latency[step].append(seconds)
        if status in ("timeout", "connection error") or (isinstance(status, int) and status >= 500):
            self.bad.append((step, status, str(out)[:300]))


class Load:
    def __init__(self, url, session, stats, timeout):
        self.url = url
        self.s = session
        self.stats = stats
        self.timeout = timeout
        self.users = []  # (username, sub) of confirmed users with PASSWORD
        self.tokens = {}  # username -> (access, refresh)
        self.mfa_users = []  # (username, secret)
        self.mfa_sign_ins = 0  # SOFTWARE_TOKEN_MFA answers that gave tokens
        self.n = 0

    async def call(self, step, op, body, record=True):
        t = time.perf_counter()
        try:
            async with self.s.post(
                self.url + "/",
                data=json.dumps(body),
                headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + op,
                         "Authorization": SIGV4},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as r:
                text = await r.text()
                status, out = r.status, (json.loads(text) if text else {})
        except asyncio.TimeoutError:
            status, out = "timeout", {}
        except aiohttp.ClientError as e:
            # A refused, reset or half-answered request is a failure of its own, not a crash of
            # the load generator.
            status, out = "connection error", {"error": repr(e)[:200]}
        if record:
            self.stats.record(step, status, out, time.perf_counter() - t)
        return status, out

    async def ok(self, op, body):
        status, out = await self.call("setup", op, body)
        if status != 200:
            raise SystemExit(f"set-up {op}: {status} {out}")
        return out

    async def setup(self):
        self.pool = (await self.ok("CreateUserPool", {"PoolName": "mixed", "MfaConfiguration": "OPTIONAL"}))["UserPool"]["Id"]
        await self.ok("SetUserPoolMfaConfig", {"UserPoolId": self.pool, "MfaConfiguration": "OPTIONAL",
                                               "SoftwareTokenMfaConfiguration": {"Enabled": True}})
        self.client = (await self.ok("CreateUserPoolClient", {
            "UserPoolId": self.pool, "ClientName": "mixed",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                                  "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
        }))["UserPoolClient"]["ClientId"]
        for g in ("readers", "writers"):
            await self.ok("CreateGroup", {"UserPoolId": self.pool, "GroupName": g})
        for _ in range(50):
            await self.sign_up(record=False)
        for _ in range(16):
            await self.new_mfa_user(record=False)

    async def new_mfa_user(self, record=True):
        """A confirmed user with TOTP MFA preferred: [name, secret, last 30 s window used]."""
        self.n += 1
        name = f"mfa{self.n}"

        async def ok(op, body):
            status, out = await self.call("mfa", op, body, record)
            return out if status == 200 else None

        if await ok("AdminCreateUser", {"UserPoolId": self.pool, "Username": name, "MessageAction": "SUPPRESS",
                                        "TemporaryPassword": PASSWORD}) is None:
            return
        await ok("AdminSetUserPassword", {"UserPoolId": self.pool, "Username": name, "Password": PASSWORD,
                                          "Permanent": True})
        out = await ok("InitiateAuth", {"ClientId": self.client, "AuthFlow": "USER_PASSWORD_AUTH",
                                        "AuthParameters": {"USERNAME": name, "PASSWORD": PASSWORD}})
        access = out["AuthenticationResult"]["AccessToken"] if out else ""
        out = await ok("AssociateSoftwareToken", {"AccessToken": access})
        if out is None:
            return
        secret = out["SecretCode"]
        window = int(time.time() // 30)
        await ok("VerifySoftwareToken", {"AccessToken": access, "UserCode": totp(secret, window * 30)})
        await ok("SetUserMFAPreference", {"AccessToken": access,
                                          "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True}})
        # Cognito takes each TOTP code once ("Your software token has already been used once"):
        # the window of the code that verified the token counts as used.
        self.mfa_users.append([name, secret, window])

    async def sign_up(self, record=True):
        self.n += 1
        name = f"u{self.n}-{random.getrandbits(32):08x}"
        status, out = await self.call("sign-up", "SignUp", {
            "ClientId": self.client, "Username": name, "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": f"{name}@example.com"}]}, record)
        if status == 200:
            status, _ = await self.call("sign-up", "AdminConfirmSignUp", {"UserPoolId": self.pool, "Username": name}, record)
            if status == 200:
                self.users.append(name)
                await self.password(name, record)

    async def password(self, name=None, record=True):
        name = name or random.choice(self.users)
        status, out = await self.call("password", "InitiateAuth", {
            "ClientId": self.client, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": name, "PASSWORD": PASSWORD}}, record)
        if status == 200 and "AuthenticationResult" in out:
            a = out["AuthenticationResult"]
            self.tokens[name] = (a["AccessToken"], a["RefreshToken"])

    async def step(self, what, srp_slots, loop):
        r = random
        name = r.choice(self.users)
        if what == "sign-up":
            await self.sign_up()
        elif what == "password":
            await self.password()
        elif what == "srp":
            if AWSSRP is None:
                return
            async with srp_slots:
                t = time.perf_counter()
                status, out = await loop.run_in_executor(None, self.srp, name)
                self.stats.record("srp", status, out, time.perf_counter() - t)
        elif what == "mfa":
            window = int(time.time() // 30)
            free = [u for u in self.mfa_users if u[2] < window]
            if not free:
                # Every MFA user has signed in during this window: a new one, since a code is
                # good for one sign-in only.
                await self.new_mfa_user()
                return
            entry = r.choice(free)
            entry[2] = window
            user, secret = entry[0], entry[1]
            status, out = await self.call("mfa", "InitiateAuth", {
                "ClientId": self.client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}})
            if status == 200 and out.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
                status, out = await self.call("mfa", "RespondToAuthChallenge", {
                    "ClientId": self.client, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": out["Session"],
                    "ChallengeResponses": {"USERNAME": user, "SOFTWARE_TOKEN_MFA_CODE": totp(secret, window * 30)}})
                if status == 200 and "AuthenticationResult" in out:
                    self.mfa_sign_ins += 1
                elif status == 200:
                    self.stats.bad.append(("mfa", status, f"no tokens after the MFA code: {str(out)[:200]}"))
            elif status == 200:
                self.stats.bad.append(("mfa", status, f"no SOFTWARE_TOKEN_MFA challenge: {str(out)[:200]}"))
        elif what == "refresh":
            if name in self.tokens:
                await self.call("refresh", "InitiateAuth", {
                    "ClientId": self.client, "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "AuthParameters": {"REFRESH_TOKEN": self.tokens[name][1]}})
        elif what == "GetUser":
            if name in self.tokens:
                await self.call("GetUser", "GetUser", {"AccessToken": self.tokens[name][0]})
        elif what == "AdminGetUser":
            await self.call("AdminGetUser", "AdminGetUser", {"UserPoolId": self.pool, "Username": name})
        elif what == "ListUsers":
            await self.call("ListUsers", "ListUsers", {"UserPoolId": self.pool, "Limit": 10,
                                                       "Filter": f'email ^= "{name[:4]}"'})
        elif what == "AdminUpdateUserAttributes":
            await self.call("AdminUpdateUserAttributes", "AdminUpdateUserAttributes", {
                "UserPoolId": self.pool, "Username": name,
                "UserAttributes": [{"Name": "name", "Value": f"N {random.getrandbits(20)}"}]})
        elif what == "group":
            op = r.choice(["AdminAddUserToGroup", "AdminRemoveUserFromGroup"])
            await self.call("group", op, {"UserPoolId": self.pool, "Username": name,
                                          "GroupName": r.choice(["readers", "writers"])})

    def srp(self, name):
        if not hasattr(self, "boto"):
            self.boto = boto3.client(
                "cognito-idp", region_name="us-east-1", endpoint_url=self.url,
                aws_access_key_id="x", aws_secret_access_key="x",
                config=Config(retries={"max_attempts": 1}, read_timeout=self.timeout, connect_timeout=self.timeout,
                              max_pool_connections=8),
            )
        try:
            out = AWSSRP(username=name, password=PASSWORD, pool_id=self.pool, client_id=self.client,
                         client=self.boto).authenticate_user()
            return (200, out) if "AuthenticationResult" in out else (200, {"__type": "no tokens"})
        except self.boto.exceptions.ClientError as e:
            meta = e.response.get("ResponseMetadata", {})
            return meta.get("HTTPStatusCode", 400), {"__type": e.response.get("Error", {}).get("Code", "")}
        except Exception as e:  # a timeout or a connection error of botocore
            return "timeout", {"error": repr(e)}


async def run(args, url, pid):
    stats = Stats()
    conn = aiohttp.TCPConnector(limit=args.connections)
    async with aiohttp.ClientSession(connector=conn) as session:
        load = Load(url, session, stats, args.timeout)
        await load.setup()
        stats.status.pop("setup", None)
        stats.latency.pop("setup", None)
        loop = asyncio.get_running_loop()
        srp_slots = asyncio.Semaphore(4)
        steps, weights = zip(*WEIGHTS.items())
        stop = time.time() + args.seconds
        rss = []

        async def sampler():
            t0 = time.time()
            while time.time() < stop:
                rss.append((round(time.time() - t0), rss_kib(pid)))
                await asyncio.sleep(5)
            rss.append((round(time.time() - t0), rss_kib(pid)))

        async def worker():
            while time.time() < stop:
                await load.step(random.choices(steps, weights)[0], srp_slots, loop)

        t0 = time.time()
        await asyncio.gather(sampler(), *(worker() for _ in range(args.connections)))
        elapsed = time.time() - t0
    return stats, rss, elapsed, len(load.users), load.mfa_sign_ins


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--timeout", type=float, default=30, help="per-request timeout, seconds")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="mixed-")
    port = free_port()
    log = open(os.path.join(tmp, "server.log"), "wb")
    proc = subprocess.Popen([args.binary, "--host", "127.0.0.1", "--port", str(port), "--db",
                             os.path.join(tmp, "mixed.db"), "--no-rate-limits"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), 0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        print(f"binary: {args.binary}; {args.connections} connections for {args.seconds:.0f} s; "
              f"SRP: {'pycognito AWSSRP' if AWSSRP else 'SKIPPED (pycognito not importable)'}")
        stats, rss, elapsed, users, mfa_sign_ins = asyncio.run(run(args, url, proc.pid))
        alive = proc.poll() is None
    finally:
        proc.terminate()
        proc.wait()
        log.close()
    panics = open(os.path.join(tmp, "server.log"), "rb").read().count(b"panicked")
    total = sum(sum(c.values()) for c in stats.status.values())
    print(f"{total} answers in {elapsed:.0f} s ({total / elapsed:.0f}/s); {users} confirmed users at the end; "
          f"{mfa_sign_ins} MFA sign-ins completed with tokens (the mfa line also counts the set-up of MFA users)")
    print("| step | answers | by status | p50 ms | p99 ms |")
    print("|---|---:|---|---:|---:|")
    for step in WEIGHTS:
        lat = sorted(stats.latency.get(step, []))
        if not lat:
            print(f"| {step} | 0 | | | |")
            continue
        by = ", ".join(f"{k}: {v}" for k, v in sorted(stats.status[step].items(), key=lambda kv: str(kv[0])))
        print(f"| {step} | {len(lat)} | {by} | {lat[len(lat) // 2] * 1000:.1f} | "
              f"{lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000:.1f} |")
    print("server RSS (s: MiB): " + ", ".join(f"{t}: {k / 1024:.1f}" for t, k in rss))
    if rss:
        print(f"server RSS first / after warm-up (>= 10 s) / last / max: {rss[0][1] / 1024:.1f} / "
              f"{next((k for t, k in rss if t >= 10), rss[-1][1]) / 1024:.1f} / {rss[-1][1] / 1024:.1f} / "
              f"{max(k for _, k in rss) / 1024:.1f} MiB ({len(rss)} samples)")
    timeouts = sum(c["timeout"] for c in stats.status.values())
    over = sum(1 for b in stats.bad if isinstance(b[1], int) and b[1] >= 500)
    print(f">= 500: {over}; timeouts: {timeouts}; other failures: {len(stats.bad) - over - timeouts}; "
          f"panics in log: {panics}; server alive at end: {alive}")
    for b in stats.bad[:20]:
        print(f"  FAIL {b}")
    if stats.bad or panics or not alive:
        print(f"server log kept in {tmp}")
        sys.exit(1)


if __name__ == "__main__":
    main()

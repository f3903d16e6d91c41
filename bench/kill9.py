"""Kill -9 under write load: nothing acknowledged may be lost, nothing half-written may remain.

    python3 bench/kill9.py BINARY [--rounds 20] [--writers 8] [--min-kill 0.5] [--max-kill 3]

One file database in a temporary directory, kept across all rounds. Each round starts the server on
it, lets WRITERS threads create users as fast as they can, and `kill -9`s the server at a random
moment between --min-kill and --max-kill seconds in. Writers take turns between two ways of making
a user:

  * AdminCreateUser (temporary password, MessageAction SUPPRESS) + AdminSetUserPassword
    (Permanent) + AdminAddUserToGroup;
  * SignUp + AdminConfirmSignUp;

then sign the user in once (ADMIN_USER_PASSWORD_AUTH, which stores a refresh token), and delete
every fifth user (AdminDeleteUser). A user is recorded as *acknowledged* only when the call that
sets its password / confirms it answered 200; a membership or a deletion is recorded only when its
own call answered 200. Calls still in flight when the server dies are not recorded.

After the kill the server is restarted on the same file and the script checks:

  * every acknowledged user of every round so far (a sample of 100 from earlier rounds) answers
    AdminGetUser with status CONFIRMED and signs in with its password (AuthenticationResult);
  * every acknowledged deletion stays deleted (UserNotFoundException) and every acknowledged
    group membership is listed by AdminListGroupsForUser;
  * straight from the SQLite file: `PRAGMA integrity_check` is ok, `PRAGMA foreign_key_check` is
    empty, no user whose status needs a password (CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD,
    RESET_REQUIRED) lacks a salt or verifier, and no row of any table holding a (pool_id, sub)
    pair (group memberships, codes, refresh tokens, devices, sign-in sessions...) points at a user
    that does not exist.

Any failure is printed and the script exits 1. The server runs with --no-rate-limits (one pool
takes thousands of calls a second) and its log goes to server-N.log in the temporary directory,
which is kept on failure.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import free_port

TARGET = "AWSCognitoIdentityProviderService."
PASSWORD_STATUSES = ("CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED")




class Api:
    """One keep-alive connection; `call` answers (status, body) or raises OSError when the server is gone."""

    def __init__(self, port, timeout=30):
        self.port = port
        self.timeout = timeout
        self.conn = None

    def call(self, op, body):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.conn.request(
                "POST",
                "/",
                body=json.dumps(body),
                headers={"content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET + op},
            )
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as e:
            self.conn.close()
            self.conn = None
            raise OSError(str(e)) from e
        return resp.status, (json.loads(data) if data else {})

    def ok(self, op, body):
        status, out = self.call(op, body)
        if status != 200:
            raise RuntimeError(f"{op} answered {status}: {out}")
        return out


def start(binary, port, db, log):
    proc = subprocess.Popen(
        [binary, "--host", "127.0.0.1", "--port", str(port), "--db", db, "--no-rate-limits"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api = Api(port)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} at start-up")
        try:
            api.ok("ListUserPools", {"MaxResults": 1})
            return proc
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("server did not answer within 60 s")


class Ledger:
    """What the server acknowledged, shared by the writer threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.users = {}  # username -> (password, round)
        self.deleted = set()
        self.deleted_subs = set()  # subs of users deleted (or whose deletion was cut by the kill)
        self.groups = {}  # username -> group
        self.counts = {"created": 0, "deleted": 0, "in_flight_lost": 0, "errors": 0}


def writer(api, ledger, pool, client, rnd, wid, stop, errors):
    i = 0
    while not stop.is_set():
        i += 1
        name = f"r{rnd}w{wid}u{i}"
        password = f"Pw-{random.getrandbits(48):x}!aA1"
        step = "create"
        sub = None
        try:
            if i % 2:
                out = api.ok(
                    "AdminCreateUser",
                    {
                        "UserPoolId": pool,
                        "Username": name,
                        "TemporaryPassword": "Temp-Pass-1!",
                        "MessageAction": "SUPPRESS",
                        "UserAttributes": [{"Name": "email", "Value": f"{name}@example.com"}],
                    },
                )
                sub = next(a["Value"] for a in out["User"]["Attributes"] if a["Name"] == "sub")
                step = "set password"
                api.ok(
                    "AdminSetUserPassword",
                    {"UserPoolId": pool, "Username": name, "Password": password, "Permanent": True},
                )
            else:
                out = api.ok(
                    "SignUp",
                    {
                        "ClientId": client,
                        "Username": name,
                        "Password": password,
                        "UserAttributes": [{"Name": "email", "Value": f"{name}@example.com"}],
                    },
                )
                sub = out["UserSub"]
                step = "confirm"
                api.ok("AdminConfirmSignUp", {"UserPoolId": pool, "Username": name})
            with ledger.lock:
                ledger.users[name] = (password, rnd)
                ledger.counts["created"] += 1
            if i % 2:
                step = "group"
                api.ok("AdminAddUserToGroup", {"UserPoolId": pool, "Username": name, "GroupName": "g"})
                with ledger.lock:
                    ledger.groups[name] = "g"
            step = "sign-in"
            api.ok(
                "AdminInitiateAuth",
                {
                    "UserPoolId": pool,
                    "ClientId": client,
                    "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": name, "PASSWORD": password},
                },
            )
            if i % 5 == 0:
                step = "delete"
                with ledger.lock:
                    ledger.deleted_subs.add(sub)
                api.ok("AdminDeleteUser", {"UserPoolId": pool, "Username": name})
                with ledger.lock:
                    ledger.deleted.add(name)
                    ledger.users.pop(name, None)
                    ledger.groups.pop(name, None)
                    ledger.counts["deleted"] += 1
        except OSError:
            # The server is gone (or going): whatever was in flight is not acknowledged. A deletion in
            # flight may or may not have happened, so that user is no longer checked either way.
            with ledger.lock:
                ledger.counts["in_flight_lost"] += 1
                if step == "delete":
                    ledger.users.pop(name, None)
                    ledger.groups.pop(name, None)
            if stop.is_set():
                return
            time.sleep(0.01)
        except RuntimeError as e:
            with ledger.lock:
                ledger.counts["errors"] += 1
            errors.append(f"writer {wid} {name} ({step}): {e}")
            return


def check_api(port, pool, client, ledger, rnd, sample_old):
    api = Api(port)
    failures = []
    with ledger.lock:
        users = dict(ledger.users)
        deleted = set(ledger.deleted)
        groups = dict(ledger.groups)
    new = [u for u, (_, r) in users.items() if r == rnd]
    old = [u for u, (_, r) in users.items() if r != rnd]
    check = new + random.sample(old, min(sample_old, len(old)))
    for name in check:
        password = users[name][0]
        status, out = api.call("AdminGetUser", {"UserPoolId": pool, "Username": name})
        if status != 200 or out.get("UserStatus") != "CONFIRMED":
            failures.append(f"acknowledged user {name}: AdminGetUser {status} {out}")
            continue
        status, out = api.call(
            "InitiateAuth",
            {
                "ClientId": client,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": name, "PASSWORD": password},
            },
        )
        if status != 200 or "AuthenticationResult" not in out:
            failures.append(f"acknowledged user {name}: sign-in {status} {out}")
        if name in groups:
            status, out = api.call("AdminListGroupsForUser", {"UserPoolId": pool, "Username": name})
            if status != 200 or groups[name] not in [g["GroupName"] for g in out.get("Groups", [])]:
                failures.append(f"acknowledged membership {name}: {status} {out}")
    for name in random.sample(sorted(deleted), min(200, len(deleted))):
        status, out = api.call("AdminGetUser", {"UserPoolId": pool, "Username": name})
        if status != 400 or out.get("__type") != "UserNotFoundException":
            failures.append(f"acknowledged deletion {name} came back: {status} {out}")
    return len(check), failures


def check_sqlite(db, deleted_subs):
    failures = []
    stale = 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        (ok,) = con.execute("PRAGMA integrity_check").fetchone()
        if ok != "ok":
            failures.append(f"integrity_check: {ok}")
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            failures.append(f"foreign_key_check: {fk[:10]}")
        marks = ",".join("?" * len(PASSWORD_STATUSES))
        rows = con.execute(
            f"SELECT username, status FROM users WHERE status IN ({marks})"
            " AND (password_salt IS NULL OR password_verifier IS NULL)",
            PASSWORD_STATUSES,
        ).fetchall()
        if rows:
            failures.append(f"users without a password verifier: {rows[:10]}")
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            if table == "users":
                continue
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            if "pool_id" in cols and "sub" in cols:
                orphans = [
                    sub
                    for (sub,) in con.execute(
                        f"SELECT t.sub FROM {table} t WHERE t.sub IS NOT NULL AND NOT EXISTS"
                        " (SELECT 1 FROM users u WHERE u.pool_id = t.pool_id AND u.sub = t.sub)"
                    )
                ]
                # AdminDeleteUser leaves the user's sign-in sessions (auth_sessions has no foreign
                # key) until they expire; they name a sub no user has, so they cannot sign anyone
                # in. Those are counted apart; a session of a user that was never deleted is a
                # half-written sign-up.
                left = [s for s in orphans if s not in deleted_subs]
                if left:
                    failures.append(f"{len(left)} rows of {table} without their user: {left[:5]}")
                if table == "auth_sessions":
                    stale += len(orphans) - len(left)
        (users,) = con.execute("SELECT count(*) FROM users").fetchone()
    finally:
        con.close()
    return users, stale, failures


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--min-kill", type=float, default=0.5)
    ap.add_argument("--max-kill", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=None, help="random seed (printed when not given)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    random.seed(seed)
    tmp = tempfile.mkdtemp(prefix="kill9-")
    db = os.path.join(tmp, "kill9.db")
    print(f"binary: {args.binary}; database: {db}; writers: {args.writers}; seed: {seed}")
    ledger = Ledger()
    all_failures = []
    t0 = time.time()
    port = free_port()
    with open(os.path.join(tmp, "server-setup.log"), "wb") as log:
        proc = start(args.binary, port, db, log)
        api = Api(port)
        pool = api.ok("CreateUserPool", {"PoolName": "kill9"})["UserPool"]["Id"]
        client = api.ok(
            "CreateUserPoolClient",
            {
                "UserPoolId": pool,
                "ClientName": "kill9",
                "ExplicitAuthFlows": [
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                ],
            },
        )["UserPoolClient"]["ClientId"]
        api.ok("CreateGroup", {"UserPoolId": pool, "GroupName": "g"})
        proc.terminate()
        proc.wait()
    print("| round | killed at | acknowledged (total) | deleted (total) | calls cut by the kill | users in file | checked via API | sessions of deleted users | failures |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rnd in range(1, args.rounds + 1):
        port = free_port()
        log = open(os.path.join(tmp, f"server-{rnd}.log"), "wb")
        proc = start(args.binary, port, db, log)
        stop = threading.Event()
        errors = []
        before = dict(ledger.counts)
        threads = [
            threading.Thread(target=writer, args=(Api(port), ledger, pool, client, rnd, w, stop, errors))
            for w in range(args.writers)
        ]
        for t in threads:
            t.start()
        kill_at = random.uniform(args.min_kill, args.max_kill)
        time.sleep(kill_at)
        proc.kill()  # SIGKILL
        proc.wait()
        stop.set()
        for t in threads:
            t.join()
        log.close()
        # Restart on the same file and check.
        port = free_port()
        log = open(os.path.join(tmp, f"server-{rnd}-after.log"), "wb")
        proc = start(args.binary, port, db, log)
        try:
            checked, failures = check_api(port, pool, client, ledger, rnd, 100)
        finally:
            proc.terminate()
            proc.wait()
            log.close()
        with ledger.lock:
            deleted_subs = set(ledger.deleted_subs)
        users_in_file, stale, sql_failures = check_sqlite(db, deleted_subs)
        failures = errors + failures + sql_failures
        c = ledger.counts
        print(
            f"| {rnd} | {kill_at:.2f} s | {c['created'] - before['created']} ({len(ledger.users)}) |"
            f" {c['deleted'] - before['deleted']} ({len(ledger.deleted)}) |"
            f" {c['in_flight_lost'] - before['in_flight_lost']} | {users_in_file} | {checked} | {stale} | {len(failures)} |"
        )
        sys.stdout.flush()
        for f in failures[:20]:
            print(f"    FAIL {f}")
        all_failures += failures
    print(
        f"{args.rounds} rounds in {time.time() - t0:.0f} s: {ledger.counts['created']} users acknowledged,"
        f" {ledger.counts['deleted']} deletions acknowledged, {len(all_failures)} failures"
    )
    if all_failures:
        print(f"server logs kept in {tmp}")
        sys.exit(1)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Every hot operation against the ceiling, side by side with a peer (bench/README.md).

    cargo build --release --bin cognito-emulator   # alone: see bench/startup_order.py
    cargo build --release --example ceiling
    python3 bench/side_by_side.py [--cognitox PATH] [--seconds 10]

For each server (the emulator with `--db :memory:`, and cognitox in its memory mode when given):
one pool, one client, one confirmed user, then `wrk` (1 thread, 32 connections) for
AdminGetUser, GetUser, SignUp (a new user per request) and InitiateAuth USER_PASSWORD_AUTH.
The ceiling is `examples/ceiling`, an axum server on the same stack that answers every request
with a fixed body, measured in the same run. Each line gives answers/s, the share of the
ceiling's rate, and the server's CPU per answered request (from /proc/PID/stat).

cognitox binds 0.0.0.0, so with --cognitox the whole run (every server and wrk) happens in a
private network namespace (`unshare -n`, root only): nothing is reachable from outside.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import api, cpu_seconds, free_port, rss_kib, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PASSWORD = "Passw0rd!"












def set_up(port, work):
    """Pool, client and user; the request bodies wrk sends, one file per operation."""
    pool = api(port, "CreateUserPool", {"PoolName": "bench"})["UserPool"]["Id"]
    client = api(port, "CreateUserPoolClient", {
        "UserPoolId": pool, "ClientName": "bench",
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    })["UserPoolClient"]["ClientId"]
    api(port, "AdminCreateUser", {
        "UserPoolId": pool, "Username": "alice", "MessageAction": "SUPPRESS",
        "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}],
    })
    api(port, "AdminSetUserPassword", {
        "UserPoolId": pool, "Username": "alice", "Password": PASSWORD, "Permanent": True,
    })
    auth = {"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}
    token = api(port, "InitiateAuth", auth)["AuthenticationResult"]["AccessToken"]
    bodies = {
        "AdminGetUser": {"UserPoolId": pool, "Username": "alice"},
        "GetUser": {"AccessToken": token},
        # %N% becomes a number unique to each request (bench/wrk-call.lua).
        "SignUp": {"ClientId": client, "Username": "user-%N%", "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": "user-%N%@example.com"}]},
        "InitiateAuth": auth,
    }
    files = {}
    for op, body in bodies.items():
        path = os.path.join(work, f"{port}-{op}.json")
        with open(path, "w") as f:
            json.dump(body, f)
        files[op] = path
    return files


def wrk(port, seconds, op, body_file, pid=None):
    env = dict(os.environ, TARGET=op, BODY_FILE=body_file, UNIQUE_PREFIX=str(time.time_ns()))
    cmd = ["wrk", "-t1", "-c32", f"-d{seconds}s", "-s", os.path.join(HERE, "wrk-call.lua")]
    before = cpu_seconds(pid) if pid else 0
    out = subprocess.run(cmd + [f"http://127.0.0.1:{port}/"], env=env, capture_output=True,
                         text=True, check=True).stdout
    after = cpu_seconds(pid) if pid else 0
    result = json.loads(out.strip().splitlines()[-1])
    ok = result["requests"] - result["non_2xx"]
    result["cpu_us"] = (after - before) * 1e6 / max(ok, 1) if pid else None
    return result


def start(cmd, port):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port)
    return proc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--emulator", default=os.path.join(ROOT, "target/release/cognito-emulator"))
    ap.add_argument("--ceiling", default=os.path.join(ROOT, "target/release/examples/ceiling"))
    ap.add_argument("--cognitox", help="path to cognitox 0.2.1 (cargo install cognitox@0.2.1)")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--ops", default="AdminGetUser,GetUser,SignUp,InitiateAuth",
                    help="comma-separated operations to run (default: all four)")
    ap.add_argument("--in-namespace", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.cognitox and not args.in_namespace:
        # Re-run this script inside a private network namespace with only loopback up.
        inner = " ".join([sys.executable] + [f"'{a}'" for a in sys.argv] + ["--in-namespace"])
        sys.exit(subprocess.call(["unshare", "-n", "sh", "-c", f"ip link set lo up && {inner}"]))
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk (apt-get install wrk)")

    print(f"machine: {os.cpu_count()} cores, {os.uname().release}, load average "
          f"{os.getloadavg()[0]:.2f} at start")
    work = tempfile.mkdtemp()
    procs = []
    try:
        port = free_port()
        ceiling = start([args.ceiling, f"127.0.0.1:{port}"], port)
        procs.append(ceiling)
        # The same request as AdminGetUser's; the ceiling answers anything the same way.
        body = os.path.join(work, "ceiling.json")
        with open(body, "w") as f:
            json.dump({"UserPoolId": "us-east-1_Bench", "Username": "alice"}, f)
        wrk(port, 2, "AdminGetUser", body)
        top = wrk(port, args.seconds, "AdminGetUser", body, pid=ceiling.pid)
        print(f"ceiling (fixed answer): {top['rps_ok']:.0f}/s, server CPU {top['cpu_us']:.1f} µs")

        servers = [("emulator", lambda p: [args.emulator, "--host", "127.0.0.1", "--port",
                                            str(p), "--db", ":memory:"])]
        if args.cognitox:
            servers.append(("cognitox", lambda p: [args.cognitox, "-p", str(p),
                                                    "--storage-mode", "memory"]))
        for name, command in servers:
            port = free_port()
            proc = start(command(port), port)
            procs.append(proc)
            files = set_up(port, work)
            for op in args.ops.split(","):
                wrk(port, 2, op, files[op])
                r = wrk(port, args.seconds, op, files[op], pid=proc.pid)
                print(f"{name} {op}: {r['rps_ok']:.0f}/s ({100 * r['rps_ok'] / top['rps_ok']:.1f} % "
                      f"of the ceiling), p50 {r['p50_ms']:.2f} ms, non-2xx {r['non_2xx']}, "
                      f"server CPU {r['cpu_us']:.1f} µs per answer")
            print(f"{name} RSS after the run: {rss_kib(proc.pid) / 1024:.1f} MiB")
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

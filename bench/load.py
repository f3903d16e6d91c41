#!/usr/bin/env python3
"""Start-up time, idle memory and InitiateAuth throughput of a cognito-idp server.

    python3 bench/load.py startup  -- CMD...       # exec -> first answered request, idle VmRSS
    python3 bench/load.py auth --url URL [--connections 32 --seconds 10]

`startup` runs CMD, polls it with ListUserPools until it answers 200, and prints JSON with the
time from exec to that answer and the VmRSS of the process one second later. CMD must contain
the literal PORT, replaced by a free port.

`auth` creates a pool, a client allowing USER_PASSWORD_AUTH and a confirmed user through the
API, then keeps `--connections` requests in flight for `--seconds` and prints JSON with the
rate of successful InitiateAuth calls and latency percentiles. Every request is checked: a non-200
or an answer without AuthenticationResult counts as an error, not as throughput.
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid

import aiohttp

TARGET = "AWSCognitoIdentityProviderService."
PASSWORD = "Bench-Passw0rd!"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """User + system CPU time of a process so far (utime and stime of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def raw_post(port, op, body):
    """One request on a fresh socket with nothing but the standard library: no client start-up
    cost in the measured loop. Returns the status code, or None if nothing answers yet."""
    payload = json.dumps(body).encode()
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/x-amz-json-1.1\r\nX-Amz-Target: {TARGET}{op}\r\n"
        # moto routes on the SigV4 credential scope: send a (dummy) one as the SDKs do.
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/cognito-idp/aws4_request, "
        "SignedHeaders=host, Signature=0\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    ).encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(head + payload)
            data = s.recv(64)
    except OSError:
        return None
    try:
        return int(data.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def startup(cmd):
    port = free_port()
    cmd = [c.replace("PORT", str(port)) for c in cmd]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            status = raw_post(port, "ListUserPools", {"MaxResults": 1})
            if status == 200:
                break
            if proc.poll() is not None:
                raise SystemExit(f"{cmd[0]} exited with {proc.returncode} during start-up")
            if time.perf_counter() - t0 > 60:
                raise SystemExit(f"{cmd[0]} did not answer within 60 s")
            time.sleep(0.001)
        ready = time.perf_counter() - t0
        time.sleep(1.0)
        rss = vm_rss_kib(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {"startup_ms": round(ready * 1000, 1), "idle_rss_kib": rss}


async def call(session, url, op, body):
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": TARGET + op,
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/cognito-idp/aws4_request, "
        "SignedHeaders=host, Signature=0",
    }
    async with session.post(url + "/", data=json.dumps(body), headers=headers) as r:
        text = await r.text()
        return r.status, (json.loads(text) if text else {})


async def setup(session, url):
    async def ok(op, body):
        status, resp = await call(session, url, op, body)
        if status != 200:
            raise SystemExit(f"{op} failed during set-up: {status} {resp}")
        return resp

    pool = (await ok("CreateUserPool", {"PoolName": "bench-" + uuid.uuid4().hex[:8]}))["UserPool"]["Id"]
    client = (
        await ok(
            "CreateUserPoolClient",
            {
                "UserPoolId": pool,
                "ClientName": "bench",
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            },
        )
    )["UserPoolClient"]["ClientId"]
    await ok(
        "AdminCreateUser",
        {"UserPoolId": pool, "Username": "bench", "MessageAction": "SUPPRESS", "TemporaryPassword": PASSWORD},
    )
    await ok(
        "AdminSetUserPassword",
        {"UserPoolId": pool, "Username": "bench", "Password": PASSWORD, "Permanent": True},
    )
    return client


async def setup_body(url):
    async with aiohttp.ClientSession() as session:
        client = await setup(session, url)
        body = {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": client,
            "AuthParameters": {"USERNAME": "bench", "PASSWORD": PASSWORD},
        }
        status, resp = await call(session, url, "InitiateAuth", body)
        if status != 200 or "AuthenticationResult" not in resp:
            raise SystemExit(f"InitiateAuth does not work here: {status} {resp}")
        return body


async def auth(url, connections, seconds, warmup, pid=None):
    conn = aiohttp.TCPConnector(limit=connections, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=conn, timeout=timeout) as session:
        client = await setup(session, url)
        body = {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": client,
            "AuthParameters": {"USERNAME": "bench", "PASSWORD": PASSWORD},
        }
        status, resp = await call(session, url, "InitiateAuth", body)
        if status != 200 or "AuthenticationResult" not in resp:
            raise SystemExit(f"InitiateAuth does not work here: {status} {resp}")

        latencies = []
        errors = 0
        measuring = False
        stop_at = 0.0

        async def worker():
            nonlocal errors
            while True:
                t = time.perf_counter()
                if measuring and t >= stop_at:
                    return
                st, r = await call(session, url, "InitiateAuth", body)
                done = time.perf_counter()
                if measuring and done <= stop_at:
                    if st == 200 and "AuthenticationResult" in r:
                        latencies.append(done - t)
                    else:
                        errors += 1

        cpu = {}

        async def clock():
            nonlocal measuring, stop_at
            await asyncio.sleep(warmup)
            stop_at = time.perf_counter() + seconds
            if pid:
                cpu["start"] = cpu_seconds(pid)
            measuring = True
            await asyncio.sleep(seconds)
            if pid:
                cpu["end"] = cpu_seconds(pid)

        await asyncio.gather(clock(), *(worker() for _ in range(connections)))

    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else None

    server_cpu_ms = None
    if pid and latencies:
        server_cpu_ms = round((cpu["end"] - cpu["start"]) * 1000 / len(latencies), 2)
    return {
        "server_cpu_ms_per_ok": server_cpu_ms,
        "connections": connections,
        "seconds": seconds,
        "ok": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.mean(latencies) * 1000, 2) if latencies else None,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    s = sub.add_parser("startup")
    s.add_argument("--runs", type=int, default=5)
    s.add_argument("cmd", nargs=argparse.REMAINDER)
    a = sub.add_parser("auth")
    a.add_argument("--url", required=True)
    a.add_argument("--connections", type=int, default=32)
    a.add_argument("--seconds", type=float, default=10)
    a.add_argument("--warmup", type=float, default=2)
    a.add_argument("--pid", type=int, help="server process: report its CPU time per successful call")
    su = sub.add_parser("setup", help="create pool, client and user; print the InitiateAuth body")
    su.add_argument("--url", required=True)
    c = sub.add_parser("cpu", help="print a process's CPU seconds so far")
    c.add_argument("pid", type=int)
    args = p.parse_args()
    if args.what == "cpu":
        print(cpu_seconds(args.pid))
        return
    if args.what == "setup":
        print(json.dumps(asyncio.run(setup_body(args.url.rstrip("/")))))
        return
    if args.what == "startup":
        cmd = [c for c in args.cmd if c != "--"]
        runs = [startup(cmd) for _ in range(args.runs)]
        out = {
            "runs": runs,
            "startup_ms_median": statistics.median(r["startup_ms"] for r in runs),
            "idle_rss_kib_median": statistics.median(r["idle_rss_kib"] for r in runs),
        }
    else:
        out = asyncio.run(
            auth(args.url.rstrip("/"), args.connections, args.seconds, args.warmup, args.pid)
        )
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()

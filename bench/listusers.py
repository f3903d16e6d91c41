"""ListUsers with a filter at scale: p50 / p95 latency of `email = "..."`, `email ^= "..."`,
`username = "..."`, `cognito:user_status = "..."` (a few matches, and CONFIRMED: most of the pool), `status = "Disabled"` (a few) and
`"Enabled"` (most), `family_name = "N7"` and an unfiltered first page, at
pool sizes of 1 k, 10 k, 100 k and 1 M users.

    python3 bench/listusers.py BINARY [--sizes 1000,10000,100000,1000000] [--calls 40]

The emulator runs on a file database in a temporary directory. One pool is made through the API;
its users are then written straight into the SQLite file (the emulator's own schema, WAL mode, the
way thousands of sign-ups would leave them, only faster), so a million users take seconds instead
of an hour of SignUp calls. ListUsers is then called through the API, one call at a time.
Besides latency it prints the server's RSS and the database file's size at each tier (with
`:memory:` that file lives in /dev/shm and counts as memory).
"""

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from benchlib import api, free_port, rss_kib








def add_users(db, pool_id, start, count):
    con = sqlite3.connect(db, timeout=30)
    con.execute("PRAGMA journal_mode=WAL")
    # pool_no: the pool's number (migration 0013), which the emulator's INSERT sets too.
    (pool_no,) = con.execute("SELECT no FROM user_pools WHERE id = ?", (pool_id,)).fetchone()
    now = time.time()
    statuses = ["CONFIRMED", "CONFIRMED", "CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD"]
    rows = []
    for i in range(start, start + count):
        name = f"user{i:07d}"
        email = f"{name}@example{i % 97}.com"
        attrs = {"email": email, "name": f"User {i}", "given_name": "User", "family_name": f"N{i % 1000}"}
        rows.append(
            (
                pool_id,
                str(uuid.uuid4()),
                name,
                name,
                "CONFIRMED" if i % 10000 else statuses[(i // 10000) % len(statuses)],
                # 2 in 100 000 users disabled (20 at 1 M), for the `status = "Disabled"` line.
                0 if i % 50000 == 7 else 1,
                json.dumps(attrs),
                now + i * 1e-6,
                now + i * 1e-6,
            )
        )
        if len(rows) == 50000:
            con.executemany(
                "INSERT INTO users (pool_id, sub, username, username_key, status, enabled, attributes,"
                f" created_at, modified_at, pool_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, {int(pool_no)})",
                rows,
            )
            rows = []
    if rows:
        con.executemany(
            "INSERT INTO users (pool_id, sub, username, username_key, status, enabled, attributes,"
            f" created_at, modified_at, pool_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, {int(pool_no)})",
            rows,
        )
    con.commit()
    con.close()


def measure(port, pool_id, body_extra, calls):
    times = []
    found = 0
    for _ in range(calls):
        t = time.perf_counter()
        out = api(port, "ListUsers", {"UserPoolId": pool_id, "Limit": 60, **body_extra})
        times.append((time.perf_counter() - t) * 1000)
        found = len(out.get("Users", []))
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--calls", type=int, default=40)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "bench.db")
        port = free_port()
        proc = subprocess.Popen(
            [args.binary, "--host", "127.0.0.1", "--port", str(port), "--db", db],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    api(port, "ListUserPools", {"MaxResults": 1})
                    break
                except OSError:
                    time.sleep(0.05)
            pool_id = api(port, "CreateUserPool", {"PoolName": "bench"})["UserPool"]["Id"]
            have = 0
            print(f"binary: {args.binary}")
            print("| users | filter | p50 ms | p95 ms | users returned |")
            print("|---:|---|---:|---:|---:|")
            for size in sizes:
                add_users(db, pool_id, have, size - have)
                have = size
                probe = size // 2
                filters = [
                    ("none (first page)", {}),
                    ('email = "…" (1 match)', {"Filter": f'email = "user{probe:07d}@example{probe % 97}.com"'}),
                    ('email ^= "…" (≤ 10 matches)', {"Filter": f'email ^= "user{probe // 10:06d}"'}),
                    ('username = "…"', {"Filter": f'username = "user{probe:07d}"'}),
                    ('cognito:user_status = "UNCONFIRMED"', {"Filter": 'cognito:user_status = "UNCONFIRMED"'}),
                    ('family_name = "N7"', {"Filter": 'family_name = "N7"'}),
                    ('cognito:user_status = "CONFIRMED"', {"Filter": 'cognito:user_status = "CONFIRMED"'}),
                    ('status = "Disabled"', {"Filter": 'status = "Disabled"'}),
                    ('status = "Enabled"', {"Filter": 'status = "Enabled"'}),
                ]
                for label, extra in filters:
                    p50, p95, found = measure(port, pool_id, extra, args.calls)
                    print(f"| {size:,} | {label} | {p50:.2f} | {p95:.2f} | {found} |")
                    sys.stdout.flush()
                print(
                    f"| {size:,} | server RSS {rss_kib(proc.pid) / 1024:.1f} MiB, database "
                    f"{(os.path.getsize(db) + (os.path.getsize(db + '-wal') if os.path.exists(db + '-wal') else 0)) / 2**20:.0f} MiB | | | |"
                )
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()

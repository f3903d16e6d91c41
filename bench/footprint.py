#!/usr/bin/env python3
"""What a user costs in the database, table by table and index by index (bench/README.md,
"Memory at a million users").

    python3 bench/footprint.py target/release/cognito-emulator --users 100000,1000000
    python3 bench/footprint.py target/release/cognito-emulator --users 1000000 --live

The emulator creates the schema and one pool in a file database; the users are then written
straight into the file (as bench/listusers.py does), each like one made by SignUp with a
password: a 16-byte salt, a 384-byte SRP verifier (3072-bit group), four attributes. After a
checkpoint, SQLite's `dbstat` table gives the bytes of every table and index. With
`--db :memory:` that file is what lives in /dev/shm, so these bytes count as memory.

`--live` counts the whole memory of a running `--db :memory:` emulator instead: the users are
written into its database file in /dev/shm while it runs, ListUsers and AdminGetUser are called,
and the total is the server's RSS plus every file of its database directory (database, WAL,
shared-memory index).
"""

import argparse
import glob
import json
import os
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
import uuid

from benchlib import api, free_port, rss_kib, wait_for




def create_pool(binary, db):
    port = free_port()
    proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port), "--db", db],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                time.sleep(0.05)
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/", data=json.dumps({"PoolName": "footprint"}).encode(),
            headers={"content-type": "application/x-amz-json-1.1",
                     "x-amz-target": "AWSCognitoIdentityProviderService.CreateUserPool"})
        return json.loads(urllib.request.urlopen(req).read())["UserPool"]["Id"]
    finally:
        proc.terminate()
        proc.wait()


def add_users(con, pool_id, start, count):
    now = time.time()
    # pool_no: the pool's number (migration 0013), which the emulator's INSERT sets too.
    (pool_no,) = con.execute("SELECT no FROM user_pools WHERE id = ?", (pool_id,)).fetchone()
    sql = ("INSERT INTO users (pool_id, sub, username, username_key, status, enabled, attributes,"
           " password_salt, password_verifier, password_set_at, created_at, modified_at, pool_no)"
           f" VALUES (?, ?, ?, ?, 'CONFIRMED', 1, ?, ?, ?, ?, ?, ?, {int(pool_no)})")
    batch = []
    for i in range(start, start + count):
        name = f"user{i:07d}"
        attrs = {"email": f"{name}@example{i % 97}.com", "email_verified": "true",
                 "name": f"User {i}", "family_name": f"N{i % 1000}"}
        batch.append((pool_id, str(uuid.uuid4()), name, name, json.dumps(attrs),
                      os.urandom(16), os.urandom(384), now, now + i * 1e-6, now + i * 1e-6))
        if len(batch) == 50_000:
            con.executemany(sql, batch)
            batch = []
    if batch:
        con.executemany(sql, batch)
    con.commit()


def live(binary, sizes):
    port = free_port()
    proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port), "--db", ":memory:"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        pool_id = api(port, "CreateUserPool", {"PoolName": "footprint"})["UserPool"]["Id"]
        # The emulator's private database directory (store/mod.rs, MEMORY_DIR_PREFIX).
        dirs = glob.glob(f"/dev/shm/.cognito-emulator-memory-{proc.pid}-*")
        if len(dirs) != 1:
            raise SystemExit(f"no single /dev/shm database directory for pid {proc.pid}: {dirs}")
        con = sqlite3.connect(os.path.join(dirs[0], "db.sqlite"), timeout=30)
        have = 0
        print("| users | server RSS MiB | database files MiB | total MiB | bytes per user |")
        print("|---:|---:|---:|---:|---:|")
        for size in sizes:
            add_users(con, pool_id, have, size - have)
            have = size
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for i in range(0, size, max(1, size // 200)):
                api(port, "AdminGetUser", {"UserPoolId": pool_id, "Username": f"user{i:07d}"})
            for f in ['', 'email ^= "user00"', 'family_name = "N7"', 'cognito:user_status = "CONFIRMED"']:
                api(port, "ListUsers", {"UserPoolId": pool_id, "Filter": f, "Limit": 60})
            rss = rss_kib(proc.pid) * 1024
            files = sum(os.path.getsize(p) for p in glob.glob(os.path.join(dirs[0], "*")))
            total = rss + files
            print(f"| {size:,} | {rss / 2**20:.1f} | {files / 2**20:.0f} | {total / 2**20:.0f} | "
                  f"{total / size:.0f} |")
        con.close()
    finally:
        proc.terminate()
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--users", default="100000")
    ap.add_argument("--live", action="store_true")
    args = ap.parse_args()
    if args.live:
        live(args.binary, [int(s) for s in args.users.split(",")])
        return
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "footprint.db")
        pool_id = create_pool(args.binary, db)
        con = sqlite3.connect(db)
        have = 0
        for size in [int(s) for s in args.users.split(",")]:
            add_users(con, pool_id, have, size - have)
            have = size
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            rows = con.execute(
                "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
            total = sum(r[1] for r in rows)
            print(f"## {size} users: database {total / 2**20:.0f} MiB, "
                  f"{total / size:.0f} bytes per user (file {os.path.getsize(db) / 2**20:.0f} MiB)")
            print("| table or index | MiB | bytes per user |")
            print("|---|---:|---:|")
            for name, size_bytes in rows:
                if size_bytes / size >= 1:
                    print(f"| {name} | {size_bytes / 2**20:.1f} | {size_bytes / size:.0f} |")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Where a read's server CPU goes: AdminGetUser and GetUser under wrk (32 connections, 10 s),
# with the server's CPU per answered request (from /proc/PID/stat) and, with `perf` installed,
# a cpu-clock profile of the server during the AdminGetUser run, summed by crate / module.
#
#   bench/profile.sh [BINARY]      # default target/release/cognito-emulator (cargo build --release)
#
# Needs wrk and python3; perf (Debian's linux-perf) is optional. Results go to stdout; record them
# in bench/README.md with the commit and machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${1:-$here/../target/release/cognito-emulator}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d)
"$bin" --host 127.0.0.1 --port "$port" --db :memory: >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/_emulator/health" >/dev/null && break; sleep 0.05; done

python3 - "$port" "$work" <<'PY'
import json, sys, urllib.request
port, work = sys.argv[1], sys.argv[2]
def api(op, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=json.dumps(body).encode(), headers={
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": f"AWSCognitoIdentityProviderService.{op}",
        "authorization": "AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0"})
    return json.loads(urllib.request.urlopen(req).read())
pool = api("CreateUserPool", {"PoolName": "profile"})["UserPool"]["Id"]
client = api("CreateUserPoolClient", {"UserPoolId": pool, "ClientName": "c",
    "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]})["UserPoolClient"]["ClientId"]
api("AdminCreateUser", {"UserPoolId": pool, "Username": "alice", "MessageAction": "SUPPRESS",
    "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}]})
api("AdminSetUserPassword", {"UserPoolId": pool, "Username": "alice", "Password": "Passw0rd!", "Permanent": True})
token = api("InitiateAuth", {"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
    "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})["AuthenticationResult"]["AccessToken"]
open(f"{work}/AdminGetUser.json", "w").write(json.dumps({"UserPoolId": pool, "Username": "alice"}))
open(f"{work}/GetUser.json", "w").write(json.dumps({"AccessToken": token}))
PY

cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
# The same server's floor: GET /_emulator/health answers a fixed body through the same router,
# middleware and connection handling, with no JSON 1.1 parsing, validation or store.
before=$(cpu)
out=$(wrk -t1 -c32 -d10s "http://127.0.0.1:$port/_emulator/health" | grep -E "Requests/sec|requests in")
after=$(cpu)
reqs=$(echo "$out" | awk '/requests in/ {print $1}')
echo "health: $(echo "$out" | awk '/Requests\/sec/ {print $2}') req/s; server CPU per request: $(python3 -c "print(round(($after-$before)/$hz/$reqs*1e6, 1))") µs"
for op in AdminGetUser GetUser; do
    before=$(cpu)
    out=$(TARGET=$op BODY_FILE="$work/$op.json" wrk -t1 -c32 -d10s -s "$here/wrk-call.lua" "http://127.0.0.1:$port/" | tail -1)
    after=$(cpu)
    reqs=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['requests'])" "$out")
    echo "$op: $out; server CPU per request: $(python3 -c "print(round(($after-$before)/$hz/$reqs*1e6, 1))") µs"
done

if command -v perf >/dev/null 2>&1; then
    (TARGET=AdminGetUser BODY_FILE="$work/AdminGetUser.json" wrk -t1 -c32 -d12s -s "$here/wrk-call.lua" "http://127.0.0.1:$port/" >/dev/null &)
    sleep 1
    perf record -q -e cpu-clock -F 1999 -g -p "$pid" -o "$work/perf.data" -- sleep 10 >/dev/null 2>&1
    echo "== AdminGetUser: server samples by shared object"
    perf report -i "$work/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -8
    echo "== AdminGetUser: server samples by symbol (self), top 40"
    perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null \
        | grep -E '^ +[0-9]' | head -40
fi

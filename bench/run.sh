#!/usr/bin/env bash
# Side-by-side numbers for the emulator and moto's server (bench/README.md records them):
#   1. exec -> first answered request, empty database (median of 5 runs)
#   2. idle VmRSS one second after that answer
#   3. InitiateAuth USER_PASSWORD_AUTH per second at 32 concurrent connections (10 s after a 2 s warm-up)
#
#   bench/run.sh                # everything
#   bench/run.sh startup        # 1 and 2 only
#   COGNITO_EMULATOR_BIN=... bench/run.sh   # an existing release build
#
# Uses a release build (cargo build --release) and a venv in bench/.venv for aiohttp and moto.
# The load generator shares the machine with the server: on 2 cores the numbers are a floor.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
what="${1:-all}"

bin="${COGNITO_EMULATOR_BIN:-$root/target/release/cognito-emulator}"
if [[ -z "${COGNITO_EMULATOR_BIN:-}" ]]; then
    (cd "$root" && cargo build --release --bin cognito-emulator)
fi

venv="$here/.venv"
if [[ ! -x "$venv/bin/moto_server" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q -r "$here/requirements.txt"
fi
py="$venv/bin/python"
moto="$venv/bin/moto_server"

free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {print int($2/1024) " MiB"}' /proc/meminfo), $(uname -sr)"
echo "emulator: $bin ($("$bin" --version))"
echo "moto: $("$py" -c 'import moto; print(moto.__version__)')"

echo "== start-up and idle memory"
echo "emulator (--db :memory:):  $("$py" "$here/load.py" startup -- "$bin" --host 127.0.0.1 --port PORT --db :memory:)"
dbdir="$(mktemp -d)"
# A new file per run (PORT differs), so every start creates and migrates an empty database.
echo "emulator (new --db file):  $("$py" "$here/load.py" startup -- "$bin" --host 127.0.0.1 --port PORT --db "$dbdir/bench-PORT.db")"
rm -rf "$dbdir"
echo "moto:     $("$py" "$here/load.py" startup -- "$moto" -H 127.0.0.1 -p PORT)"

[[ "$what" == startup ]] && exit 0

echo "== InitiateAuth USER_PASSWORD_AUTH, 32 connections"
# wrk (C, from Debian's package) leaves the CPU to the server; without it the Python generator runs.
if command -v wrk >/dev/null; then
    echo "load generator: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), 1 thread"
else
    echo "load generator: bench/load.py (aiohttp); apt-get install wrk for a lighter one"
fi
run_auth() {
    local name="$1"
    shift
    local port
    port="$(free_port)"
    "${@//PORT/$port}" >/dev/null 2>&1 &
    local pid=$!
    for _ in $(seq 1 600); do
        if "$py" -c 'import sys, socket; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null; then
            break
        fi
        sleep 0.05
    done
    local url="http://127.0.0.1:$port"
    if command -v wrk >/dev/null; then
        local body
        body="$(mktemp)"
        "$py" "$here/load.py" setup --url "$url" >"$body"
        # 2 s warm-up, then the measured 10 s with the server's CPU time around it.
        TARGET=InitiateAuth BODY_FILE="$body" wrk -t1 -c32 -d2s -s "$here/wrk-call.lua" "$url/" >/dev/null
        local cpu0 cpu1 out
        cpu0="$("$py" "$here/load.py" cpu "$pid")"
        out="$(TARGET=InitiateAuth BODY_FILE="$body" wrk -t1 -c32 -d10s -s "$here/wrk-call.lua" "$url/" | tail -n 1)"
        cpu1="$("$py" "$here/load.py" cpu "$pid")"
        echo "$name: $out, server CPU $("$py" -c 'import json, sys; o = json.loads(sys.argv[1]); ok = o["requests"] - o["non_2xx"]; print(f"{(float(sys.argv[3]) - float(sys.argv[2])) * 1000 / max(ok, 1):.2f} ms per sign-in")' "$out" "$cpu0" "$cpu1")"
        rm -f "$body"
    else
        echo "$name: $("$py" "$here/load.py" auth --url "$url" --pid "$pid" --connections 32 --seconds 10 || true)"
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
COGNITO_EMULATOR_LOG=warn run_auth emulator "$bin" --host 127.0.0.1 --port PORT --db :memory:
run_auth moto "$moto" -H 127.0.0.1 -p PORT

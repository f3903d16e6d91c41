#!/usr/bin/env bash
# Runs the client suites (Python: boto3/pycognito; Node: AWS SDK v3, amazon-cognito-identity-js,
# Amplify JS v6, aws-jwt-verify) against a freshly started emulator with an in-memory store.
#
#   tests/clients/run.sh                 # uses target/debug/cognito-emulator (builds it if missing)
#   COGNITO_EMULATOR_BIN=path run.sh     # any other build
#   run.sh python | run.sh node          # one suite only
#
# Python packages: used from python3 if importable (CI installs them), otherwise installed into
# tests/clients/.venv. Node packages: `npm ci` in tests/clients/node if node_modules is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
suites="${1:-all}"

bin="${COGNITO_EMULATOR_BIN:-$root/target/debug/cognito-emulator}"
if [[ ! -x "$bin" ]]; then
    echo "run.sh: building $bin" >&2
    (cd "$root" && cargo build --bin cognito-emulator)
fi

# --- dependencies ------------------------------------------------------------------------------
python=python3
if [[ "$suites" == all || "$suites" == python ]]; then
    if ! python3 -c 'import boto3, pycognito, pytest, requests, selenium' 2>/dev/null; then
        venv="$here/.venv"
        if [[ ! -x "$venv/bin/python" ]]; then
            echo "run.sh: creating $venv" >&2
            python3 -m venv "$venv"
        fi
        "$venv/bin/python" -m pip install -q -r "$here/python/requirements.txt"
        python="$venv/bin/python"
    fi
fi
if [[ "$suites" == all || "$suites" == node ]]; then
    if [[ ! -d "$here/node/node_modules" ]]; then
        (cd "$here/node" && npm ci --no-audit --no-fund)
    fi
fi

# --- the emulator ------------------------------------------------------------------------------
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port="$(free_port)"
tls_port="$(free_port)"
url="http://127.0.0.1:$port"
log="$(mktemp -t cognito-emulator-clients.XXXXXX.log)"
# HTTPS too, with a throw-away CA (the suites' https tests trust it; the browser test signs its
# page's certificate with the ca-key.pem beside it) that also covers the AWS host
# name, which those tests resolve to 127.0.0.1.
tls_dir="$(mktemp -d -t cognito-emulator-tls.XXXXXX)"
"$bin" --host 127.0.0.1 --port "$port" --db :memory: \
    --tls-port "$tls_port" --tls-dir "$tls_dir" \
    --tls-hostname cognito-idp.us-east-1.amazonaws.com >"$log" 2>&1 &
pid=$!
stop() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$tls_dir"
}
trap stop EXIT

healthy() {
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/_emulator/health", timeout=2)' "$url" 2>/dev/null
}
for _ in $(seq 1 200); do
    if healthy; then
        break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "run.sh: the emulator exited during start-up:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.05
done
healthy || {
    echo "run.sh: the emulator did not become healthy on $url" >&2
    cat "$log" >&2
    exit 1
}
echo "run.sh: emulator $bin on $url (log: $log)"
export COGNITO_EMULATOR_URL="$url"
export COGNITO_EMULATOR_TLS_URL="https://127.0.0.1:$tls_port"
export COGNITO_EMULATOR_CA="$tls_dir/ca.pem"

# --- the suites --------------------------------------------------------------------------------
status=0
if [[ "$suites" == all || "$suites" == python ]]; then
    echo "== python client suite"
    (cd "$root" && "$python" -m pytest -q -p no:cacheprovider tests/clients/python) || status=1
fi
if [[ "$suites" == all || "$suites" == node ]]; then
    echo "== node client suite"
    (cd "$here/node" && node --test) || status=1
fi
if [[ $status -ne 0 ]]; then
    echo "run.sh: a client suite failed; emulator log follows" >&2
    tail -n 100 "$log" >&2
fi
exit $status

#!/usr/bin/env bash
# Full SRP sign-ins per second (InitiateAuth USER_SRP_AUTH + RespondToAuthChallenge
# PASSWORD_VERIFIER, verified for real) at 32 connections, plus the server's CPU time per sign-in.
# bench/README.md ("SRP sign-in") records the numbers.
#
#   bench/srp_signin.sh                       # release build, 32 connections, 10 s after 2 s warm-up
#   CONNECTIONS=64 MEASURE_SECONDS=20 bench/srp_signin.sh
#   COGNITO_EMULATOR_BIN=... bench/srp_signin.sh   # an existing server build
#   bench/srp_signin.sh --flow password       # the USER_PASSWORD_AUTH baseline, same generator
#   bench/srp_signin.sh --flow maths          # the server's two SRP calls alone, CPU ms each
#   DB=/tmp/bench.db bench/srp_signin.sh      # a database file instead of :memory:
#   PIN=1 bench/srp_signin.sh                 # server on CPU 0, generator on CPU 1: the rate is
#                                             # then what one server core does
#
# The load generator is examples/srp_signin.rs: it computes each client signature with
# crypto::srp::client, which costs about as much CPU as the server's check, on the same 2 cores.
# The sign-in rate is therefore a floor; server_cpu_ms_per_signin gives the server's own cost.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

(cd "$root" && cargo build --release --example srp_signin)
bin="${COGNITO_EMULATOR_BIN:-$root/target/release/cognito-emulator}"
if [[ -z "${COGNITO_EMULATOR_BIN:-}" ]]; then
    (cd "$root" && cargo build --release --bin cognito-emulator)
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
log="$(mktemp -t srp-signin-bench.XXXXXX.log)"
server_cpus=() generator_cpus=()
if [[ -n "${PIN:-}" ]]; then
    server_cpus=(taskset -c 0) generator_cpus=(taskset -c 1)
fi
COGNITO_EMULATOR_LOG=warn "${server_cpus[@]}" "$bin" --host 127.0.0.1 --port "$port" --db "${DB:-:memory:}" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/_emulator/health", timeout=2)' "$url" 2>/dev/null; then
        break
    fi
    sleep 0.05
done

echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "emulator: $bin ($("$bin" --version)), commit $(git -C "$root" rev-parse --short HEAD)"
"${generator_cpus[@]}" "$root/target/release/examples/srp_signin" --url "$url" --server-pid "$pid" \
    --connections "${CONNECTIONS:-32}" --seconds "${MEASURE_SECONDS:-10}" --warmup 2 "$@"

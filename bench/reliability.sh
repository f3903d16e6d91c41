#!/usr/bin/env bash
# The whole reliability harness against one binary, in sequence, with a pass/fail line for each:
#
#   kill9   bench/kill9.py, 20 rounds of kill -9 under write load on a file database
#   fuzz    bench/fuzz.py, 100 000 hostile-input cases
#   mixed   bench/mixed.py, 64 connections for 5 minutes (sign-ups, password / SRP / MFA / refresh
#           sign-ins, reads, admin writes), RSS sampled every 5 s
#
#   bench/reliability.sh [BINARY]      # default target/release/cognito-emulator (built if missing)
#
# Environment: KILL9_ROUNDS (20), FUZZ_CASES (100000), MIXED_SECONDS (300), MIXED_CONNECTIONS (64),
# OUT (directory for the three logs; a new temporary directory by default).
# mixed.py needs aiohttp, and pycognito + boto3 for SRP: when python3 cannot import them, they are
# installed, at the versions pinned in bench/requirements.txt and tests/clients/python/requirements.txt,
# into bench/.venv-reliability (made with --system-site-packages).
# Exit status 0 only when all three pass. About 10 minutes on a 2-core machine with a release build.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
bin="${1:-$root/target/release/cognito-emulator}"
if [[ ! -x "$bin" ]]; then
    if [[ $# -eq 0 ]]; then
        (cd "$root" && cargo build --release) || exit 1
    else
        echo "no executable at $bin" >&2
        exit 2
    fi
fi
out="${OUT:-$(mktemp -d /tmp/reliability-XXXXXX)}"
mkdir -p "$out"

py=python3
if ! python3 -c "import aiohttp, pycognito, boto3" 2>/dev/null; then
    venv="$here/.venv-reliability"
    if ! "$venv/bin/python" -c "import aiohttp, pycognito, boto3" 2>/dev/null; then
        python3 -m venv --system-site-packages "$venv" || exit 1
        pins=$(grep -hE '^(aiohttp|boto3|pycognito)==' "$here/requirements.txt" "$root/tests/clients/python/requirements.txt" | sort -u)
        # shellcheck disable=SC2086
        "$venv/bin/python" -m pip install -q $pins || exit 1
    fi
    py="$venv/bin/python"
fi

echo "binary: $bin"
echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (uncommitted changes)')"
echo "machine: $(nproc) CPUs, Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "logs: $out"

declare -A result
run() {
    local name="$1"
    shift
    local t0=$SECONDS
    echo "== $name: $*"
    if "$@" >"$out/$name.log" 2>&1; then
        result[$name]="PASS"
    else
        result[$name]="FAIL (exit $?)"
    fi
    result[$name]+=" in $((SECONDS - t0)) s"
    # The run's own summary lines (counts, >= 500, timeouts, panics).
    grep -E '^([0-9]+ rounds in|[0-9]+ cases|answers by|requests whose|>= 500|[0-9]+ answers|server RSS| +FAIL)' "$out/$name.log" | cut -c1-400 | head -20
    echo "== $name: ${result[$name]}"
}

run kill9 "$py" "$here/kill9.py" "$bin" --rounds "${KILL9_ROUNDS:-20}"
run fuzz "$py" "$here/fuzz.py" "$bin" --cases "${FUZZ_CASES:-100000}"
run mixed "$py" "$here/mixed.py" "$bin" --seconds "${MIXED_SECONDS:-300}" --connections "${MIXED_CONNECTIONS:-64}"

echo
echo "summary (logs in $out):"
status=0
for name in kill9 fuzz mixed; do
    echo "  $name: ${result[$name]}"
    [[ ${result[$name]} == PASS* ]] || status=1
done
exit $status

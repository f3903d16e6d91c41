#!/usr/bin/env bash
# AdminGetUser over the HTTPS listener (keep-alive, HTTP/1.1 and h2) against plain http in the same
# run, and a fresh TLS handshake plus the first call; see examples/https_bench.rs.
#
#   bench/https.sh [--connections 32] [--seconds 5] [--handshakes 200]
#   PROFILE=dev bench/https.sh     # a debug build (much slower crypto; for a quick look only)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ "${PROFILE:-release}" == dev ]]; then
    exec cargo run -q --example https_bench -- "$@"
fi
exec cargo run -q --release --example https_bench -- "$@"

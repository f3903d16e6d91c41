#!/usr/bin/env bash
# Every test layer, in the order a failure is cheapest to find. The one command to run before a
# commit, and what CI runs (.ci/run installs the client packages first).
#
#   ./scripts/test-all.sh
#
# Layers: formatting, clippy, unit + wire + integration tests (cargo test), the generated model is
# up to date (model/gen.py --check), then the client suites (tests/clients/run.sh) against the
# debug binary that `cargo test` has just built.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --all-targets -- -D warnings

step "cargo test"
cargo test

if [[ -f model/gen.py ]]; then
    step "model/gen.py --check"
    python3 model/gen.py --check
fi

step "client suites"
# `cargo test` has already built the binary for the integration tests. A separate `cargo build`
# would resolve dependency features without the dev-dependencies and recompile dozens of crates.
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/cognito-emulator"
[[ -x "$bin" ]] || cargo build --bin cognito-emulator
COGNITO_EMULATOR_BIN="$bin" tests/clients/run.sh

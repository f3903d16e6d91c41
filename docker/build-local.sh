#!/usr/bin/env bash
# Builds the statically linked release binary on this machine and packs it into a scratch image
# with docker/Dockerfile.local (podman or docker, whichever is installed; ENGINE=... to choose).
#
#   docker/build-local.sh [TAG]        # default tag cognito-emulator:local
#   COGNITO_EMULATOR_BIN=path docker/build-local.sh   # pack an existing static binary
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tag="${1:-cognito-emulator:local}"
target=x86_64-unknown-linux-gnu

bin="${COGNITO_EMULATOR_BIN:-}"
if [[ -z "$bin" ]]; then
    (cd "$root" && RUSTFLAGS="-C target-feature=+crt-static" \
        cargo build --release --locked --bin cognito-emulator --target "$target")
    bin="$root/target/$target/release/cognito-emulator"
fi
if ldd "$bin" 2>&1 | grep -q '=>'; then
    echo "build-local.sh: $bin is dynamically linked; a scratch image cannot run it" >&2
    exit 1
fi

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
cp "$bin" "$ctx/cognito-emulator"

build_args=()
engine="${ENGINE:-}"
if [[ -z "$engine" ]]; then
    if command -v podman >/dev/null; then
        engine=podman
    else
        engine=docker
    fi
fi
if [[ "$engine" == podman ]]; then
    # Settings that work in an unprivileged sandbox without a registry (README, "Container check").
    if [[ -z "${CONTAINERS_CONF:-}" ]]; then
        export CONTAINERS_CONF=/tmp/cognito-emulator-containers.conf
        printf '[containers]\ndefault_ulimits = []\n' >"$CONTAINERS_CONF"
    fi
    engine="podman --storage-driver vfs --cgroup-manager cgroupfs --runtime runc"
    build_args=(--format docker)   # OCI images drop HEALTHCHECK
fi
$engine build "${build_args[@]}" -t "$tag" -f "$root/docker/Dockerfile.local" "$ctx"
echo "built $tag"

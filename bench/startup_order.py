#!/usr/bin/env python3
"""Writes link/startup-order.txt: the functions an idle server has run, for the linker to lay out
together (see build.rs and bench/README.md, "Idle memory and start-up").

    cargo build --release --bin cognito-emulator
    RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --bin cognito-emulator \
        --target x86_64-unknown-linux-gnu          # the container's static build (docker/)
    python3 bench/startup_order.py target/release/cognito-emulator \
        target/x86_64-unknown-linux-gnu/release/cognito-emulator
    cargo build --release --bin cognito-emulator  # relinks with the new list
    python3 bench/startup_order.py --check [BINARY]  # how much of the list the binary still has

Each binary gets a section of its own: the names differ between build configurations (the
static build's flags and target change every symbol's hash), and the linker skips the names a
build does not define. With no BINARY, only target/release/cognito-emulator is traced.

Build the binary alone (`--bin cognito-emulator`, no `--example` or test targets in the same
command): examples bring the dev-dependencies' features into the build, which changes every
crate's symbol names, and the list no longer matches.

It runs the release binary under valgrind's callgrind (Debian package `valgrind`) with an
in-memory database, waits for it to answer ListUserPools as `bench/load.py startup` does, lets
it go idle (the background key generator finishes), stops it, and keeps every function of the
executable that ran, in the order callgrind first recorded them. The names are the release
build's symbol names (the release profile keeps the symbol table), so run it on a release build
of the same Cargo.toml and Cargo.lock: a changed dependency renames the symbols (their hash
covers the dependency graph), and `--check` then reports most names missing. Regenerate the list
when it does, or when start-up changes; an old list costs memory, never correctness.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time

from benchlib import cpu_seconds, free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load import raw_post  # noqa: E402  (the request `load.py startup` waits for)


def trace(binary, out):
    port = free_port()
    cmd = [
        "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
        "--dump-instr=no", "--compress-strings=no", "--compress-pos=no", "--demangle=no",
        binary, "--host", "127.0.0.1", "--port", str(port), "--db", ":memory:",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 300
        while raw_post(port, "ListUserPools", {"MaxResults": 1}) != 200:
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"{binary} under valgrind did not answer")
            time.sleep(0.05)
        # Idle: less than 2 % of a core over two seconds (valgrind is ~50x slower than native).
        before = cpu_seconds(proc.pid)
        while True:
            time.sleep(2)
            now = cpu_seconds(proc.pid)
            if now - before < 0.04:
                break
            before = now
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)


def executed_functions(callgrind_out, binary):
    """Function names of `binary` in the order they first appear in the callgrind output."""
    names, seen, ours = [], set(), False
    with open(callgrind_out) as f:
        for line in f:
            if line.startswith("ob="):
                ours = os.path.realpath(line[3:].strip()) == os.path.realpath(binary)
            elif line.startswith("fn=") and ours:
                # callgrind marks recursion levels as name'2
                name = re.sub(r"'\d+$", "", line[3:].strip())
                # skip addresses without a symbol and callgrind's own "(below main)"
                if name not in seen and not name.startswith(("0x", "(")):
                    seen.add(name)
                    names.append(name)
    return names


def sections(path):
    """The list's sections: (the build named in its `# build:` line, its function names)."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("# build: "):
                out.append((line[len("# build: "):], []))
            elif line and not line.startswith("#") and out:
                out[-1][1].append(line)
    return out


def defined_functions(binary):
    symbols = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True).stdout
    return {line.split()[-1] for line in symbols.splitlines() if line.strip()}


def check(binary, listed):
    """How much of each build's section the binary defines; exits non-zero unless one section
    is at least 90 % there."""
    defined = defined_functions(binary)
    best = 0.0
    for build, names in listed:
        found = sum(1 for name in names if name in defined)
        print(f"{found} of the {len(names)} functions listed for {build} are in {os.path.relpath(binary, ROOT)}")
        best = max(best, found / max(len(names), 1))
    if best < 0.9:
        raise SystemExit("the list is stale: run bench/startup_order.py on fresh release builds")


def main():
    args = sys.argv[1:]
    checking = args[:1] == ["--check"]
    args = args[1:] if checking else args
    binaries = [os.path.abspath(a) for a in args] or [os.path.join(ROOT, "target/release/cognito-emulator")]
    dest = os.path.join(ROOT, "link/startup-order.txt")
    if checking:
        check(binaries[0], sections(dest))
        return
    lines = [
        "# The functions an idle server has run, in the order callgrind recorded them, for the linker",
        "# to lay out first (build.rs). Written by bench/startup_order.py: one section per build, since",
        "# each build configuration names its symbols differently. lld skips names it does not find.",
    ]
    ran = {}
    for binary in binaries:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "callgrind.out")
            trace(binary, out)
            ran[binary] = executed_functions(out, binary)
        if len(ran[binary]) < 100:
            raise SystemExit(f"only {len(ran[binary])} named functions: is {binary} stripped?")
    # A name one build ran may exist, unrun, in another (C functions, std): leave it out, or the
    # other build would lay out code its start-up does not touch.
    unrun = {b: defined_functions(b) - set(names) for b, names in ran.items()}
    for binary, names in ran.items():
        kept = [n for n in names if not any(n in unrun[o] for o in binaries if o != binary)]
        lines.append(f"# build: {os.path.relpath(binary, ROOT)}")
        lines.extend(kept)
        print(f"{len(kept)} functions of {os.path.relpath(binary, ROOT)} ({len(names)} ran)")
    with open(dest, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"-> {os.path.relpath(dest, ROOT)}")


if __name__ == "__main__":
    main()

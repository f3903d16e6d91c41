#!/usr/bin/env python3
"""Writes link/startup-order.txt: the functions an idle server has run, for the linker to lay out
together (see build.rs and bench/README.md, "Idle memory").

    cargo build --release --bin cognito-emulator
    python3 bench/startup_order.py [BINARY]      # default target/release/cognito-emulator
    cargo build --release --bin cognito-emulator  # relinks with the new list
    python3 bench/startup_order.py --check [BINARY]  # how much of the list the binary still has

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


def check(binary, listed):
    """How many listed names the binary defines; exits non-zero below 90 %."""
    symbols = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True).stdout
    defined = {line.split()[-1] for line in symbols.splitlines() if line.strip()}
    found = sum(1 for name in listed if name in defined)
    print(f"{found} of {len(listed)} listed functions are in {os.path.relpath(binary, ROOT)}")
    if found < 0.9 * len(listed):
        raise SystemExit("the list is stale: run bench/startup_order.py on a fresh release build")


def main():
    args = sys.argv[1:]
    checking = args[:1] == ["--check"]
    args = args[1:] if checking else args
    binary = os.path.abspath(args[0] if args else os.path.join(ROOT, "target/release/cognito-emulator"))
    dest = os.path.join(ROOT, "link/startup-order.txt")
    if checking:
        with open(dest) as f:
            check(binary, f.read().splitlines())
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        trace(binary, out)
        names = executed_functions(out, binary)
    if len(names) < 100:
        raise SystemExit(f"only {len(names)} named functions: is {binary} stripped?")
    with open(dest, "w") as f:
        f.write("\n".join(names) + "\n")
    print(f"{len(names)} functions -> {os.path.relpath(dest, ROOT)}")


if __name__ == "__main__":
    main()

//! Lays out the code that start-up runs in one stretch of the executable (release builds only).
//!
//! An idle server's resident memory is mostly the pages of its own code that start-up touched,
//! and the kernel maps up to 64 KiB around each code page fault. Start-up runs about 2 MB of
//! functions (clap, the tracing subscriber, SQLite's schema code, sqlx's migrator, the router,
//! the key generator and one answer), but they were spread over the whole 12 MB of text, so an
//! idle server held 7–8 MiB of code. `link/startup-order.txt` lists those functions, and the
//! linker places them first: about 2.2 MiB of code stays resident (bench/README.md, "Idle memory
//! and start-up"). `bench/startup_order.py` writes the list from a trace of a release build's
//! start-up, and `--check` tells whether a build still matches it.
//!
//! The names are the release build's symbol names, so the list is for release builds. A name
//! that no longer exists (a dependency changed, which renames most of them) is skipped, and the
//! only cost of an old list is memory. The option is lld's (`--symbol-ordering-file`), which rustc links
//! x86_64-unknown-linux-gnu with since Rust 1.90; with another linker the list is not used.
//! `COGNITO_EMULATOR_LINK_ORDER=0` turns it off.

use std::path::Path;
use std::process::Command;

fn main() {
    let list = Path::new(env!("CARGO_MANIFEST_DIR")).join("link/startup-order.txt");
    println!("cargo:rerun-if-changed={}", list.display());
    println!("cargo:rerun-if-env-changed=COGNITO_EMULATOR_LINK_ORDER");
    if std::env::var("PROFILE").as_deref() != Ok("release")
        || std::env::var("COGNITO_EMULATOR_LINK_ORDER").as_deref() == Ok("0")
        || !links_with_lld()
        || !list.is_file()
    {
        return;
    }
    println!(
        "cargo:rustc-link-arg-bin=cognito-emulator=-Wl,--symbol-ordering-file={}",
        list.display()
    );
    println!("cargo:rustc-link-arg-bin=cognito-emulator=-Wl,--no-warn-symbol-ordering");
}

/// Whether rustc links this build with its own lld: Rust 1.90 or later, targeting
/// x86_64-unknown-linux-gnu, with no linker of the user's choosing.
fn links_with_lld() -> bool {
    if std::env::var("TARGET").as_deref() != Ok("x86_64-unknown-linux-gnu")
        || std::env::var_os("RUSTC_LINKER").is_some()
    {
        return false;
    }
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if ["linker", "fuse-ld", "link-self-contained"]
        .iter()
        .any(|f| flags.contains(f))
    {
        return false;
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let Ok(out) = Command::new(rustc).arg("-vV").output() else {
        return false;
    };
    let version = String::from_utf8_lossy(&out.stdout);
    // "release: 1.95.0"
    version
        .lines()
        .find_map(|l| l.strip_prefix("release: "))
        .and_then(|v| v.split('.').nth(1))
        .and_then(|minor| minor.parse::<u32>().ok())
        .is_some_and(|minor| minor >= 90)
}

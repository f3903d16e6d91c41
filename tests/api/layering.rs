//! The layers of `src/` (README, "Layout"): every `crate::` path in a source file must name a
//! module of its own layer or a lower one, and an operation family in `src/ops/` may share code
//! only through `ops::common` (the sign-in sub-flows in `ops/auth/` may also use each other).
//! A failure names the file and the import, so the structure cannot drift back unnoticed.

use std::path::{Path, PathBuf};

/// Top-level module → layer. A module missing here fails the test, so a new one gets a place.
const LAYERS: &[(&str, u8)] = &[
    ("model", 0),
    ("crypto", 0),
    ("clock", 0),
    ("ids", 0),
    ("util", 0),
    ("error", 0),
    ("outbound", 0),
    ("domain", 1),
    ("flow", 2),
    ("store", 3),
    ("state", 4),
    ("config", 4),
    ("delivery", 5),
    ("triggers", 5),
    ("tokens", 5),
    ("ops", 6),
    ("http", 7),
    ("app", 8),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and string literals, so prose and messages that mention
/// a module are not taken for imports.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                while let Some(n) = chars.next() {
                    match n {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

fn ident_after(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Every module named right after `prefix` (`crate::`), including each first-level member of
/// a grouped `use crate::{a::x, b}`.
fn referenced(code: &str, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in code.match_indices(prefix) {
        // `foo_crate::x` is not `crate::x`.
        if code[..i]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push(ident_after(item.trim()));
                        item.clear();
                    }
                    _ if depth == 0 => item.push(c),
                    _ => {}
                }
            }
            found.push(ident_after(item.trim()));
        } else {
            found.push(ident_after(rest));
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

#[test]
fn every_import_points_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 50, "found only {} source files", files.len());
    let mut violations = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "lib.rs" || rel == "main.rs" {
            continue;
        }
        let top = rel
            .split('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".rs")
            .to_string();
        let Some(own) = layer(&top) else {
            violations.push(format!("{rel}: module `{top}` has no layer in LAYERS"));
            continue;
        };
        let code = code_only(&std::fs::read_to_string(file).expect("read source"));
        for module in referenced(&code, "crate::") {
            match layer(&module) {
                Some(l) if l > own => violations.push(format!(
                    "{rel}: imports crate::{module} (layer {l}) from layer {own} ({top})"
                )),
                None if module != "self" => {
                    violations.push(format!("{rel}: crate::{module} has no layer in LAYERS"))
                }
                _ => {}
            }
        }
        // Operation families share code only through ops::common.
        if let Some(in_ops) = rel.strip_prefix("ops/") {
            if in_ops == "mod.rs" {
                continue;
            }
            let family = in_ops
                .split('/')
                .next()
                .unwrap_or_default()
                .trim_end_matches(".rs");
            let mut siblings = referenced(&code, "crate::ops::");
            if !in_ops.starts_with("auth/") {
                siblings.extend(referenced(&code, "super::"));
            }
            for sibling in siblings {
                let allowed = sibling == "common" || sibling == family || sibling == "*";
                if !allowed {
                    violations.push(format!(
                        "{rel}: ops family `{family}` imports ops::{sibling}; share it through ops::common"
                    ));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports against the layers (README, \"Layout\"):\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_checker_sees_grouped_and_inline_imports() {
    let code = code_only(
        "use crate::{domain::x, store::{a, b}};\n// crate::http in a comment\nlet s = \"crate::app\";\ncrate::ops::common::f();",
    );
    assert_eq!(referenced(&code, "crate::"), ["domain", "store", "ops"]);
    assert_eq!(referenced(&code, "crate::ops::"), ["common"]);
}

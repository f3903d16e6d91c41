//! Input validation against the model, with the AWS JSON 1.1 front end's error texts.
//!
//! [`validate_input`] runs before a handler deserialises the body into its `shapes` struct.
//! It answers exactly what the service answers for a body that does not fit the model:
//!
//! * a JSON type that cannot be read into the member's type → [`InputError::Serialization`]
//!   (`SerializationException`; the first one found wins, like a streaming parser);
//! * model constraints (required, length, range, pattern, enum) → every violation, collected
//!   into one [`InputError::InvalidParameter`] message (`InvalidParameterException`):
//!   `2 validation errors detected: Value 'x' at 'userPoolId' failed to satisfy constraint:
//!   Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+; Value null at
//!   'clientId' failed to satisfy constraint: Member must not be null`.
//!
//! When it returns `Ok(())` the body deserialises into the operation's input struct.
//!
//! Rules (the ones marked \[B\] are best understanding, not captured from the service):
//! * Unknown members are ignored; a member whose value is `null` counts as absent.
//! * Order: members in model order, depth first; within one value: length or range, then
//!   pattern, then enum. (The service's own order is not stable between releases.) \[B\]
//! * Paths: member names with the first letter lower-cased (`sMSMfaSettings`, as the
//!   service does), nested with `.`, list items as `<list>.<n>.member` (1-based).
//! * Lists of strings/numbers and maps are reported the Coral way, once for the whole
//!   collection, listing every constraint of the item shape:
//!   `Value '[token]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy
//!   constraint: [Member must satisfy enum value set: [code, implicit, client_credentials]]`,
//!   `... at 'links' failed to satisfy constraint: Map keys must satisfy constraint: [...]` and
//!   `Map value must satisfy constraint: [...]`. A `null` item or map value adds
//!   `Member must not be null` to the bracket \[B\]. Map values that are structures or
//!   lists (none in this model) would be checked at `<map>.<key>` \[B\].
//! * Values are quoted as sent: strings as-is, numbers as written, lists as `[a, b]`, maps
//!   and structures as `{k=v}` (Java `toString`). A value of a sensitive shape, or of a
//!   shape containing one, is omitted: `Value at 'password' failed ...`. A missing or null
//!   required member is always `Value null at '...'`.
//! * Lengths count Unicode code points (Java semantics); blob lengths count decoded bytes.
//! * Integers must be JSON integers (`5`, not `5.0` or `5e0`), within i32 for `integer`
//!   shapes and i64 for `long` ones, otherwise `Unexpected field type` \[B\]. Timestamps are
//!   JSON numbers (epoch seconds); blobs are strings (base64 is not verified here).
//! * Patterns are the model's Java regexes, matched against the whole value. They are
//!   translated to the `regex` crate's syntax with Java's meaning (`\w`, `\s`, `\d` are
//!   ASCII; `.` stops at line terminators unless `(?s)`), compiled on first use and cached.
//!   A pattern the translation cannot express is skipped, never a panic; the model's only
//!   look-behind, `^[0-9A-Za-z\.\-_]*(?<!\.)$` (S3 bucket names), has an exact rewrite in
//!   [`REWRITES`]. Every pattern of the model compiles (unit test `every_model_pattern_compiles`).

use std::fmt;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::catalog::{OperationInfo, ShapeDef, ShapeKind, PATTERNS, PATTERN_COUNT, SHAPES};

/// Why a request body was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputError {
    /// The body's JSON types do not fit the model: answer `SerializationException` (400) with
    /// this text under a capitalised `Message`.
    Serialization(String),
    /// Model constraints are violated: answer `InvalidParameterException` (400) with this text
    /// under `message`.
    InvalidParameter(String),
}

impl InputError {
    /// The `__type` to answer with.
    pub fn error_type(&self) -> &'static str {
        match self {
            InputError::Serialization(_) => "SerializationException",
            InputError::InvalidParameter(_) => "InvalidParameterException",
        }
    }

    /// The error message.
    pub fn message(&self) -> &str {
        match self {
            InputError::Serialization(m) | InputError::InvalidParameter(m) => m,
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type(), self.message())
    }
}

impl std::error::Error for InputError {}

const START_OF_MAP: &str = "Start of structure or map found where not expected.";
const START_OF_LIST: &str = "Start of list found where not expected.";
const EXPECTED_MAP: &str = "Expected map or null";
const EXPECTED_LIST: &str = "Expected list or null";
const UNEXPECTED_TYPE: &str = "Unexpected field type";

/// Nesting guard. The model has no recursive shapes, so real input never comes near it.
const MAX_DEPTH: usize = 64;
/// Depth up to which offending values are rendered into messages.
const MAX_RENDER_DEPTH: usize = 16;

/// Validates a request body for `op`. See the module documentation for the exact rules.
pub fn validate_input(op: &OperationInfo, body: &Value) -> Result<(), InputError> {
    let input = op.input.and_then(super::catalog::shape_index);
    let empty = Value::Object(Map::new());
    let body = if body.is_null() { &empty } else { body };
    let Some(index) = input else {
        // No input shape: any object (normally `{}`) is accepted.
        return match body {
            Value::Object(_) => Ok(()),
            other => Err(container_mismatch(other, ShapeKind::Structure)),
        };
    };
    let mut v = Validator {
        path: Vec::new(),
        violations: Vec::new(),
    };
    v.check(index, body, 0)?;
    if v.violations.is_empty() {
        return Ok(());
    }
    let n = v.violations.len();
    Err(InputError::InvalidParameter(format!(
        "{n} validation error{} detected: {}",
        if n == 1 { "" } else { "s" },
        v.violations.join("; ")
    )))
}

enum Seg<'a> {
    Member(&'static str),
    Item(usize),
    Key(&'a str),
}

struct Validator<'a> {
    path: Vec<Seg<'a>>,
    violations: Vec<String>,
}

impl<'a> Validator<'a> {
    fn path_string(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            if !out.is_empty() {
                out.push('.');
            }
            match seg {
                Seg::Member(name) => {
                    let mut chars = name.chars();
                    if let Some(first) = chars.next() {
                        out.extend(first.to_lowercase());
                        out.push_str(chars.as_str());
                    }
                }
                Seg::Item(i) => {
                    out.push_str(&(i + 1).to_string());
                    out.push_str(".member");
                }
                Seg::Key(k) => out.push_str(k),
            }
        }
        out
    }

    fn violation(&mut self, value: Option<(&ShapeDef, &Value)>, constraint: &str) {
        let value = match value {
            None => "Value null".to_string(),
            Some((shape, _)) if shape.redact => "Value".to_string(),
            Some((_, v)) => format!("Value '{}'", render(v)),
        };
        let path = self.path_string();
        self.violations.push(format!(
            "{value} at '{path}' failed to satisfy constraint: {constraint}"
        ));
    }

    /// Checks a non-null `value` against shape `index`.
    fn check(&mut self, index: usize, value: &'a Value, depth: usize) -> Result<(), InputError> {
        if depth > MAX_DEPTH {
            return Err(InputError::Serialization(
                "Request nesting too deep".to_string(),
            ));
        }
        let shape = &SHAPES[index];
        match shape.kind {
            ShapeKind::Structure => {
                let Value::Object(map) = value else {
                    return Err(container_mismatch(value, ShapeKind::Structure));
                };
                for member in shape.members {
                    self.path.push(Seg::Member(member.name));
                    match map.get(member.name) {
                        None | Some(Value::Null) => {
                            if member.required {
                                self.violation(None, "Member must not be null");
                            }
                        }
                        Some(child) => self.check(member.target, child, depth + 1)?,
                    }
                    self.path.pop();
                }
                Ok(())
            }
            ShapeKind::List => {
                let Value::Array(items) = value else {
                    return Err(container_mismatch(value, ShapeKind::List));
                };
                self.check_count(shape, value, items.len());
                let item_index = shape.item.unwrap_or(index);
                let item = &SHAPES[item_index];
                if is_scalar(item.kind) {
                    let mut failed = false;
                    let mut null = false;
                    for it in items {
                        if it.is_null() {
                            null = true;
                        } else {
                            scalar_type(item, it)?;
                            failed |= !scalar_failures(item, it).is_empty();
                        }
                    }
                    if failed || null {
                        let text = bracket("Member must satisfy constraint", item, null);
                        self.violation(Some((shape, value)), &text);
                    }
                } else {
                    for (i, it) in items.iter().enumerate() {
                        self.path.push(Seg::Item(i));
                        if it.is_null() {
                            self.violation(None, "Member must not be null");
                        } else {
                            self.check(item_index, it, depth + 1)?;
                        }
                        self.path.pop();
                    }
                }
                Ok(())
            }
            ShapeKind::Map => {
                let Value::Object(map) = value else {
                    return Err(container_mismatch(value, ShapeKind::Map));
                };
                self.check_count(shape, value, map.len());
                if let Some(key) = shape.key.map(|k| &SHAPES[k]) {
                    let failed = map
                        .keys()
                        .any(|k| !string_failures(key, k, k.chars().count()).is_empty());
                    if failed {
                        let text = bracket("Map keys must satisfy constraint", key, false);
                        self.violation(Some((shape, value)), &text);
                    }
                }
                let value_index = shape.item.unwrap_or(index);
                let item = &SHAPES[value_index];
                if is_scalar(item.kind) {
                    let mut failed = false;
                    let mut null = false;
                    for v in map.values() {
                        if v.is_null() {
                            null = true;
                        } else {
                            scalar_type(item, v)?;
                            failed |= !scalar_failures(item, v).is_empty();
                        }
                    }
                    if failed || null {
                        let text = bracket("Map value must satisfy constraint", item, null);
                        self.violation(Some((shape, value)), &text);
                    }
                } else {
                    for (k, v) in map {
                        self.path.push(Seg::Key(k));
                        if v.is_null() {
                            self.violation(None, "Member must not be null");
                        } else {
                            self.check(value_index, v, depth + 1)?;
                        }
                        self.path.pop();
                    }
                }
                Ok(())
            }
            ShapeKind::Document => Ok(()),
            _ => {
                scalar_type(shape, value)?;
                for constraint in scalar_failures(shape, value) {
                    self.violation(Some((shape, value)), &constraint);
                }
                Ok(())
            }
        }
    }

    /// Entry-count constraints of a list or map.
    fn check_count(&mut self, shape: &ShapeDef, value: &Value, count: usize) {
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        if let Some(max) = shape.max.filter(|&max| count > max) {
            let text = format!("Member must have length less than or equal to {max}");
            self.violation(Some((shape, value)), &text);
        }
        if let Some(min) = shape.min.filter(|&min| count < min) {
            let text = format!("Member must have length greater than or equal to {min}");
            self.violation(Some((shape, value)), &text);
        }
    }
}

fn is_scalar(kind: ShapeKind) -> bool {
    !matches!(
        kind,
        ShapeKind::Structure | ShapeKind::List | ShapeKind::Map | ShapeKind::Document
    )
}

/// The error for a value that is not the container a shape expects (only called on a
/// mismatch: `expected` is `List`, or `Structure`/`Map`).
fn container_mismatch(value: &Value, expected: ShapeKind) -> InputError {
    let message = match value {
        Value::Object(_) => START_OF_MAP,
        Value::Array(_) => START_OF_LIST,
        _ if expected == ShapeKind::List => EXPECTED_LIST,
        _ => EXPECTED_MAP,
    };
    InputError::Serialization(message.to_string())
}

/// Type check of a non-null value against a scalar shape.
fn scalar_type(shape: &ShapeDef, value: &Value) -> Result<(), InputError> {
    let ok = match (shape.kind, value) {
        (_, Value::Object(_)) => return Err(InputError::Serialization(START_OF_MAP.into())),
        (_, Value::Array(_)) => return Err(InputError::Serialization(START_OF_LIST.into())),
        (ShapeKind::String | ShapeKind::Blob, Value::String(_)) => true,
        (ShapeKind::Boolean, Value::Bool(_)) => true,
        (ShapeKind::Integer, Value::Number(n)) => {
            n.as_i64().is_some_and(|i| i32::try_from(i).is_ok())
        }
        (ShapeKind::Long, Value::Number(n)) => n.as_i64().is_some(),
        (ShapeKind::Timestamp, Value::Number(_)) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(InputError::Serialization(UNEXPECTED_TYPE.into()))
    }
}

/// Constraint texts a type-correct scalar value fails, in reporting order.
fn scalar_failures(shape: &ShapeDef, value: &Value) -> Vec<String> {
    match (shape.kind, value) {
        (ShapeKind::String, Value::String(s)) => string_failures(shape, s, s.chars().count()),
        (ShapeKind::Blob, Value::String(s)) => length_failures(shape, base64_len(s)),
        (ShapeKind::Integer | ShapeKind::Long, Value::Number(n)) => {
            let Some(n) = n.as_i64() else {
                return Vec::new();
            };
            let mut out = Vec::new();
            if let Some(max) = shape.max.filter(|&max| n > max) {
                out.push(format!(
                    "Member must have value less than or equal to {max}"
                ));
            }
            if let Some(min) = shape.min.filter(|&min| n < min) {
                out.push(format!(
                    "Member must have value greater than or equal to {min}"
                ));
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Shapes whose model pattern the service does not enforce. `DomainType` allows a prefix label
/// only, yet custom domains (`auth.example.com`) are sent in the same member: the service checks
/// prefixes with its own text (ops::domains).
const UNENFORCED_PATTERNS: &[&str] = &["DomainType"];

fn length_failures(shape: &ShapeDef, len: usize) -> Vec<String> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let mut out = Vec::new();
    if let Some(max) = shape.max.filter(|&max| len > max) {
        out.push(format!(
            "Member must have length less than or equal to {max}"
        ));
    }
    if let Some(min) = shape.min.filter(|&min| len < min) {
        out.push(format!(
            "Member must have length greater than or equal to {min}"
        ));
    }
    out
}

fn string_failures(shape: &ShapeDef, s: &str, code_points: usize) -> Vec<String> {
    let mut out = length_failures(shape, code_points);
    if let Some(id) = shape
        .pattern
        .filter(|_| !UNENFORCED_PATTERNS.contains(&shape.name))
    {
        if let Some(re) = pattern_regex(id) {
            if !re.is_match(s) {
                out.push(format!(
                    "Member must satisfy regular expression pattern: {}",
                    PATTERNS[id]
                ));
            }
        }
    }
    if !shape.enum_values.is_empty() && !shape.enum_values.contains(&s) {
        out.push(enum_text(shape));
    }
    out
}

fn enum_text(shape: &ShapeDef) -> String {
    format!(
        "Member must satisfy enum value set: [{}]",
        shape.enum_values.join(", ")
    )
}

/// `<intro>: [<every constraint of the item shape>]`, Coral's form for collection items.
fn bracket(intro: &str, item: &ShapeDef, null: bool) -> String {
    let mut parts = Vec::new();
    let unit = match item.kind {
        ShapeKind::Integer | ShapeKind::Long => "value",
        _ => "length",
    };
    if let Some(max) = item.max {
        parts.push(format!(
            "Member must have {unit} less than or equal to {max}"
        ));
    }
    if let Some(min) = item.min {
        parts.push(format!(
            "Member must have {unit} greater than or equal to {min}"
        ));
    }
    if let Some(p) = item.pattern_text() {
        parts.push(format!(
            "Member must satisfy regular expression pattern: {p}"
        ));
    }
    if !item.enum_values.is_empty() {
        parts.push(enum_text(item));
    }
    if null {
        parts.push("Member must not be null".to_string());
    }
    format!("{intro}: [{}]", parts.join(", "))
}

/// Decoded length of base64 text (padding and whitespace ignored).
fn base64_len(s: &str) -> usize {
    let chars = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .count();
    chars / 4 * 3 + (chars % 4 * 3) / 4
}

/// A value as Java's `toString` would print it (strings unquoted).
fn render(value: &Value) -> String {
    let mut out = String::new();
    render_into(value, &mut out, 0);
    out
}

fn render_into(value: &Value, out: &mut String, depth: usize) {
    if depth > MAX_RENDER_DEPTH {
        out.push_str("...");
        return;
    }
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_into(it, out, depth + 1);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                render_into(v, out, depth + 1);
            }
            out.push('}');
        }
    }
}

// ---------------------------------------------------------------------------------------
// Patterns

/// Exact rewrites (Java text → `regex` syntax) for model patterns the translation cannot
/// express.
pub const REWRITES: &[(&str, &str)] = &[
    // S3BucketType: the look-behind only forbids a trailing '.'; empty stays valid.
    (
        r"^[0-9A-Za-z\.\-_]*(?<!\.)$",
        r"^(?:[0-9A-Za-z.\-_]*[0-9A-Za-z\-_])?$",
    ),
];

/// Java's `.` without DOTALL: anything but a line terminator.
const JAVA_DOT: &str = r"[^\n\r\x{85}\x{2028}\x{2029}]";
const JAVA_WORD: &str = "0-9A-Za-z_";
const JAVA_SPACE: &str = r"\t\n\x0B\x0C\r ";
const JAVA_DIGIT: &str = "0-9";

/// Translates a Java regex (as written in the model) to the `regex` crate's syntax with the
/// same meaning, or `None` if it uses a construct without an equivalent (look-around,
/// back-references, possessive quantifiers, atomic groups, `\Q..\E`, Java-only classes).
pub fn java_regex_to_rust(java: &str) -> Option<String> {
    if let Some((_, rust)) = REWRITES.iter().find(|(j, _)| *j == java) {
        return Some((*rust).to_string());
    }
    let chars: Vec<char> = java.chars().collect();
    let mut out = String::with_capacity(java.len() + 16);
    let mut class_depth = 0usize;
    let mut dotall = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\\' => {
                let e = next?;
                i += 2;
                match e {
                    'w' | 'W' | 's' | 'S' | 'd' | 'D' => {
                        let set = match e.to_ascii_lowercase() {
                            'w' => JAVA_WORD,
                            's' => JAVA_SPACE,
                            _ => JAVA_DIGIT,
                        };
                        let negated = e.is_ascii_uppercase();
                        if class_depth > 0 && !negated {
                            out.push_str(set);
                        } else {
                            out.push('[');
                            if negated {
                                out.push('^');
                            }
                            out.push_str(set);
                            out.push(']');
                        }
                    }
                    'p' | 'P' => {
                        let name: String = if chars.get(i) == Some(&'{') {
                            let end = chars[i..].iter().position(|&ch| ch == '}')? + i;
                            let name = chars[i + 1..end].iter().collect();
                            i = end + 1;
                            name
                        } else {
                            let ch = *chars.get(i)?;
                            i += 1;
                            ch.to_string()
                        };
                        // Only Unicode general categories mean the same in both engines
                        // (Java's POSIX names like \p{Alpha} are ASCII-only there).
                        let category = name.strip_prefix("Is").unwrap_or(&name);
                        let is_category = matches!(category.len(), 1 | 2)
                            && category.chars().all(|ch| ch.is_ascii_alphabetic())
                            && category.starts_with(|ch: char| ch.is_ascii_uppercase());
                        if !is_category {
                            return None;
                        }
                        out.push('\\');
                        out.push(e);
                        out.push('{');
                        out.push_str(category);
                        out.push('}');
                    }
                    'x' => {
                        out.push_str("\\x");
                        if chars.get(i) == Some(&'{') {
                            let end = chars[i..].iter().position(|&ch| ch == '}')? + i;
                            out.extend(&chars[i..=end]);
                            i = end + 1;
                        } else {
                            let hex = chars.get(i..i + 2)?;
                            out.extend(hex);
                            i += 2;
                        }
                    }
                    'u' => {
                        let hex: String = chars.get(i..i + 4)?.iter().collect();
                        if !hex.chars().all(|ch| ch.is_ascii_hexdigit()) {
                            return None;
                        }
                        out.push_str("\\x{");
                        out.push_str(&hex);
                        out.push('}');
                        i += 4;
                    }
                    't' | 'n' | 'r' | 'f' | 'a' => {
                        out.push('\\');
                        out.push(e);
                    }
                    'e' => out.push_str(r"\x1B"),
                    'A' | 'z' | 'b' | 'B' => {
                        out.push('\\');
                        out.push(e);
                    }
                    // A space or '<'/'>' escaped in Java is the literal; `\<` and `\>` are
                    // word-boundary assertions in the regex crate.
                    ' ' | '<' | '>' => out.push(e),
                    e if e.is_ascii_punctuation() => {
                        out.push('\\');
                        out.push(e);
                    }
                    e if !e.is_ascii() => out.push(e),
                    // \Q \E \G \Z \R \X \h \H \v \V \k \c and back-references.
                    _ => return None,
                }
                continue;
            }
            '[' => {
                class_depth += 1;
                out.push('[');
                if next == Some('^') {
                    out.push('^');
                    i += 1;
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(']');
            }
            // Set operators of the regex crate that are literals in Java classes.
            '-' if class_depth > 0 && next == Some('-') => return None,
            '~' if class_depth > 0 => out.push_str(r"\~"),
            '.' if class_depth == 0 => {
                if dotall {
                    out.push('.');
                } else {
                    out.push_str(JAVA_DOT);
                }
            }
            '(' if class_depth == 0 && next == Some('?') => {
                match chars.get(i + 2).copied() {
                    // Named group (?<name>...) is fine; look-around and atomic groups are not.
                    Some('<') if matches!(chars.get(i + 3), Some('=' | '!')) => return None,
                    Some('=' | '!' | '>') => return None,
                    Some(':' | '<') => out.push('('),
                    _ => {
                        // Inline flags (?flags) or (?flags:...): only those with the same
                        // meaning in both engines (Java's U and u differ).
                        let rest = &chars[i + 2..];
                        let end = rest.iter().position(|&ch| ch == ')' || ch == ':')?;
                        let flags = &rest[..end];
                        if !flags
                            .iter()
                            .all(|ch| matches!(ch, 'i' | 'm' | 's' | 'x' | '-'))
                        {
                            return None;
                        }
                        let negated_from = flags.iter().position(|&ch| ch == '-');
                        if let Some(pos) = flags.iter().position(|&ch| ch == 's') {
                            dotall = negated_from.is_none_or(|n| pos < n);
                        }
                        out.push('(');
                    }
                }
            }
            '*' | '+' | '?' | '}' if class_depth == 0 && next == Some('+') => return None,
            _ => out.push(c),
        }
        i += 1;
    }
    (class_depth == 0).then_some(out)
}

/// Compiles a model (Java) pattern for whole-value matching.
pub fn compile_java_pattern(java: &str) -> Result<Regex, String> {
    let rust = java_regex_to_rust(java)
        .ok_or_else(|| format!("pattern {java:?} has no regex-crate equivalent"))?;
    Regex::new(&format!("^(?:{rust})$")).map_err(|e| format!("pattern {java:?}: {e}"))
}

static COMPILED: [OnceLock<Option<Regex>>; PATTERN_COUNT] =
    [const { OnceLock::new() }; PATTERN_COUNT];

/// The compiled regex of `PATTERNS[id]`, compiled on first use; `None` if it cannot be
/// compiled (the check is then skipped).
fn pattern_regex(id: usize) -> Option<&'static Regex> {
    COMPILED
        .get(id)?
        .get_or_init(|| compile_java_pattern(PATTERNS[id]).ok())
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalog::{self, operation, EXCEPTIONS, OPERATIONS};
    use serde_json::json;

    fn run(op: &str, body: Value) -> Result<(), InputError> {
        validate_input(operation(op).expect("operation"), &body)
    }

    fn ser(op: &str, body: Value) -> String {
        match run(op, body) {
            Err(InputError::Serialization(m)) => m,
            other => panic!("expected SerializationException, got {other:?}"),
        }
    }

    fn invalid(op: &str, body: Value) -> String {
        match run(op, body) {
            Err(InputError::InvalidParameter(m)) => m,
            other => panic!("expected InvalidParameterException, got {other:?}"),
        }
    }

    const POOL: &str = "us-east-1_AbCdEfGhI";

    #[test]
    fn valid_input_passes_and_deserialises() {
        let body = json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": "abc123",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Secret1!"},
            "ClientMetadata": {"k": "v"},
        });
        assert_eq!(run("InitiateAuth", body.clone()), Ok(()));
        let typed: crate::model::shapes::InitiateAuthRequest =
            serde_json::from_value(body).unwrap();
        assert_eq!(typed.auth_flow.as_deref(), Some("USER_PASSWORD_AUTH"));
        assert_eq!(
            typed
                .auth_parameters
                .unwrap()
                .get("USERNAME")
                .map(String::as_str),
            Some("alice")
        );
    }

    #[test]
    fn serialization_rules() {
        // Body itself.
        assert_eq!(ser("GetUser", json!([])), START_OF_LIST);
        assert_eq!(ser("GetUser", json!("x")), EXPECTED_MAP);
        assert_eq!(ser("GetUser", json!(1)), EXPECTED_MAP);
        // Scalar expected.
        assert_eq!(ser("GetUser", json!({"AccessToken": {}})), START_OF_MAP);
        assert_eq!(ser("GetUser", json!({"AccessToken": []})), START_OF_LIST);
        assert_eq!(ser("GetUser", json!({"AccessToken": 5})), UNEXPECTED_TYPE);
        assert_eq!(
            ser("GetUser", json!({"AccessToken": true})),
            UNEXPECTED_TYPE
        );
        // Structure or map expected.
        let base = |k: &str, v: Value| {
            let mut b = json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": "c"});
            b[k] = v;
            b
        };
        assert_eq!(
            ser("InitiateAuth", base("AuthParameters", json!("x"))),
            EXPECTED_MAP
        );
        assert_eq!(
            ser("InitiateAuth", base("AuthParameters", json!(1))),
            EXPECTED_MAP
        );
        assert_eq!(
            ser("InitiateAuth", base("AuthParameters", json!([]))),
            START_OF_LIST
        );
        assert_eq!(
            ser("InitiateAuth", base("UserContextData", json!(true))),
            EXPECTED_MAP
        );
        // List expected.
        let attrs = |v: Value| json!({"UserPoolId": POOL, "Username": "u", "UserAttributes": v});
        assert_eq!(ser("AdminCreateUser", attrs(json!({}))), START_OF_MAP);
        assert_eq!(ser("AdminCreateUser", attrs(json!("x"))), EXPECTED_LIST);
        assert_eq!(ser("AdminCreateUser", attrs(json!(3))), EXPECTED_LIST);
        // Items and map values follow the same rules.
        assert_eq!(ser("AdminCreateUser", attrs(json!(["x"]))), EXPECTED_MAP);
        assert_eq!(ser("AdminCreateUser", attrs(json!([[]]))), START_OF_LIST);
        assert_eq!(
            ser("AdminCreateUser", attrs(json!([{"Name": "a", "Value": 1}]))),
            UNEXPECTED_TYPE
        );
        assert_eq!(
            ser("InitiateAuth", base("ClientMetadata", json!({"k": 1}))),
            UNEXPECTED_TYPE
        );
        assert_eq!(
            ser("InitiateAuth", base("ClientMetadata", json!({"k": {}}))),
            START_OF_MAP
        );
        assert_eq!(
            ser("InitiateAuth", base("ClientMetadata", json!({"k": []}))),
            START_OF_LIST
        );
        // Numbers and booleans.
        let users = |v: Value| json!({"UserPoolId": POOL, "Limit": v});
        assert_eq!(ser("ListUsers", users(json!(1.5))), UNEXPECTED_TYPE);
        assert_eq!(ser("ListUsers", users(json!(5.0))), UNEXPECTED_TYPE);
        assert_eq!(ser("ListUsers", users(json!("5"))), UNEXPECTED_TYPE);
        assert_eq!(
            ser("ListUsers", users(json!(3_000_000_000i64))),
            UNEXPECTED_TYPE
        );
        assert_eq!(
            ser(
                "AdminDisableUser",
                json!({"UserPoolId": POOL, "Username": true})
            ),
            UNEXPECTED_TYPE
        );
        let client = json!({"UserPoolId": POOL, "ClientName": "n", "GenerateSecret": "true"});
        assert_eq!(ser("CreateUserPoolClient", client), UNEXPECTED_TYPE);
    }

    #[test]
    fn type_errors_win_over_constraint_violations() {
        // UserPoolId violates its pattern, but Limit cannot even be read.
        let body = json!({"UserPoolId": "local", "Limit": "x"});
        assert_eq!(ser("ListUsers", body), UNEXPECTED_TYPE);
    }

    #[test]
    fn missing_required_members() {
        assert_eq!(
            invalid("InitiateAuth", json!({})),
            "2 validation errors detected: \
             Value null at 'authFlow' failed to satisfy constraint: Member must not be null; \
             Value null at 'clientId' failed to satisfy constraint: Member must not be null"
        );
        assert_eq!(
            invalid("GetUser", json!({})),
            "1 validation error detected: Value null at 'accessToken' failed to satisfy \
             constraint: Member must not be null"
        );
    }

    #[test]
    fn null_counts_as_absent_and_extras_are_ignored() {
        assert_eq!(
            invalid("GetUser", json!({"AccessToken": null})),
            "1 validation error detected: Value null at 'accessToken' failed to satisfy \
             constraint: Member must not be null"
        );
        let body = json!({
            "AuthFlow": "USER_SRP_AUTH", "ClientId": "c", "Session": null,
            "Unknown": {"deep": [1, 2, {"x": null}]}, "AnotherExtra": 1.5,
        });
        assert_eq!(run("InitiateAuth", body), Ok(()));
        assert!(run("InitiateAuth", Value::Null).is_err());
        assert_eq!(
            run("GetUser", json!({"AccessToken": "abc.def-ghi_="})),
            Ok(())
        );
    }

    #[test]
    fn length_limits() {
        let long = "a".repeat(10 * 1024);
        assert_eq!(
            invalid(
                "AdminGetUser",
                json!({"UserPoolId": POOL, "Username": long})
            ),
            "1 validation error detected: Value at 'username' failed to satisfy constraint: \
             Member must have length less than or equal to 128"
        );
        // Username is sensitive, so the value is never echoed.
        assert_eq!(
            invalid("AdminGetUser", json!({"UserPoolId": POOL, "Username": ""})),
            "2 validation errors detected: Value at 'username' failed to satisfy constraint: \
             Member must have length greater than or equal to 1; Value at 'username' failed to \
             satisfy constraint: Member must satisfy regular expression pattern: \
             [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
        );
        // 128 code points of a 3-byte character: 384 bytes, still valid.
        let cjk = "名".repeat(128);
        assert_eq!(
            run("AdminGetUser", json!({"UserPoolId": POOL, "Username": cjk})),
            Ok(())
        );
        let emoji = "😀".repeat(129);
        assert!(invalid(
            "AdminGetUser",
            json!({"UserPoolId": POOL, "Username": emoji})
        )
        .ends_with("Member must have length less than or equal to 128"));
        // Non-sensitive values are echoed.
        let name = "n".repeat(129);
        assert_eq!(
            invalid(
                "CreateGroup",
                json!({"UserPoolId": POOL, "GroupName": name.clone()})
            ),
            format!(
                "1 validation error detected: Value '{name}' at 'groupName' failed to satisfy \
                 constraint: Member must have length less than or equal to 128"
            )
        );
    }

    #[test]
    fn pattern_failure() {
        assert_eq!(
            invalid(
                "AdminGetUser",
                json!({"UserPoolId": "local", "Username": "bob"})
            ),
            "1 validation error detected: Value 'local' at 'userPoolId' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
        );
    }

    #[test]
    fn enum_failure() {
        assert_eq!(
            invalid("InitiateAuth", json!({"AuthFlow": "NOPE", "ClientId": "c"})),
            "1 validation error detected: Value 'NOPE' at 'authFlow' failed to satisfy \
             constraint: Member must satisfy enum value set: [USER_SRP_AUTH, \
             REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, \
             USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"
        );
    }

    #[test]
    fn range_failure() {
        assert_eq!(
            invalid("ListUsers", json!({"UserPoolId": POOL, "Limit": 61})),
            "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: \
             Member must have value less than or equal to 60"
        );
        assert_eq!(
            invalid("ListUserPools", json!({"MaxResults": 0})),
            "1 validation error detected: Value '0' at 'maxResults' failed to satisfy \
             constraint: Member must have value greater than or equal to 1"
        );
    }

    #[test]
    fn nested_list_and_map_paths() {
        let body = json!({
            "UserPoolId": POOL,
            "Username": "u",
            "UserAttributes": [
                {"Name": "email", "Value": "v".repeat(2049)},
                {"Value": "x"},
                null,
            ],
        });
        assert_eq!(
            invalid("AdminCreateUser", body),
            "3 validation errors detected: \
             Value at 'userAttributes.1.member.value' failed to satisfy constraint: Member \
             must have length less than or equal to 2048; \
             Value null at 'userAttributes.2.member.name' failed to satisfy constraint: Member \
             must not be null; \
             Value null at 'userAttributes.3.member' failed to satisfy constraint: Member must \
             not be null"
        );
        // List of strings: one violation for the whole list, Coral's bracket form.
        let body = json!({"UserPoolId": POOL, "ClientName": "n", "AllowedOAuthFlows": ["token"]});
        assert_eq!(
            invalid("CreateUserPoolClient", body),
            "1 validation error detected: Value '[token]' at 'allowedOAuthFlows' failed to \
             satisfy constraint: Member must satisfy constraint: [Member must satisfy enum \
             value set: [code, implicit, client_credentials]]"
        );
        // Map keys and values.
        let body = json!({
            "UserPoolId": POOL, "ClientId": "c", "TermsName": "terms-of-use",
            "TermsSource": "LINK", "Enforcement": "NONE",
            "Links": {"cognito:klingon": "https://x", "cognito:default": ""},
        });
        assert_eq!(
            invalid("CreateTerms", body),
            "2 validation errors detected: \
             Value '{cognito:default=, cognito:klingon=https://x}' at 'links' failed to \
             satisfy constraint: Map keys must satisfy constraint: [Member must satisfy \
             regular expression pattern: ^cognito:(default|dutch|english|french|spanish|\
             german|bahasa-indonesia|italian|japanese|korean|portuguese-brazil|chinese-\
             (simplified|traditional))$]; \
             Value '{cognito:default=, cognito:klingon=https://x}' at 'links' failed to \
             satisfy constraint: Map value must satisfy constraint: [Member must have length \
             less than or equal to 1024, Member must have length greater than or equal to 1, \
             Member must satisfy regular expression pattern: ^[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+$]"
        );
        // Null map value; sensitive map (AuthParameters) is not echoed.
        let body = json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": "c",
                          "AuthParameters": {"USERNAME": null}, "ClientMetadata": {"a": null}});
        assert_eq!(
            invalid("InitiateAuth", body),
            "2 validation errors detected: \
             Value at 'authParameters' failed to satisfy constraint: Map value must satisfy \
             constraint: [Member must have length less than or equal to 131072, Member must \
             have length greater than or equal to 0, Member must not be null]; \
             Value '{a=null}' at 'clientMetadata' failed to satisfy constraint: Map value must \
             satisfy constraint: [Member must have length less than or equal to 131072, Member \
             must have length greater than or equal to 0, Member must not be null]"
        );
    }

    #[test]
    fn list_lengths_and_composite_redaction() {
        let flows = json!(["code", "implicit", "client_credentials", "code"]);
        let body = json!({"UserPoolId": POOL, "ClientName": "n", "AllowedOAuthFlows": flows});
        assert_eq!(
            invalid("CreateUserPoolClient", body),
            "1 validation error detected: Value '[code, implicit, client_credentials, code]' \
             at 'allowedOAuthFlows' failed to satisfy constraint: Member must have length less \
             than or equal to 3"
        );
        let body = json!({"UserPoolId": POOL, "CustomAttributes": []});
        assert_eq!(
            invalid("AddCustomAttributes", body),
            "1 validation error detected: Value '[]' at 'customAttributes' failed to satisfy \
             constraint: Member must have length greater than or equal to 1"
        );
        // Composite values holding a sensitive shape are never echoed (AttributeValueType).
        for name in ["AttributeListType", "AttributeType", "AuthParametersType"] {
            assert!(catalog::shape(name).unwrap().redact, "{name}");
        }
        assert!(!catalog::shape("OAuthFlowsType").unwrap().redact);
        let mut v = Validator {
            path: vec![Seg::Member("UserAttributes")],
            violations: Vec::new(),
        };
        let list = json!([{"Name": "email", "Value": "secret@example.com"}]);
        v.violation(
            Some((catalog::shape("AttributeListType").unwrap(), &list)),
            "X",
        );
        assert_eq!(
            v.violations,
            ["Value at 'userAttributes' failed to satisfy constraint: X"]
        );
    }

    #[test]
    fn several_violations_in_one_message() {
        let body = json!({
            "ClientId": "not valid!",
            "SecretHash": "",
            "Username": "",
            "Password": "has space",
            "UserAttributes": [{"Name": "email"}],
        });
        assert_eq!(
            invalid("SignUp", body),
            "6 validation errors detected: \
             Value at 'clientId' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: [\\w+]+; \
             Value at 'secretHash' failed to satisfy constraint: Member must have length \
             greater than or equal to 1; \
             Value at 'secretHash' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: [\\w+=/]+; \
             Value at 'username' failed to satisfy constraint: Member must have length greater \
             than or equal to 1; \
             Value at 'username' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+; \
             Value at 'password' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: [\\S]+"
        );
    }

    #[test]
    fn sensitive_values_are_never_echoed() {
        let secret = "hunter2 with spaces";
        let msg = invalid(
            "ChangePassword",
            json!({"PreviousPassword": secret, "ProposedPassword": secret, "AccessToken": "a b"}),
        );
        assert!(!msg.contains(secret), "{msg}");
        assert!(!msg.contains("a b"), "{msg}");
        assert!(msg.starts_with("3 validation errors detected: Value at 'previousPassword'"));
        assert!(msg.contains("Value at 'accessToken' failed to satisfy constraint"));
    }

    #[test]
    fn java_pattern_semantics() {
        // \w is ASCII in Java: ClientIdType `[\w+]+` rejects 'é'.
        assert!(invalid("GetUser", json!({"AccessToken": "é"})).contains("accessToken"));
        let client = |id: &str| json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": id});
        assert!(run("InitiateAuth", client("é")).is_err());
        assert_eq!(run("InitiateAuth", client("abc_123+")), Ok(()));
        // \S in Java excludes only ASCII white space: NBSP is a valid password character.
        let re = compile_java_pattern(r"[\S]+").unwrap();
        assert!(re.is_match("pass\u{a0}word"));
        assert!(!re.is_match("pass word"));
        assert!(!re.is_match("pass\u{b}word"));
        // `.` stops at line terminators without (?s), not with it.
        let re = compile_java_pattern(r".*\{####\}.*").unwrap();
        assert!(re.is_match("code {####} here"));
        assert!(!re.is_match("code\n{####}"));
        assert!(!re.is_match("code\u{2028}{####}"));
        assert!(compile_java_pattern(r"(?s).*").unwrap().is_match("a\nb"));
        // Whole-value match, `-` after a range is a literal.
        let re = compile_java_pattern(r"[A-Za-z0-9-_=.]+").unwrap();
        assert!(re.is_match("a-b_c=d.e"));
        assert!(!re.is_match("a b"));
        assert!(!compile_java_pattern(r"[0-9]+").unwrap().is_match("12a"));
        // The look-behind rewrite.
        let re = compile_java_pattern(r"^[0-9A-Za-z\.\-_]*(?<!\.)$").unwrap();
        assert!(re.is_match(""));
        assert!(re.is_match("my.bucket-1"));
        assert!(!re.is_match("my.bucket."));
        // Unsupported constructs are reported, not mistranslated.
        assert!(java_regex_to_rust(r"a(?=b)").is_none());
        assert!(java_regex_to_rust(r"a*+").is_none());
        assert!(java_regex_to_rust(r"(a)\1").is_none());
        assert!(java_regex_to_rust(r"\p{Alpha}+").is_none());
    }

    #[test]
    fn every_model_pattern_compiles() {
        let model: Value =
            serde_json::from_str(include_str!("../../model/service-2.json")).unwrap();
        let mut count = 0;
        for (name, shape) in model["shapes"].as_object().unwrap() {
            if let Some(p) = shape.get("pattern").and_then(Value::as_str) {
                count += 1;
                if let Err(e) = compile_java_pattern(p) {
                    panic!("{name}: {e}");
                }
            }
        }
        assert_eq!(count, 56);
        for (id, java) in PATTERNS.iter().enumerate() {
            assert!(pattern_regex(id).is_some(), "{java}");
        }
    }

    #[test]
    fn catalog_is_complete_and_sorted() {
        assert_eq!(OPERATIONS.len(), 122);
        assert!(OPERATIONS.windows(2).all(|w| w[0].name < w[1].name));
        assert_eq!(OPERATIONS.iter().filter(|o| o.unsigned).count(), 32);
        for op in OPERATIONS {
            assert_eq!(operation(op.name).map(|o| o.name), Some(op.name));
            if let Some(input) = op.input {
                assert!(catalog::shape(input).is_some(), "{input}");
            }
            assert!(
                op.errors.iter().all(|e| catalog::is_exception(e)),
                "{}",
                op.name
            );
        }
        assert!(operation("InitiateAuth").unwrap().unsigned);
        assert!(!operation("AdminInitiateAuth").unwrap().unsigned);
        assert!(operation("Nope").is_none());
        assert!(SHAPES.windows(2).all(|w| w[0].name < w[1].name));
        for s in SHAPES {
            let refs = s
                .members
                .iter()
                .map(|m| m.target)
                .chain(s.item)
                .chain(s.key);
            assert!(refs.into_iter().all(|t| t < SHAPES.len()), "{}", s.name);
            assert!(s.pattern.is_none_or(|p| p < PATTERN_COUNT));
            assert!(!s.sensitive || s.redact);
        }
        assert!(EXCEPTIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(catalog::is_exception("NotAuthorizedException"));
        assert_eq!(EXCEPTIONS.len(), 57);
    }

    #[test]
    fn every_operation_accepts_an_empty_object_or_names_its_required_members() {
        for op in OPERATIONS {
            match validate_input(op, &json!({})) {
                Ok(()) => {}
                Err(InputError::InvalidParameter(m)) => {
                    assert!(m.contains("Member must not be null"), "{}: {m}", op.name)
                }
                Err(e) => panic!("{}: {e}", op.name),
            }
        }
    }

    #[test]
    fn deep_and_hostile_input_does_not_panic() {
        let mut deep = json!("leaf");
        for _ in 0..1000 {
            deep = json!([deep]);
        }
        // As an unknown member, as a document, and where a structure is expected.
        let body = json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": "c", "X": deep.clone()});
        assert_eq!(run("InitiateAuth", body), Ok(()));
        let body = json!({"AccessToken": "t", "Credential": deep.clone()});
        assert_eq!(run("CompleteWebAuthnRegistration", body), Ok(()));
        let body = json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": "c", "UserContextData": deep});
        assert_eq!(ser("InitiateAuth", body), START_OF_LIST);
        let huge = "x".repeat(1 << 20);
        let body = json!({"AuthFlow": huge, "ClientId": "c"});
        assert!(invalid("InitiateAuth", body).contains("enum value set"));
    }

    #[test]
    fn blob_length_counts_decoded_bytes() {
        assert_eq!(base64_len(""), 0);
        assert_eq!(base64_len("QQ=="), 1);
        assert_eq!(base64_len("QUI="), 2);
        assert_eq!(base64_len("QUJD"), 3);
        assert_eq!(base64_len("QUJD\nREVG"), 6);
    }

    #[test]
    fn input_error_accessors() {
        let e = InputError::Serialization("m".into());
        assert_eq!(e.error_type(), "SerializationException");
        assert_eq!(e.message(), "m");
        let e = InputError::InvalidParameter("x".into());
        assert_eq!(e.error_type(), "InvalidParameterException");
        assert_eq!(e.to_string(), "InvalidParameterException: x");
    }
}

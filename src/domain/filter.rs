//! The ListUsers `Filter` language: `attribute = "value"` (exact) or `attribute ^= "value"`
//! (prefix), one condition, quotes inside the value escaped with a backslash. An empty filter
//! matches everyone. Only a fixed set of attributes is searchable.

use crate::domain::records::UserRecord;
use crate::error::ApiError;

/// The attributes ListUsers can search (Cognito's list; custom attributes are not searchable).
pub const SEARCHABLE: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Equals,
    StartsWith,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub attribute: String,
    pub op: Op,
    pub value: String,
}

fn parse_error() -> ApiError {
    ApiError::invalid_parameter("Error while parsing filter")
}

/// Parses a filter; `Ok(None)` for an empty one.
pub fn parse(input: &str) -> Result<Option<Filter>, ApiError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let name_end = s
        .find(|c: char| c.is_whitespace() || c == '=' || c == '^')
        .ok_or_else(parse_error)?;
    let mut attribute = &s[..name_end];
    // Some callers quote the attribute name too.
    if attribute.len() >= 2 && attribute.starts_with('"') && attribute.ends_with('"') {
        attribute = &attribute[1..attribute.len() - 1];
    }
    if attribute.is_empty() {
        return Err(parse_error());
    }
    let rest = s[name_end..].trim_start();
    let (op, rest) = if let Some(r) = rest.strip_prefix("^=") {
        (Op::StartsWith, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (Op::Equals, r)
    } else {
        return Err(parse_error());
    };
    let rest = rest.trim_start();
    let mut chars = rest.chars();
    if chars.next() != Some('"') {
        return Err(parse_error());
    }
    let mut value = String::new();
    let mut closed = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next().ok_or_else(parse_error)?),
            '"' => {
                closed = true;
                break;
            }
            c => value.push(c),
        }
    }
    if !closed || !chars.as_str().trim().is_empty() {
        return Err(parse_error());
    }
    if !SEARCHABLE.contains(&attribute) {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid search attribute: {attribute}"
        )));
    }
    Ok(Some(Filter {
        attribute: attribute.to_string(),
        op,
        value,
    }))
}

impl Filter {
    /// `username_key` maps a username to its stored key (case-folded in case-insensitive pools).
    pub fn matches(&self, user: &UserRecord, username_key: impl Fn(&str) -> String) -> bool {
        let (candidate, wanted) = match self.attribute.as_str() {
            "username" => (user.username_key.clone(), username_key(&self.value)),
            "cognito:user_status" => (user.status.to_string(), self.value.clone()),
            "status" => (
                if user.enabled { "Enabled" } else { "Disabled" }.to_string(),
                self.value.clone(),
            ),
            "sub" => (user.sub.clone(), self.value.clone()),
            name => match user.attributes.get(name) {
                Some(v) => (v.clone(), self.value.clone()),
                None => return false,
            },
        };
        match self.op {
            Op::Equals => candidate == wanted,
            Op::StartsWith => candidate.starts_with(&wanted),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_prefix_with_and_without_spaces() {
        let f = parse(r#"email = "a@b.c""#).unwrap().unwrap();
        assert_eq!(
            (f.attribute.as_str(), &f.op, f.value.as_str()),
            ("email", &Op::Equals, "a@b.c")
        );
        let f = parse(r#"phone_number^="+48""#).unwrap().unwrap();
        assert_eq!(f.op, Op::StartsWith);
        assert_eq!(f.value, "+48");
        let f = parse(r#"family_name = "O\"Brien""#).unwrap().unwrap();
        assert_eq!(f.value, "O\"Brien");
        assert_eq!(parse("  ").unwrap(), None);
        let f = parse(r#"cognito:user_status = "CONFIRMED""#)
            .unwrap()
            .unwrap();
        assert_eq!(f.attribute, "cognito:user_status");
    }

    #[test]
    fn bad_filters_have_cognitos_texts() {
        for bad in [
            "username = foo",
            "username=",
            "username",
            r#"username = "x" extra"#,
            r#"username ~ "x""#,
            r#"username = "x"#,
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(
                e.message.as_deref(),
                Some("Error while parsing filter"),
                "{bad}"
            );
        }
        let e = parse(r#"custom:foo = "bar""#).unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("Invalid search attribute: custom:foo")
        );
    }

    #[test]
    fn matching() {
        let mut u = UserRecord {
            username: "Alice".into(),
            username_key: "alice".into(),
            status: crate::domain::user_status::UserStatus::Confirmed,
            enabled: false,
            ..Default::default()
        };
        u.attributes.insert("given_name".into(), "Alice".into());
        let lower = |s: &str| s.to_lowercase();
        assert!(parse(r#"username = "ALICE""#)
            .unwrap()
            .unwrap()
            .matches(&u, lower));
        assert!(parse(r#"status = "Disabled""#)
            .unwrap()
            .unwrap()
            .matches(&u, lower));
        assert!(parse(r#"given_name ^= "Al""#)
            .unwrap()
            .unwrap()
            .matches(&u, lower));
        assert!(!parse(r#"family_name = """#)
            .unwrap()
            .unwrap()
            .matches(&u, lower));
    }
}

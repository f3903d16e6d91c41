//! User attributes: checking what a request may write, the API view, and the alias lookup keys.
//!
//! Cognito words attribute problems differently by operation family: creation (SignUp,
//! AdminCreateUser) prefixes "Attributes did not conform to the schema: ", updates name the
//! attribute as `user.<name>`; every item ends with a newline (observed in real answers).

use crate::domain::pool::PoolExt;
use crate::domain::records::UserRecord;
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::{AttributeType, UserPoolClientType, UserPoolType};
use std::collections::BTreeMap;

pub const EMAIL: &str = "email";
pub const EMAIL_VERIFIED: &str = "email_verified";
pub const PHONE: &str = "phone_number";
pub const PHONE_VERIFIED: &str = "phone_number_verified";
pub const PREFERRED_USERNAME: &str = "preferred_username";

/// Which operation family writes the attributes (decides the wording and what users may set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// SignUp: a user writes through an app client.
    SignUp,
    /// AdminCreateUser.
    AdminCreate,
    /// UpdateUserAttributes: a user writes through an access token.
    SelfUpdate,
    /// AdminUpdateUserAttributes.
    AdminUpdate,
}

impl WriteMode {
    fn creating(self) -> bool {
        matches!(self, WriteMode::SignUp | WriteMode::AdminCreate)
    }

    fn self_service(self) -> bool {
        matches!(self, WriteMode::SignUp | WriteMode::SelfUpdate)
    }

    fn schema_error(self, name: &str, problem: &str) -> ApiError {
        if self.creating() {
            ApiError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: {problem}\n"
            ))
        } else {
            ApiError::invalid_parameter(format!("user.{name}: {problem}\n"))
        }
    }
}

/// The attributes as the API shows them: `sub` first, the rest by name.
pub fn to_api(user: &UserRecord) -> Vec<AttributeType> {
    let mut out = Vec::with_capacity(user.attributes.len() + 1);
    out.push(attr("sub", &user.sub));
    out.extend(user.attributes.iter().map(|(k, v)| attr(k, v)));
    out
}

/// ListUsers `AttributesToGet` may only name attributes of the pool's schema (the text public
/// client code catches from Cognito when it asks for a custom attribute a pool lacks).
pub fn check_names_exist(pool: &UserPoolType, names: &[String]) -> ApiResult<()> {
    if names.iter().all(|n| pool.schema_attribute(n).is_some()) {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(
            "One or more requested attributes do not exist.",
        ))
    }
}

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType {
        name: Some(name.to_string()),
        value: Some(value.to_string()),
    }
}

/// A well-formed address. Control characters (NUL and the like) make it malformed, as any other
/// stray character does: Cognito answers "Invalid email address format.".
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !local.contains('@')
}

/// E.164 as Cognito wants it: `+` and digits only.
pub fn is_phone(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (4..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_boolean_attribute(pool: &UserPoolType, name: &str) -> bool {
    pool.schema_attribute(name)
        .and_then(|a| a.attribute_data_type.as_deref())
        == Some("Boolean")
}

/// Checks `attrs` against the pool schema and the writing client, and returns them canonical
/// (booleans as `true`/`false`). Later duplicates win, as on AWS.
pub fn check_write(
    pool: &UserPoolType,
    client: Option<&UserPoolClientType>,
    attrs: &[AttributeType],
    mode: WriteMode,
) -> ApiResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    if mode == WriteMode::SignUp {
        // SignUp names every undeclared attribute, one line each, as real answers show ("...:
        // custom:userId: Attribute does not exist in the schema.").
        let unknown: String = attrs
            .iter()
            .filter_map(|a| a.name.as_deref())
            .filter(|n| pool.schema_attribute(n).is_none())
            .map(|n| format!("{n}: Attribute does not exist in the schema.\n"))
            .collect();
        if !unknown.is_empty() {
            return Err(ApiError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {unknown}"
            )));
        }
    }
    for a in attrs {
        let name = a.name.clone().unwrap_or_default();
        let value = a.value.clone().unwrap_or_default();
        let Some(schema) = pool.schema_attribute(&name) else {
            return Err(if mode.creating() {
                // AdminCreateUser: the "could not be determined" text is what public reports of
                // AdminCreateUser with an undeclared custom attribute show; no capture shows it
                // listing several attributes, so the first one is named.
                ApiError::invalid_parameter(format!(
                    "Attributes did not conform to the schema: Type for attribute {{{name}}} could not be determined"
                ))
            } else {
                mode.schema_error(&name, "Attribute does not exist in the schema.")
            });
        };
        if name == "sub" || (!mode.creating() && schema.mutable == Some(false)) {
            return Err(mode.schema_error(
                &name,
                "Attribute cannot be updated. (changing an immutable attribute)",
            ));
        }
        if mode.self_service() {
            check_client_may_write(client, &name, schema.developer_only_attribute == Some(true))?;
        }
        let value = if is_boolean_attribute(pool, &name) {
            match value.to_ascii_lowercase().as_str() {
                "true" => "true".to_string(),
                "false" => "false".to_string(),
                _ => {
                    return Err(ApiError::invalid_parameter(format!(
                    "Invalid value for attribute {name}: boolean attributes must be true or false"
                )))
                }
            }
        } else {
            value
        };
        if name == EMAIL && !is_email(&value) {
            return Err(ApiError::invalid_parameter("Invalid email address format."));
        }
        if name == PHONE && !is_phone(&value) {
            return Err(ApiError::invalid_parameter("Invalid phone number format."));
        }
        out.insert(name, value);
    }
    Ok(out)
}

/// App clients may be limited to `WriteAttributes`. Without a list, users may write every
/// attribute except the verification flags and developer-only ones: proving ownership of an
/// address is the pool's job, not the user's.
fn check_client_may_write(
    client: Option<&UserPoolClientType>,
    name: &str,
    developer_only: bool,
) -> ApiResult<()> {
    let allowed = match client
        .and_then(|c| c.write_attributes.as_ref())
        .filter(|w| !w.is_empty())
    {
        Some(list) => list.iter().any(|w| w == name),
        None => !developer_only && name != EMAIL_VERIFIED && name != PHONE_VERIFIED,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::not_authorized(
            "A client attempted to write unauthorized attribute",
        ))
    }
}

/// Required attributes (schema `Required`) missing from a new user's attributes.
pub fn check_required(pool: &UserPoolType, attrs: &BTreeMap<String, String>) -> ApiResult<()> {
    let missing: String = pool
        .required_attributes()
        .into_iter()
        .filter(|n| attrs.get(n).is_none_or(|v| v.is_empty()))
        .map(|n| format!("{n}: The attribute is required\n"))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(format!(
            "Attributes did not conform to the schema: {missing}"
        )))
    }
}

/// A verification flag only makes sense next to the address it verifies.
pub fn check_flags_have_values(attrs: &BTreeMap<String, String>) -> ApiResult<()> {
    if attrs.contains_key(EMAIL_VERIFIED) && !attrs.contains_key(EMAIL) {
        return Err(ApiError::invalid_parameter(
            "Email is required to verify/un-verify an email",
        ));
    }
    if attrs.contains_key(PHONE_VERIFIED) && !attrs.contains_key(PHONE) {
        return Err(ApiError::invalid_parameter(
            "Phone Number is required to verify/un-verify a phone number",
        ));
    }
    Ok(())
}

/// The verification flag of an address attribute (`email` → `email_verified`).
pub fn verified_flag(attribute: &str) -> Option<&'static str> {
    match attribute {
        EMAIL => Some(EMAIL_VERIFIED),
        PHONE => Some(PHONE_VERIFIED),
        _ => None,
    }
}

/// Whether the pool keeps the old value of `attribute` until the new one is verified
/// (`UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`). Cognito only accepts
/// the setting for auto-verified attributes, so both must name it.
pub fn requires_verification_before_update(pool: &UserPoolType, attribute: &str) -> bool {
    let listed = pool
        .user_attribute_update_settings
        .as_ref()
        .and_then(|s| s.attributes_require_verification_before_update.as_ref())
        .is_some_and(|l| l.iter().any(|a| a == attribute));
    listed
        && pool
            .auto_verified_attributes()
            .iter()
            .any(|a| a == attribute)
}

/// What an attribute update does to the addresses, once [`plan_update`] has applied it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct UpdatePlan {
    /// Addresses whose new value waits for verification; the old value (still verified) stays.
    pub pending: Vec<(&'static str, String)>,
    /// Addresses that changed now and are unverified: a verification code may go to them.
    pub changed: Vec<&'static str>,
    /// Addresses written now (changed or not): an older pending change of theirs is void.
    pub written: Vec<&'static str>,
}

/// Applies checked `changes` (from [`check_write`]) to `attrs`. A changed email / phone number
/// becomes unverified unless the request verifies it too; in pools that require verification
/// before update, a change to a verified address is held back instead (API Reference,
/// UserAttributeUpdateSettingsType). An empty value removes the attribute.
pub fn plan_update(
    pool: &UserPoolType,
    attrs: &mut BTreeMap<String, String>,
    mut changes: BTreeMap<String, String>,
) -> UpdatePlan {
    let mut plan = UpdatePlan::default();
    for (addr, flag) in [(EMAIL, EMAIL_VERIFIED), (PHONE, PHONE_VERIFIED)] {
        let Some(value) = changes.get(addr).cloned() else {
            continue;
        };
        if attrs.get(addr) == Some(&value) {
            plan.written.push(addr);
            continue;
        }
        if !changes.contains_key(flag)
            && is_true(attrs, flag)
            && requires_verification_before_update(pool, addr)
        {
            changes.remove(addr);
            plan.pending.push((addr, value));
            continue;
        }
        plan.written.push(addr);
        if !changes.contains_key(flag) {
            attrs.insert(flag.to_string(), "false".into());
        }
        if !is_true(&changes, flag) {
            plan.changed.push(addr);
        }
    }
    for (k, v) in changes {
        if v.is_empty() {
            attrs.remove(&k);
        } else {
            attrs.insert(k, v);
        }
    }
    plan
}

/// Checks the names DeleteUserAttributes / AdminDeleteUserAttributes may remove and returns them
/// with the verification flags that go with removed addresses. Wording as for updates.
pub fn check_delete(
    pool: &UserPoolType,
    client: Option<&UserPoolClientType>,
    names: &[String],
    mode: WriteMode,
) -> ApiResult<Vec<String>> {
    let mut out = Vec::new();
    for name in names {
        let Some(schema) = pool.schema_attribute(name) else {
            return Err(mode.schema_error(name, "Attribute does not exist in the schema."));
        };
        if name == "sub" || schema.mutable == Some(false) {
            return Err(mode.schema_error(
                name,
                "Attribute cannot be updated. (changing an immutable attribute)",
            ));
        }
        if schema.required == Some(true) {
            return Err(mode.schema_error(name, "The attribute is required"));
        }
        if mode.self_service() {
            check_client_may_write(client, name, schema.developer_only_attribute == Some(true))?;
        }
        out.push(name.clone());
        if let Some(flag) = verified_flag(name) {
            out.push(flag.to_string());
        }
    }
    Ok(out)
}

pub fn is_true(attrs: &BTreeMap<String, String>, name: &str) -> bool {
    attrs.get(name).is_some_and(|v| v == "true")
}

/// Lookup key of an email: Cognito compares addresses without regard to case.
pub fn email_key(email: &str) -> String {
    email.to_lowercase()
}

/// Recomputes the alias / sign-in lookup keys from the user's attributes (Cognito Developer Guide,
/// "User pool attributes"): in UsernameAttributes pools email and phone sign in as soon as they
/// are set; in AliasAttributes pools only verified addresses do, and preferred_username always
/// does.
pub fn refresh_keys(pool: &UserPoolType, user: &mut UserRecord) {
    let username_attrs = pool.username_attributes();
    let alias_attrs = pool.alias_attributes();
    let usable = |attr: &str, flag: &str| {
        username_attrs.iter().any(|a| a == attr)
            || (alias_attrs.iter().any(|a| a == attr) && is_true(&user.attributes, flag))
    };
    user.email_key = user
        .attributes
        .get(EMAIL)
        .filter(|_| usable(EMAIL, EMAIL_VERIFIED))
        .map(|e| email_key(e));
    user.phone_key = user
        .attributes
        .get(PHONE)
        .filter(|_| usable(PHONE, PHONE_VERIFIED))
        .cloned();
    user.preferred_username_key = user
        .attributes
        .get(PREFERRED_USERNAME)
        .filter(|_| alias_attrs.iter().any(|a| a == PREFERRED_USERNAME))
        .map(|p| pool.username_key(p));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pool::standard_schema;

    fn pool() -> UserPoolType {
        UserPoolType {
            id: Some("us-east-1_test".into()),
            schema_attributes: Some(standard_schema()),
            ..Default::default()
        }
    }

    fn a(n: &str, v: &str) -> AttributeType {
        attr(n, v)
    }

    #[test]
    fn formats() {
        assert!(is_email("jane@example.com"));
        assert!(!is_email("jane"));
        assert!(!is_email("@example.com"));
        assert!(!is_email("jane@"));
        assert!(!is_email("x\u{0}y@example.com"));
        assert!(!is_email("x@exa\u{7}mple.com"));
        assert!(is_phone("+12065551234"));
        assert!(!is_phone("12065551234"));
        assert!(!is_phone("+1 206"));
    }

    #[test]
    fn unknown_attributes_are_worded_by_operation_family() {
        let p = pool();
        let e = check_write(&p, None, &[a("custom:x", "1")], WriteMode::AdminCreate).unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("Attributes did not conform to the schema: Type for attribute {custom:x} could not be determined")
        );
        let e = check_write(
            &p,
            None,
            &[a("custom:x", "1"), a("email", "j@example.com"), a("y", "2")],
            WriteMode::SignUp,
        )
        .unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("Attributes did not conform to the schema: custom:x: Attribute does not exist in the schema.\ny: Attribute does not exist in the schema.\n")
        );
        let e = check_write(&p, None, &[a("custom:x", "1")], WriteMode::AdminUpdate).unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("user.custom:x: Attribute does not exist in the schema.\n")
        );
    }

    #[test]
    fn users_may_not_verify_their_own_addresses_but_admins_may() {
        let p = pool();
        let attrs = [a("email", "a@b.c"), a("email_verified", "TRUE")];
        let e = check_write(&p, None, &attrs, WriteMode::SignUp).unwrap_err();
        assert_eq!(e.code, "NotAuthorizedException");
        let ok = check_write(&p, None, &attrs, WriteMode::AdminCreate).unwrap();
        assert_eq!(ok.get("email_verified").map(String::as_str), Some("true"));
    }

    #[test]
    fn required_attributes_are_listed_one_per_line() {
        let mut p = pool();
        for s in p.schema_attributes.as_mut().unwrap() {
            if matches!(s.name.as_deref(), Some("email") | Some("name")) {
                s.required = Some(true);
            }
        }
        let e = check_required(&p, &BTreeMap::new()).unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("Attributes did not conform to the schema: name: The attribute is required\nemail: The attribute is required\n")
        );
    }

    fn verified_email_pool(require_before_update: bool) -> UserPoolType {
        let mut p = pool();
        p.auto_verified_attributes = Some(vec!["email".into()]);
        if require_before_update {
            p.user_attribute_update_settings =
                Some(crate::model::shapes::UserAttributeUpdateSettingsType {
                    attributes_require_verification_before_update: Some(vec!["email".into()]),
                });
        }
        p
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_changed_address_becomes_unverified_at_once_by_default() {
        let p = verified_email_pool(false);
        let mut attrs = map(&[("email", "a@x.io"), ("email_verified", "true")]);
        let plan = plan_update(&p, &mut attrs, map(&[("email", "b@x.io")]));
        assert_eq!(
            attrs,
            map(&[("email", "b@x.io"), ("email_verified", "false")])
        );
        assert_eq!(plan.changed, vec!["email"]);
        assert!(plan.pending.is_empty());
    }

    #[test]
    fn a_verified_address_waits_for_verification_when_the_pool_says_so() {
        let p = verified_email_pool(true);
        let mut attrs = map(&[("email", "a@x.io"), ("email_verified", "true")]);
        let plan = plan_update(&p, &mut attrs, map(&[("email", "b@x.io"), ("name", "B")]));
        assert_eq!(
            attrs,
            map(&[
                ("email", "a@x.io"),
                ("email_verified", "true"),
                ("name", "B")
            ])
        );
        assert_eq!(plan.pending, vec![("email", "b@x.io".to_string())]);
        assert!(plan.changed.is_empty());
        // An unverified address has nothing to protect: it changes at once.
        let mut attrs = map(&[("email", "a@x.io"), ("email_verified", "false")]);
        let plan = plan_update(&p, &mut attrs, map(&[("email", "b@x.io")]));
        assert_eq!(attrs.get("email").map(String::as_str), Some("b@x.io"));
        assert_eq!(plan.changed, vec!["email"]);
        // Verified in the same request (administrators): at once, and nothing to send.
        let mut attrs = map(&[("email", "a@x.io"), ("email_verified", "true")]);
        let plan = plan_update(
            &p,
            &mut attrs,
            map(&[("email", "b@x.io"), ("email_verified", "true")]),
        );
        assert_eq!(
            attrs,
            map(&[("email", "b@x.io"), ("email_verified", "true")])
        );
        assert!(plan.changed.is_empty() && plan.pending.is_empty());
    }

    #[test]
    fn deletions_take_the_flag_along_and_respect_the_schema() {
        let mut p = pool();
        for s in p.schema_attributes.as_mut().unwrap() {
            if s.name.as_deref() == Some("name") {
                s.required = Some(true);
            }
        }
        let names = check_delete(&p, None, &["email".into()], WriteMode::SelfUpdate).unwrap();
        assert_eq!(
            names,
            vec!["email".to_string(), "email_verified".to_string()]
        );
        let e = check_delete(&p, None, &["name".into()], WriteMode::AdminUpdate).unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("user.name: The attribute is required\n")
        );
        let e = check_delete(&p, None, &["sub".into()], WriteMode::AdminUpdate).unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("user.sub: Attribute cannot be updated. (changing an immutable attribute)\n")
        );
        let e = check_delete(&p, None, &["custom:x".into()], WriteMode::SelfUpdate).unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("user.custom:x: Attribute does not exist in the schema.\n")
        );
        let e =
            check_delete(&p, None, &["email_verified".into()], WriteMode::SelfUpdate).unwrap_err();
        assert_eq!(e.code, "NotAuthorizedException");
    }

    #[test]
    fn alias_keys_follow_verification() {
        let mut p = pool();
        p.alias_attributes = Some(vec!["email".into(), "preferred_username".into()]);
        let mut u = UserRecord::default();
        u.attributes
            .insert("email".into(), "Jane@Example.com".into());
        u.attributes
            .insert("preferred_username".into(), "JJ".into());
        refresh_keys(&p, &mut u);
        assert_eq!(u.email_key, None);
        assert_eq!(u.preferred_username_key.as_deref(), Some("JJ"));
        u.attributes.insert("email_verified".into(), "true".into());
        refresh_keys(&p, &mut u);
        assert_eq!(u.email_key.as_deref(), Some("jane@example.com"));
    }
}

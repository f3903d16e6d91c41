//! Reading a stored `UserPoolType`: defaults, the standard schema, sign-in attributes.

use crate::model::shapes::{
    PasswordPolicyType, SchemaAttributeType, StringAttributeConstraintsType, UserPoolType,
};

/// The standard attributes every pool has, with their data types (Cognito's default schema).
pub const STANDARD_ATTRIBUTES: &[(&str, &str)] = &[
    ("sub", "String"),
    ("name", "String"),
    ("given_name", "String"),
    ("family_name", "String"),
    ("middle_name", "String"),
    ("nickname", "String"),
    ("preferred_username", "String"),
    ("profile", "String"),
    ("picture", "String"),
    ("website", "String"),
    ("email", "String"),
    ("email_verified", "Boolean"),
    ("gender", "String"),
    ("birthdate", "String"),
    ("zoneinfo", "String"),
    ("locale", "String"),
    ("phone_number", "String"),
    ("phone_number_verified", "Boolean"),
    ("address", "String"),
    ("updated_at", "Number"),
    ("identities", "String"),
];

pub fn default_password_policy() -> PasswordPolicyType {
    PasswordPolicyType {
        minimum_length: Some(8),
        require_uppercase: Some(true),
        require_lowercase: Some(true),
        require_numbers: Some(true),
        require_symbols: Some(true),
        // Absent unless set: DescribeUserPool shows PasswordHistorySize only for pools that
        // set it (absent means no history is kept).
        password_history_size: None,
        temporary_password_validity_days: Some(7),
    }
}

/// The standard part of a new pool's schema.
pub fn standard_schema() -> Vec<SchemaAttributeType> {
    STANDARD_ATTRIBUTES
        .iter()
        .map(|(name, ty)| {
            let (mutable, string_constraints, number) = match *name {
                "sub" => (false, Some(("1", "2048")), None),
                "updated_at" => (true, None, Some(("0", None))),
                "email_verified" | "phone_number_verified" => (true, None, None),
                "birthdate" => (true, Some(("10", "10")), None),
                _ => (true, Some(("0", "2048")), None),
            };
            SchemaAttributeType {
                name: Some(name.to_string()),
                attribute_data_type: Some(ty.to_string()),
                developer_only_attribute: Some(false),
                mutable: Some(mutable),
                required: Some(*name == "sub"),
                string_attribute_constraints: string_constraints.map(|(min, max)| {
                    StringAttributeConstraintsType {
                        min_length: Some(min.to_string()),
                        max_length: Some(max.to_string()),
                    }
                }),
                number_attribute_constraints: number.map(|(min, _max): (&str, Option<&str>)| {
                    crate::model::shapes::NumberAttributeConstraintsType {
                        min_value: Some(min.to_string()),
                        max_value: None,
                    }
                }),
            }
        })
        .collect()
}

/// `VerificationMessageTemplate.SmsMessage` / `EmailMessage` / `EmailSubject` and the older
/// `SmsVerificationMessage` / `EmailVerificationMessage` / `EmailVerificationSubject` are one
/// setting each (API Reference, CreateUserPool: the older members are "no longer used, see
/// VerificationMessageTemplateType"; the Terraform AWS provider's acceptance tests read each
/// back through the other). Whichever the
/// request set shows in both; the template wins when a request sets both differently **[B]**.
pub fn unify_verification_messages(pool: &mut UserPoolType) {
    let t = pool
        .verification_message_template
        .get_or_insert_with(Default::default);
    // Codes unless the pool asks for links (VerificationMessageTemplateType).
    t.default_email_option
        .get_or_insert_with(|| "CONFIRM_WITH_CODE".into());
    for (template, legacy) in [
        (&mut t.sms_message, &mut pool.sms_verification_message),
        (&mut t.email_message, &mut pool.email_verification_message),
        (&mut t.email_subject, &mut pool.email_verification_subject),
    ] {
        match (template.as_ref(), legacy.as_ref()) {
            (Some(v), _) => *legacy = Some(v.clone()),
            (None, Some(v)) => *template = Some(v.clone()),
            (None, None) => {}
        }
    }
}

/// Convenience accessors over a stored pool.
pub trait PoolExt {
    fn pool_id(&self) -> &str;
    /// The part of the pool id after `_`: SRP's "pool name" (amazon-cognito-identity-js
    /// `CognitoUserPool.js`, `getUserPoolName`).
    fn pool_name_for_srp(&self) -> &str;
    fn password_policy(&self) -> PasswordPolicyType;
    /// `UsernameConfiguration.CaseSensitive`; absent means case-sensitive, as for API-created pools.
    fn case_sensitive(&self) -> bool;
    fn username_attributes(&self) -> Vec<String>;
    fn alias_attributes(&self) -> Vec<String>;
    fn auto_verified_attributes(&self) -> Vec<String>;
    fn schema_attribute(&self, name: &str) -> Option<&SchemaAttributeType>;
    fn required_attributes(&self) -> Vec<String>;
    /// Key under which a username is stored and looked up.
    fn username_key(&self, username: &str) -> String;
}

impl PoolExt for UserPoolType {
    fn pool_id(&self) -> &str {
        self.id.as_deref().unwrap_or_default()
    }

    fn pool_name_for_srp(&self) -> &str {
        let id = self.pool_id();
        id.split_once('_').map(|(_, n)| n).unwrap_or(id)
    }

    fn password_policy(&self) -> PasswordPolicyType {
        self.policies
            .as_ref()
            .and_then(|p| p.password_policy.clone())
            .unwrap_or_else(default_password_policy)
    }

    fn case_sensitive(&self) -> bool {
        self.username_configuration
            .as_ref()
            .and_then(|u| u.case_sensitive)
            .unwrap_or(true)
    }

    fn username_attributes(&self) -> Vec<String> {
        self.username_attributes.clone().unwrap_or_default()
    }

    fn alias_attributes(&self) -> Vec<String> {
        self.alias_attributes.clone().unwrap_or_default()
    }

    fn auto_verified_attributes(&self) -> Vec<String> {
        self.auto_verified_attributes.clone().unwrap_or_default()
    }

    fn schema_attribute(&self, name: &str) -> Option<&SchemaAttributeType> {
        self.schema_attributes
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
    }

    fn required_attributes(&self) -> Vec<String> {
        self.schema_attributes
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter(|a| a.required == Some(true) && a.name.as_deref() != Some("sub"))
            .filter_map(|a| a.name.clone())
            .collect()
    }

    fn username_key(&self, username: &str) -> String {
        if self.case_sensitive() {
            username.to_string()
        } else {
            username.to_lowercase()
        }
    }
}

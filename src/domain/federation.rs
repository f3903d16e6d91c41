//! Federated users, pure: the user name Cognito gives an external identity, the attributes an
//! identity provider's AttributeMapping writes, and the `identities` attribute and claim
//! (Cognito Developer Guide, "Adding user pool sign-in through a third party" and "Mapping IdP
//! attributes to profiles and tokens").

use crate::domain::records::ProviderLink;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The social providers Cognito knows by type; any other ProviderType is OIDC or SAML.
pub const SOCIAL: [&str; 4] = ["Google", "Facebook", "LoginWithAmazon", "SignInWithApple"];

/// The user name of an external identity that no pool user is linked to:
/// `<ProviderName>_<subject>`, the form AdminLinkProviderForUser's documentation and public
/// reports show (`Facebook_23469123419831`: aws-amplify/amplify-cli#5201) **[B: some newer
/// reports show the social provider in lower case]**.
pub fn username(provider_name: &str, subject: &str) -> String {
    format!("{provider_name}_{subject}")
}

/// The pool attributes an identity's claims give through `mapping` (pool attribute → provider
/// attribute, as CreateIdentityProvider's AttributeMapping). Claims that are absent or null are
/// left out; other non-string values are written as their JSON text (`true` for
/// `email_verified`). `username` maps the subject, not an attribute, so it is skipped.
pub fn mapped_attributes(
    mapping: &BTreeMap<String, String>,
    claims: &Map<String, Value>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (pool_attribute, claim) in mapping {
        if pool_attribute == "username" || pool_attribute == "sub" {
            continue;
        }
        let value = match claims.get(claim) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        out.insert(pool_attribute.clone(), value);
    }
    out
}

/// One identity of a user as Cognito lists it. `primary`: the identity the user was created
/// from (its user name is `<ProviderName>_<subject>`), not one linked to an existing user.
fn identity(link: &ProviderLink, provider_type: &str, username_of_user: &str) -> (Value, bool) {
    let primary = username(&link.provider_name, &link.provider_user_id) == username_of_user;
    (
        json!({
            "userId": link.provider_user_id,
            "providerName": link.provider_name,
            "providerType": provider_type,
            "issuer": null,
        }),
        primary,
    )
}

/// The `identities` attribute as AdminGetUser shows it (API Reference, AdminGetUser example):
/// JSON text whose `primary` is a boolean and `dateCreated` milliseconds as a number.
pub fn identities_attribute(links: &[(ProviderLink, String)], username_of_user: &str) -> String {
    let list: Vec<Value> = links
        .iter()
        .map(|(link, provider_type)| {
            let (mut v, primary) = identity(link, provider_type, username_of_user);
            v["primary"] = Value::Bool(primary);
            v["dateCreated"] = json!((link.created_at * 1000.0).round() as i64);
            v
        })
        .collect();
    Value::Array(list).to_string()
}

/// The `identities` claim of an ID token: the same list as objects, with `primary` and
/// `dateCreated` as strings, as real ID tokens carry them (Cognito Developer Guide, "Understanding
/// the identity (ID) token", federated example).
pub fn identities_claim(links: &[(ProviderLink, String)], username_of_user: &str) -> Value {
    Value::Array(
        links
            .iter()
            .map(|(link, provider_type)| {
                let (mut v, primary) = identity(link, provider_type, username_of_user);
                v["primary"] = Value::String(primary.to_string());
                v["dateCreated"] =
                    Value::String(((link.created_at * 1000.0).round() as i64).to_string());
                v
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(provider: &str, id: &str) -> ProviderLink {
        ProviderLink {
            provider_name: provider.into(),
            provider_user_id: id.into(),
            sub: "s".into(),
            created_at: 1_700_000_000.5,
        }
    }

    #[test]
    fn mapping_writes_present_claims_and_skips_the_subject() {
        let mapping: BTreeMap<String, String> = [
            ("email", "email"),
            ("email_verified", "email_verified"),
            ("name", "name"),
            ("username", "sub"),
            ("picture", "picture"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let claims = json!({"sub": "1", "email": "a@b.c", "email_verified": true, "picture": null})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let got = mapped_attributes(&mapping, &claims);
        assert_eq!(
            got.into_iter().collect::<Vec<_>>(),
            [
                ("email".to_string(), "a@b.c".to_string()),
                ("email_verified".to_string(), "true".to_string())
            ]
        );
    }

    #[test]
    fn identities_mark_the_identity_the_user_came_from() {
        let links = vec![(link("Google", "123"), "Google".to_string())];
        let attribute: Value =
            serde_json::from_str(&identities_attribute(&links, "Google_123")).unwrap_or_default();
        assert_eq!(attribute[0]["primary"], json!(true));
        assert_eq!(attribute[0]["dateCreated"], json!(1_700_000_000_500i64));
        let claim = identities_claim(&links, "jane");
        assert_eq!(claim[0]["primary"], json!("false"));
        assert_eq!(claim[0]["dateCreated"], json!("1700000000500"));
        assert_eq!(claim[0]["providerType"], json!("Google"));
        assert_eq!(username("Google", "123"), "Google_123");
    }
}

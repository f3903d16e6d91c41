//! What a message the emulator "sends" is: its channel, its purpose, how long its code lasts and
//! how Cognito masks its destination in `CodeDeliveryDetails`. Pure; `delivery` does the writing.

use crate::domain::attributes::{EMAIL, PHONE};
use crate::domain::records::UserRecord;
use crate::model::shapes::{CodeDeliveryDetailsType, UserPoolType};

/// Validity of sign-up and attribute-verification codes (Cognito Developer Guide, "Quotas in
/// Amazon Cognito").
pub const VERIFICATION_CODE_SECONDS: f64 = 24.0 * 3600.0;

/// Validity of forgot-password codes (Cognito Developer Guide, "Quotas in Amazon Cognito").
pub const RESET_CODE_SECONDS: f64 = 3600.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    /// `DeliveryMedium` / the outbox `channel`.
    pub fn medium(self) -> &'static str {
        match self {
            Channel::Email => "EMAIL",
            Channel::Sms => "SMS",
        }
    }

    /// The attribute holding the destination.
    pub fn attribute(self) -> &'static str {
        match self {
            Channel::Email => EMAIL,
            Channel::Sms => PHONE,
        }
    }

    pub fn for_attribute(name: &str) -> Option<Channel> {
        match name {
            EMAIL => Some(Channel::Email),
            PHONE => Some(Channel::Sms),
            _ => None,
        }
    }

    pub fn from_medium(medium: &str) -> Option<Channel> {
        match medium {
            "EMAIL" => Some(Channel::Email),
            "SMS" => Some(Channel::Sms),
            _ => None,
        }
    }
}

/// Why a message was sent: the outbox `purpose` (README, "Emulator endpoints").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    SignUp,
    ResendConfirmation,
    Invitation,
    VerifyAttribute,
    ForgotPassword,
    Mfa,
    SignInOtp,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::SignUp => "SIGN_UP",
            Purpose::ResendConfirmation => "RESEND_CONFIRMATION",
            Purpose::Invitation => "INVITATION",
            Purpose::VerifyAttribute => "VERIFY_ATTRIBUTE",
            Purpose::ForgotPassword => "FORGOT_PASSWORD",
            Purpose::Mfa => "MFA",
            Purpose::SignInOtp => "SIGN_IN_OTP",
        }
    }

    /// The `codes` table key under which the code waits for its confirmation, or `None` when the
    /// caller keeps it elsewhere (MFA and OTP codes live in the sign-in session).
    pub fn code_key(self, channel: Channel) -> Option<String> {
        match self {
            Purpose::SignUp | Purpose::ResendConfirmation => Some("SIGN_UP".into()),
            Purpose::ForgotPassword => Some("FORGOT_PASSWORD".into()),
            Purpose::VerifyAttribute => Some(verify_attribute_key(channel.attribute())),
            Purpose::Invitation | Purpose::Mfa | Purpose::SignInOtp => None,
        }
    }

    pub fn validity(self) -> f64 {
        match self {
            Purpose::ForgotPassword => RESET_CODE_SECONDS,
            _ => VERIFICATION_CODE_SECONDS,
        }
    }
}

/// The `codes` key of an attribute verification (VerifyUserAttribute reads it back).
pub fn verify_attribute_key(attribute: &str) -> String {
    format!("VERIFY_ATTRIBUTE:{attribute}")
}

/// `+12065551234` → `+*******1234`: `+`, one `*` per digit except the last four (observed:
/// aws-amplify/amplify-js#2341).
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.trim_start_matches('+').chars().collect();
    let keep = digits.len().min(4);
    let mut out = String::from("+");
    out.extend(std::iter::repeat_n('*', digits.len() - keep));
    out.extend(&digits[digits.len() - keep..]);
    out
}

/// `jane@example.com` → `j***@e***`: first character of each side, nothing more (observed:
/// aws-amplify/aws-sdk-ios#4837; moto's AWS-verified tests).
pub fn mask_email(email: &str) -> String {
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

pub fn mask(channel: Channel, destination: &str) -> String {
    match channel {
        Channel::Email => mask_email(destination),
        Channel::Sms => mask_phone(destination),
    }
}

/// The `CodeDeliveryDetails` for a message to `destination`.
pub fn details(channel: Channel, destination: &str) -> CodeDeliveryDetailsType {
    CodeDeliveryDetailsType {
        destination: Some(mask(channel, destination)),
        delivery_medium: Some(channel.medium().to_string()),
        attribute_name: Some(channel.attribute().to_string()),
    }
}

/// The user's address on a channel, if they have one.
pub fn destination(user: &UserRecord, channel: Channel) -> Option<&str> {
    user.attributes
        .get(channel.attribute())
        .map(String::as_str)
        .filter(|d| !d.is_empty())
}

/// Whether the pool confirms sign-ups by link: `VerificationMessageTemplate.DefaultEmailOption`
/// `CONFIRM_WITH_LINK` (API Reference, VerificationMessageTemplateType). Only the sign-up
/// confirmation email (SignUp, ResendConfirmationCode) carries the link; other codes stay codes.
pub fn confirms_by_link(pool: &UserPoolType, channel: Channel, purpose: Purpose) -> bool {
    channel == Channel::Email
        && matches!(purpose, Purpose::SignUp | Purpose::ResendConfirmation)
        && pool
            .verification_message_template
            .as_ref()
            .and_then(|t| t.default_email_option.as_deref())
            == Some("CONFIRM_WITH_LINK")
}

/// The query of Cognito's confirmation link, `confirmUser?client_id=..&user_name=..&confirmation_code=..`
/// (the link Cognito puts in link-mode emails, on the pool's domain).
pub fn confirm_link_query(client_id: &str, username: &str, code: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("client_id", client_id)
        .append_pair("user_name", username)
        .append_pair("confirmation_code", code);
    q.finish()
}

/// Replaces every `{##text##}` of a link template (the pattern of `EmailMessageByLink` in the API
/// Reference; `{##Click Here##}` is the `linkParameter` CustomMessage functions get) with an HTML
/// link to `url` showing `text`. An unterminated `{##` is left as it is.
pub fn fill_link(template: &str, url: &str) -> String {
    let mut out = String::with_capacity(template.len() + url.len());
    let mut rest = template;
    while let Some(start) = rest.find("{##") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("##}") else { break };
        out.push_str(&rest[..start]);
        let text = &after[..end];
        out.push_str(&format!(
            "<a href=\"{}\">{}</a>",
            url.replace('&', "&amp;").replace('"', "&quot;"),
            text
        ));
        rest = &after[end + 3..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_templates_become_html_links_and_codes_stay_codes_elsewhere() {
        let table = [
            (
                "Go {##Verify Email##} now",
                "Go <a href=\"u?a=1&amp;b=2\">Verify Email</a> now",
            ),
            (
                "{##A##}{##B##}",
                "<a href=\"u?a=1&amp;b=2\">A</a><a href=\"u?a=1&amp;b=2\">B</a>",
            ),
            ("no link", "no link"),
            ("open {## only", "open {## only"),
        ];
        for (template, want) in table {
            assert_eq!(fill_link(template, "u?a=1&b=2"), want, "{template}");
        }
        assert_eq!(
            confirm_link_query("c1", "a b", "123"),
            "client_id=c1&user_name=a+b&confirmation_code=123"
        );
        let mut pool = UserPoolType::default();
        assert!(!confirms_by_link(&pool, Channel::Email, Purpose::SignUp));
        pool.verification_message_template =
            Some(crate::model::shapes::VerificationMessageTemplateType {
                default_email_option: Some("CONFIRM_WITH_LINK".into()),
                ..Default::default()
            });
        for (channel, purpose, want) in [
            (Channel::Email, Purpose::SignUp, true),
            (Channel::Email, Purpose::ResendConfirmation, true),
            (Channel::Sms, Purpose::SignUp, false),
            (Channel::Email, Purpose::ForgotPassword, false),
            (Channel::Email, Purpose::VerifyAttribute, false),
        ] {
            assert_eq!(
                confirms_by_link(&pool, channel, purpose),
                want,
                "{purpose:?}"
            );
        }
    }

    #[test]
    fn phones_keep_the_last_four_digits() {
        assert_eq!(mask_phone("+12065551234"), "+*******1234");
        assert_eq!(mask_phone("+4915112345678"), "+*********5678");
        assert_eq!(mask_phone("+123"), "+123");
    }

    #[test]
    fn emails_keep_one_character_each_side() {
        assert_eq!(mask_email("jane@example.com"), "j***@e***");
        assert_eq!(mask_email("fixture@example.com"), "f***@e***");
        assert_eq!(mask_email("test@test.com"), "t***@t***");
    }

    #[test]
    fn code_keys() {
        assert_eq!(
            Purpose::ResendConfirmation
                .code_key(Channel::Email)
                .as_deref(),
            Some("SIGN_UP")
        );
        assert_eq!(
            Purpose::VerifyAttribute.code_key(Channel::Sms).as_deref(),
            Some("VERIFY_ATTRIBUTE:phone_number")
        );
        assert_eq!(Purpose::Mfa.code_key(Channel::Sms), None);
    }
}

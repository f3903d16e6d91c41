//! Everything the emulator "sends": codes and invitations go to the outbox (`/_emulator/messages`,
//! see the README's "Emulator endpoints") instead of SMS or email. This module is the one place
//! that makes a code, stores it, writes the message and answers the masked `CodeDeliveryDetails`,
//! so every operation that sends something (SignUp, ForgotPassword, attribute verification, MFA,
//! OTP sign-in) behaves alike.

use crate::domain::message::{
    confirm_link_query, confirms_by_link, destination, details, fill_link, mask, Channel, Purpose,
};
use crate::domain::records::UserRecord;
use crate::domain::records::{CodeToKeep, NewMessage};
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::{CodeDeliveryDetailsType, EmailMfaConfigType, UserPoolType};
use crate::state::Ctx;
use crate::util::{random_string, DIGITS};

/// Wrong guesses a stored code tolerates before it is refused altogether.
pub const MAX_CODE_ATTEMPTS: i64 = 5;

const DEFAULT_VERIFICATION: &str = "Your verification code is {####}. ";
const DEFAULT_AUTHENTICATION: &str = "Your authentication code is {####}. ";
const DEFAULT_INVITATION: &str = "Your username is {username} and temporary password is {####}. ";
/// Email subjects when the pool sets none **[B: Cognito's defaults are not on record]**.
const DEFAULT_VERIFICATION_SUBJECT: &str = "Your verification code";
const DEFAULT_AUTHENTICATION_SUBJECT: &str = "Your verification code";
const DEFAULT_INVITATION_SUBJECT: &str = "Your temporary password";
/// The link-mode texts of a pool that sets none: the defaults the Cognito console fills in for
/// `EmailMessageByLink` / `EmailSubjectByLink` **[B: not in the API Reference]**.
const DEFAULT_LINK_MESSAGE: &str =
    "Please click the link below to verify your email address. {##Verify Email##} ";
const DEFAULT_LINK_SUBJECT: &str = "Your verification link";

/// A fresh code: `--fixed-code` for the 6-digit codes and `--fixed-otp` for the 8-digit
/// one-time sign-in codes when configured, else `len` random digits.
pub fn new_code(ctx: &Ctx, len: usize) -> String {
    let fixed = match len {
        6 => &ctx.app.config.fixed_code,
        8 => &ctx.app.config.fixed_otp,
        _ => &None,
    };
    match fixed {
        Some(c) if !c.is_empty() => c.clone(),
        _ => random_string(DIGITS, len),
    }
}

fn verification_template(pool: &UserPoolType, channel: Channel) -> String {
    let t = pool.verification_message_template.as_ref();
    let text = match channel {
        Channel::Email => t
            .and_then(|t| t.email_message.clone())
            .or_else(|| pool.email_verification_message.clone()),
        Channel::Sms => t
            .and_then(|t| t.sms_message.clone())
            .or_else(|| pool.sms_verification_message.clone()),
    };
    text.filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_VERIFICATION.to_string())
}

/// The email MFA / OTP texts of the pool's `EmailMfaConfiguration` (`SetUserPoolMfaConfig`).
fn email_mfa_message(email_mfa: Option<&EmailMfaConfigType>) -> Option<String> {
    email_mfa
        .and_then(|e| e.message.clone())
        .filter(|m| m.contains("{####}"))
}

fn body_for(
    pool: &UserPoolType,
    channel: Channel,
    purpose: Purpose,
    code: &str,
    email_mfa: Option<&EmailMfaConfigType>,
) -> String {
    let template = match (purpose, channel) {
        (Purpose::Mfa | Purpose::SignInOtp, Channel::Sms) => pool
            .sms_authentication_message
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_AUTHENTICATION.to_string()),
        (Purpose::Mfa | Purpose::SignInOtp, Channel::Email) => {
            email_mfa_message(email_mfa).unwrap_or_else(|| DEFAULT_AUTHENTICATION.to_string())
        }
        _ => verification_template(pool, channel),
    };
    template.replace("{####}", code)
}

/// The subject of an email with a code: `EmailMfaConfiguration.Subject` for MFA and OTP codes,
/// else the verification template's `EmailSubject` (also ForgotPassword's: Cognito sends
/// password-reset and attribute codes with the code template, DG "Message templates"). The
/// link template's subject (`EmailSubjectByLink`) is chosen in `send_code_with`.
fn subject_for(
    pool: &UserPoolType,
    purpose: Purpose,
    email_mfa: Option<&EmailMfaConfigType>,
) -> String {
    let (configured, default) = match purpose {
        Purpose::Mfa | Purpose::SignInOtp => (
            email_mfa.and_then(|e| e.subject.clone()),
            DEFAULT_AUTHENTICATION_SUBJECT,
        ),
        Purpose::Invitation => (
            pool.admin_create_user_config
                .as_ref()
                .and_then(|c| c.invite_message_template.as_ref())
                .and_then(|t| t.email_subject.clone()),
            DEFAULT_INVITATION_SUBJECT,
        ),
        _ => (
            pool.verification_message_template
                .as_ref()
                .and_then(|t| t.email_subject.clone())
                .or_else(|| pool.email_verification_subject.clone()),
            DEFAULT_VERIFICATION_SUBJECT,
        ),
    };
    configured
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// The pool's subject for an email (None for SMS), unless CustomMessage gave its own.
fn subject(
    pool: &UserPoolType,
    channel: Channel,
    purpose: Purpose,
    email_mfa: Option<&EmailMfaConfigType>,
    from_function: Option<String>,
) -> Option<String> {
    match channel {
        Channel::Sms => None,
        Channel::Email => {
            Some(from_function.unwrap_or_else(|| subject_for(pool, purpose, email_mfa)))
        }
    }
}

/// What a message says.
#[derive(Clone, Copy)]
struct Text<'a> {
    subject: Option<&'a str>,
    body: &'a str,
    /// An invitation's temporary password, shown in the outbox as its own field.
    temporary_password: Option<&'a str>,
}

/// Writes one message to the outbox and logs it, with the code kept for its confirmation in the
/// same transaction when `keep` says under which key and until when. `code` may be logged (the
/// outbox is the test interface); `body` is not, because an invitation's body carries a
/// temporary password.
#[allow(clippy::too_many_arguments)]
async fn write(
    ctx: &Ctx,
    user: &UserRecord,
    channel: Channel,
    destination: &str,
    purpose: Purpose,
    code: Option<&str>,
    text: Text<'_>,
    keep: Option<(&str, f64)>,
) -> ApiResult<()> {
    let message = NewMessage {
        pool_id: &user.pool_id,
        username: &user.username,
        channel: channel.medium(),
        destination,
        purpose: purpose.as_str(),
        code,
        subject: text.subject,
        body: text.body,
        temporary_password: text.temporary_password,
        sent_at: ctx.app.clock.epoch(),
    };
    match (keep, code) {
        (Some((key, expires_at)), Some(code)) => {
            let keep = CodeToKeep {
                sub: &user.sub,
                key,
                code,
                expires_at,
            };
            ctx.app.store.add_message_with_code(&message, &keep).await?
        }
        _ => ctx.app.store.add_message(&message).await?,
    };
    // Wakes `/_emulator/messages?wait=` callers.
    ctx.app.outbox_written.notify_waiters();
    tracing::info!(
        pool_id = %user.pool_id,
        username = %user.username,
        channel = channel.medium(),
        destination = %mask(channel, destination),
        purpose = purpose.as_str(),
        code = code.unwrap_or("-"),
        "message sent to the outbox"
    );
    Ok(())
}

/// Sends a new `code_len`-digit code to the user's address on `channel`: stores it (for the
/// purposes that confirm through the `codes` table, with that purpose's validity), writes the
/// message, and returns the code with the masked delivery details. Errors with
/// InvalidParameterException when the user has no address on that channel.
pub async fn send_code(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    channel: Channel,
    purpose: Purpose,
    code_len: usize,
) -> ApiResult<(String, CodeDeliveryDetailsType)> {
    send_code_with(ctx, pool, user, channel, purpose, code_len, None).await
}

/// [`send_code`] for MFA and sign-in OTP codes, whose emails follow the pool's
/// `EmailMfaConfiguration` (`Message` with `{####}`, `Subject`) when it has one.
pub async fn send_code_with(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    channel: Channel,
    purpose: Purpose,
    code_len: usize,
    email_mfa: Option<&EmailMfaConfigType>,
) -> ApiResult<(String, CodeDeliveryDetailsType)> {
    let Some(dest) = destination(user, channel).map(str::to_string) else {
        return Err(ApiError::invalid_parameter(format!(
            "User has no {} to send a code to.",
            channel.attribute()
        )));
    };
    let code = new_code(ctx, code_len);
    // Link mode (DefaultEmailOption CONFIRM_WITH_LINK) needs the app client the link confirms
    // through; SignUp and ResendConfirmationCode always name one.
    let link_client = ctx
        .request
        .client_id
        .as_deref()
        .filter(|_| confirms_by_link(pool, channel, purpose));
    let template = pool.verification_message_template.as_ref();
    let body = match link_client {
        Some(_) => template
            .and_then(|t| t.email_message_by_link.clone())
            .filter(|m| m.contains("{##"))
            .unwrap_or_else(|| DEFAULT_LINK_MESSAGE.to_string())
            .replace("{####}", &code),
        None => body_for(pool, channel, purpose, &code, email_mfa),
    };
    // CustomMessage first, and the code kept only together with its message: a failing function
    // (or write) leaves the user's pending code as it was, never a new one nobody received.
    let (body, custom_subject) =
        crate::triggers::custom_message_texts(ctx, pool, user, purpose, channel, &code, body)
            .await?;
    let (body, custom_subject) = match link_client {
        // The link goes to the emulator's own `GET /confirmUser` (http::oauth2::confirm_link),
        // which confirms as ConfirmSignUp does. The code stays in the outbox message too.
        Some(client_id) => {
            let url = format!(
                "{}/confirmUser?{}",
                ctx.base_url(),
                confirm_link_query(client_id, &user.username, &code)
            );
            let subject = custom_subject.or_else(|| {
                template
                    .and_then(|t| t.email_subject_by_link.clone())
                    .filter(|s| !s.trim().is_empty())
                    .or_else(|| Some(DEFAULT_LINK_SUBJECT.to_string()))
            });
            (fill_link(&body, &url), subject)
        }
        None => (body, custom_subject),
    };
    let subject = subject(pool, channel, purpose, email_mfa, custom_subject);
    let key = purpose.code_key(channel);
    let keep = key
        .as_deref()
        .map(|k| (k, ctx.app.clock.epoch() + purpose.validity()));
    let text = Text {
        subject: subject.as_deref(),
        body: &body,
        temporary_password: None,
    };
    write(ctx, user, channel, &dest, purpose, Some(&code), text, keep).await?;
    Ok((code, details(channel, &dest)))
}

/// Sends the AdminCreateUser invitation (username and temporary password, no code).
pub async fn send_invitation(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    channel: Channel,
    temporary_password: &str,
) -> ApiResult<Option<CodeDeliveryDetailsType>> {
    let Some(dest) = destination(user, channel).map(str::to_string) else {
        return Ok(None);
    };
    let template = pool
        .admin_create_user_config
        .as_ref()
        .and_then(|c| c.invite_message_template.as_ref())
        .and_then(|t| match channel {
            Channel::Email => t.email_message.clone(),
            Channel::Sms => t.sms_message.clone(),
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_INVITATION.to_string());
    let body = template
        .replace("{username}", &user.username)
        .replace("{####}", temporary_password);
    let (purpose, secret) = (Purpose::Invitation, temporary_password);
    let (body, custom_subject) =
        crate::triggers::custom_message_texts(ctx, pool, user, purpose, channel, secret, body)
            .await?;
    let subject = subject(pool, channel, purpose, None, custom_subject);
    let text = Text {
        subject: subject.as_deref(),
        body: &body,
        temporary_password: Some(temporary_password),
    };
    write(ctx, user, channel, &dest, purpose, None, text, None).await?;
    Ok(Some(details(channel, &dest)))
}

/// Checks a code the user typed against the stored one for `key` and consumes it on success.
/// Wording (Cognito's texts as quoted in public issues and by Amplify UI): no pending or expired
/// code → ExpiredCodeException; wrong → CodeMismatchException; after [`MAX_CODE_ATTEMPTS`] wrong
/// guesses the code is dead: TooManyFailedAttemptsException for sign-up codes, else
/// LimitExceededException.
pub async fn check_code(ctx: &Ctx, user: &UserRecord, key: &str, provided: &str) -> ApiResult<()> {
    verify_code(ctx, user, key, provided).await?;
    ctx.app
        .store
        .delete_code(&user.pool_id, &user.sub, key)
        .await?;
    Ok(())
}

/// [`check_code`] without consuming the code, for callers with checks of their own still to
/// pass (a confirmation that may fail on an alias must leave the code usable for a retry).
pub async fn verify_code(ctx: &Ctx, user: &UserRecord, key: &str, provided: &str) -> ApiResult<()> {
    let store = &ctx.app.store;
    let Some(stored) = store.get_code(&user.pool_id, &user.sub, key).await? else {
        return Err(expired_code());
    };
    if stored.attempts >= MAX_CODE_ATTEMPTS {
        // Observed for reset codes (amplify-ui-android#180): five mismatches, then the limit.
        let limited = key.starts_with("VERIFY_ATTRIBUTE") || key == "FORGOT_PASSWORD";
        return Err(if limited {
            ApiError::limit_exceeded("Attempt limit exceeded, please try after some time.")
        } else {
            ApiError::too_many_failed_attempts(
                "Too many failed attempts to confirm the code, please request a new code.",
            )
        });
    }
    if ctx.app.clock.epoch() >= stored.expires_at {
        store.delete_code(&user.pool_id, &user.sub, key).await?;
        return Err(expired_code());
    }
    let equal: bool =
        subtle::ConstantTimeEq::ct_eq(stored.code.as_bytes(), provided.trim().as_bytes()).into();
    if !equal {
        store
            .bump_code_attempts(&user.pool_id, &user.sub, key)
            .await?;
        return Err(code_mismatch());
    }
    Ok(())
}

pub fn code_mismatch() -> ApiError {
    ApiError::code_mismatch("Invalid verification code provided, please try again.")
}

pub fn expired_code() -> ApiError {
    ApiError::expired_code("Invalid code provided, please request a code again.")
}

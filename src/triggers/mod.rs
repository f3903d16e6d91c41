//! User-pool Lambda triggers: the event JSON Cognito sends for each trigger, the call, and what
//! the function's answer changes.
//!
//! - `config`: which triggers a pool has and where the events go (Lambda Invoke API or webhook).
//! - `invoke`: the HTTP call, its timeout and Cognito's exceptions for failures.
//! - this file: the request scope (operation, ClientMetadata) and the simple triggers, one
//!   function each, called from one line where Cognito runs them: [`pre_sign_up`],
//!   [`post_confirmation`], [`pre_authentication`], [`post_authentication`], [`custom_message`].
//! - `challenge`: Define / Create / Verify Auth Challenge (the CUSTOM_AUTH loop is
//!   `flow::custom` + `ops::auth::custom`).
//! - `token`: PreTokenGeneration (event versions 1, 2 and 3) applied to the claims.
//! - `migration`: UserMigration.
//!
//! Every event has the common members (DG "user pool Lambda trigger common parameters"):
//! `version`, `region`, `userPoolId`, `triggerSource`, `userName`,
//! `callerContext{awsSdkVersion, clientId}`, `request`, `response`.

pub mod challenge;
pub mod config;
pub mod invoke;
pub mod migration;
pub mod token;
use crate::domain::pool::PoolExt;
use crate::domain::records::UserRecord;
use crate::domain::triggers::Trigger;
use crate::error::ApiResult;
use crate::model::shapes::{AttributeType, UserPoolType};
use crate::state::{Ctx, RequestInfo};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// The `response` Cognito puts in the event before the function fills it in.
fn initial_response(trigger: Trigger, version: &str) -> Value {
    match trigger {
        Trigger::PreTokenGeneration if version == "1" => json!({"claimsOverrideDetails": null}),
        Trigger::PreTokenGeneration => json!({"claimsAndScopeOverrideDetails": null}),
        Trigger::PreSignUp => {
            json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false})
        }
        Trigger::DefineAuthChallenge => {
            json!({"challengeName": null, "issueTokens": null, "failAuthentication": null})
        }
        Trigger::CreateAuthChallenge => json!({
            "publicChallengeParameters": null,
            "privateChallengeParameters": null,
            "challengeMetadata": null
        }),
        Trigger::VerifyAuthChallengeResponse => json!({"answerCorrect": null}),
        Trigger::CustomMessage => {
            json!({"smsMessage": null, "emailMessage": null, "emailSubject": null})
        }
        Trigger::UserMigration => json!({
            "userAttributes": null,
            "forceAliasCreation": null,
            "enableSMSMFA": null,
            "finalUserStatus": null,
            "messageAction": null,
            "desiredDeliveryMediums": null
        }),
        _ => json!({}),
    }
}

// ---------------------------------------------------------------------------------------------
// The request a trigger runs for
// ---------------------------------------------------------------------------------------------

fn is_initiate_auth(r: &RequestInfo) -> bool {
    matches!(r.operation.as_str(), "InitiateAuth" | "AdminInitiateAuth")
}

/// The ClientMetadata `trigger` receives. (Admin)InitiateAuth passes it only to PreSignUp,
/// PreAuthentication and UserMigration (model docs of InitiateAuthRequest.ClientMetadata).
fn client_metadata_for(trigger: Trigger, r: &RequestInfo) -> Option<Value> {
    if is_initiate_auth(r)
        && !matches!(
            trigger,
            Trigger::PreSignUp | Trigger::PreAuthentication | Trigger::UserMigration
        )
    {
        return None;
    }
    r.client_metadata.clone()
}

/// InitiateAuth's ClientMetadata as PreAuthentication / UserMigration `validationData`, where
/// Cognito has always delivered it (localstack#4074 quotes such an event; Amplify SDK maintainers
/// describe the same) **[B: newer docs say `clientMetadata`; the emulator sends both]**.
fn initiate_validation_data(r: &RequestInfo) -> Value {
    if is_initiate_auth(r) {
        r.client_metadata.clone().unwrap_or(Value::Null)
    } else {
        Value::Null
    }
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/// The region part of a pool id (`us-east-1_Abc` → `us-east-1`).
pub fn region_of(pool_id: &str) -> &str {
    pool_id.split('_').next().unwrap_or(pool_id)
}

/// `userAttributes` as Cognito sends them: `sub`, the attributes, and `cognito:user_status`.
pub fn user_attributes(user: &UserRecord) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("sub".into(), Value::String(user.sub.clone()));
    for (k, v) in &user.attributes {
        m.insert(k.clone(), Value::String(v.clone()));
    }
    m.insert(
        "cognito:user_status".into(),
        Value::String(user.status.to_string()),
    );
    m
}

fn string_map(m: &BTreeMap<String, String>) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// `ValidationData` (a list of name/value pairs on the wire) as the event's object.
fn validation_data(list: Option<&[AttributeType]>) -> Value {
    match list {
        None => Value::Null,
        Some(l) => Value::Object(
            l.iter()
                .filter_map(|a| {
                    Some((
                        a.name.clone()?,
                        Value::String(a.value.clone().unwrap_or_default()),
                    ))
                })
                .collect(),
        ),
    }
}

/// Who calls: a client id, or Cognito's placeholder for admin operations without one.
pub const NO_CLIENT: &str = "CLIENT_ID_NOT_APPLICABLE";

/// One trigger call.
pub struct Call<'a> {
    pub trigger: Trigger,
    pub source: &'a str,
    pub pool: &'a UserPoolType,
    pub client_id: Option<&'a str>,
    pub user_name: &'a str,
    pub request: Map<String, Value>,
    /// Event `version`: "1", except PreTokenGeneration V2_0 / V3_0.
    pub version: &'a str,
}

/// Whether `trigger` would run for this pool (configured and not switched off).
pub fn configured(ctx: &Ctx, pool: &UserPoolType, trigger: Trigger) -> bool {
    if ctx.request.suppressed {
        return false;
    }
    let app = &ctx.app;
    let settings = app.triggers.get(pool.pool_id());
    settings.trigger_webhooks.contains_key(trigger.name())
        || app.config.trigger_webhooks.iter().any(|w| {
            w.split_once('=')
                .is_some_and(|(n, _)| n.trim() == trigger.name())
        })
        || trigger.arn(pool).is_some()
}

/// Runs a trigger; `Ok(None)` when the pool has none, else the function's `response` object.
pub async fn run(ctx: &Ctx, call: Call<'_>) -> ApiResult<Option<Map<String, Value>>> {
    let info = &ctx.request;
    if info.suppressed {
        return Ok(None);
    }
    let app = &ctx.app;
    let Some(target) = config::target(app, call.pool, call.trigger)? else {
        return Ok(None);
    };
    let pool_id = call.pool.pool_id();
    let mut request = call.request;
    if let Some(m) = client_metadata_for(call.trigger, info) {
        request.insert("clientMetadata".into(), m);
    }
    let event = json!({
        "version": call.version,
        "region": region_of(pool_id),
        "userPoolId": pool_id,
        "triggerSource": call.source,
        "userName": call.user_name,
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": call.client_id.unwrap_or(NO_CLIENT),
        },
        "request": Value::Object(request),
        "response": initial_response(call.trigger, call.version),
    });
    tracing::info!(
        pool_id,
        trigger = call.trigger.name(),
        trigger_source = call.source,
        target = %target.describe(),
        "invoking trigger"
    );
    let timeout = Duration::from_millis(app.config.trigger_timeout_ms.max(1));
    let returned = invoke::invoke(call.trigger, &target, &event, timeout).await;
    if let Err(e) = &returned {
        tracing::info!(
            pool_id,
            trigger = call.trigger.name(),
            error = e.code,
            "trigger failed"
        );
    }
    let Value::Object(returned) = returned? else {
        return Err(invoke::unrecognizable());
    };
    match returned.get("response") {
        Some(Value::Object(r)) => Ok(Some(r.clone())),
        None | Some(Value::Null) => Ok(Some(Map::new())),
        Some(_) => Err(invoke::unrecognizable()),
    }
}

/// A boolean the function may leave out or null (then false); anything else is malformed.
fn flag(response: &Map<String, Value>, key: &str) -> ApiResult<bool> {
    match response.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        // Lambdas written in loosely typed languages return "true".
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
        Some(_) => Err(invoke::unrecognizable()),
    }
}

// ---------------------------------------------------------------------------------------------
// PreSignUp, PostConfirmation
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpSource {
    SignUp,
    AdminCreateUser,
    /// The first sign-in of an external identity through the hosted UI.
    ExternalProvider,
}

/// What a PreSignUp function decided. All false when the pool has no PreSignUp trigger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreSignUp {
    pub auto_confirm_user: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

impl PreSignUp {
    /// The attributes with the addresses the function verified marked so (only ones present).
    pub fn verified(&self, mut attributes: BTreeMap<String, String>) -> BTreeMap<String, String> {
        for (on, attr, flag) in [
            (self.auto_verify_email, "email", "email_verified"),
            (
                self.auto_verify_phone,
                "phone_number",
                "phone_number_verified",
            ),
        ] {
            if on && attributes.get(attr).is_some_and(|v| !v.is_empty()) {
                attributes.insert(flag.to_string(), "true".into());
            }
        }
        attributes
    }
}

/// PreSignUp (`PreSignUp_SignUp` / `PreSignUp_AdminCreateUser`): may refuse the sign-up with its
/// own message, or confirm the user and verify addresses. The response flags only count for
/// self sign-up; an administrator's user keeps the status AdminCreateUser gives it.
pub async fn pre_sign_up(
    ctx: &Ctx,
    pool: &UserPoolType,
    client_id: Option<&str>,
    source: SignUpSource,
    (username, sub): (&str, &str),
    attributes: &BTreeMap<String, String>,
    validation: Option<&[AttributeType]>,
) -> ApiResult<PreSignUp> {
    // Pools that sign in with email / phone number name the user by the `sub` it will get
    // (events quoted in localstack#9349 and aws-amplify/docs#4147).
    let user_name = if pool.username_attributes().is_empty() {
        username
    } else {
        sub
    };
    // The email / phone number typed as the username is an attribute of the new user.
    let mut attributes = attributes.clone();
    let username_attributes = pool.username_attributes();
    for (name, looks_so) in [
        (
            crate::domain::attributes::EMAIL,
            crate::domain::attributes::is_email(username),
        ),
        (
            crate::domain::attributes::PHONE,
            crate::domain::attributes::is_phone(username),
        ),
    ] {
        if looks_so && username_attributes.iter().any(|a| a == name) {
            attributes
                .entry(name.to_string())
                .or_insert_with(|| username.to_string());
            break;
        }
    }
    let mut request = Map::new();
    request.insert("userAttributes".into(), string_map(&attributes));
    request.insert("validationData".into(), validation_data(validation));
    let source_name = match source {
        SignUpSource::SignUp => "PreSignUp_SignUp",
        SignUpSource::AdminCreateUser => "PreSignUp_AdminCreateUser",
        SignUpSource::ExternalProvider => "PreSignUp_ExternalProvider",
    };
    let Some(response) = run(
        ctx,
        Call {
            trigger: Trigger::PreSignUp,
            source: source_name,
            pool,
            client_id,
            user_name,
            request,
            version: "1",
        },
    )
    .await?
    else {
        return Ok(PreSignUp::default());
    };
    let decided = PreSignUp {
        auto_confirm_user: flag(&response, "autoConfirmUser")?,
        auto_verify_email: flag(&response, "autoVerifyEmail")?,
        auto_verify_phone: flag(&response, "autoVerifyPhone")?,
    };
    Ok(match source {
        SignUpSource::SignUp | SignUpSource::ExternalProvider => decided,
        SignUpSource::AdminCreateUser => PreSignUp::default(),
    })
}

/// After SignUp: a user PreSignUp confirmed reaches PostConfirmation at once, as Cognito does
/// (floci#859 and KensioSoftware/yulin#462 both found it so) **[B]**.
pub async fn after_sign_up(
    ctx: &Ctx,
    pool: &UserPoolType,
    client_id: &str,
    pre: &PreSignUp,
    user: &UserRecord,
) -> ApiResult<()> {
    if !pre.auto_confirm_user {
        return Ok(());
    }
    let source = ConfirmationSource::ConfirmSignUp;
    post_confirmation(ctx, pool, Some(client_id), source, user).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmationSource {
    ConfirmSignUp,
    ConfirmForgotPassword,
}

/// PostConfirmation, after the user is confirmed (a failure is reported, the confirmation
/// stays, as on AWS).
pub async fn post_confirmation(
    ctx: &Ctx,
    pool: &UserPoolType,
    client_id: Option<&str>,
    source: ConfirmationSource,
    user: &UserRecord,
) -> ApiResult<()> {
    let mut request = Map::new();
    request.insert(
        "userAttributes".into(),
        Value::Object(user_attributes(user)),
    );
    run(
        ctx,
        Call {
            trigger: Trigger::PostConfirmation,
            source: match source {
                ConfirmationSource::ConfirmSignUp => "PostConfirmation_ConfirmSignUp",
                ConfirmationSource::ConfirmForgotPassword => {
                    "PostConfirmation_ConfirmForgotPassword"
                }
            },
            pool,
            client_id,
            user_name: &user.username,
            request,
            version: "1",
        },
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// PreAuthentication, PostAuthentication
// ---------------------------------------------------------------------------------------------

/// PreAuthentication, before the password (or custom challenge) is checked: its error refuses the
/// sign-in with the function's message.
pub async fn pre_authentication(
    ctx: &Ctx,
    pool: &UserPoolType,
    client_id: &str,
    user: &UserRecord,
) -> ApiResult<()> {
    let info = &ctx.request;
    let mut request = Map::new();
    request.insert(
        "userAttributes".into(),
        Value::Object(user_attributes(user)),
    );
    request.insert("validationData".into(), initiate_validation_data(info));
    run(
        ctx,
        Call {
            trigger: Trigger::PreAuthentication,
            source: "PreAuthentication_Authentication",
            pool,
            client_id: Some(client_id),
            user_name: &user.username,
            request,
            version: "1",
        },
    )
    .await?;
    Ok(())
}

/// PreAuthentication for a username that matched no user, in a client whose
/// PreventUserExistenceErrors is ENABLED: the DG says the trigger "doesn't activate when a user
/// doesn't exist unless" that setting is ENABLED, and then sets `userNotFound: true`. No
/// attributes; `userName` is the name as sent **[B]**.
pub async fn pre_authentication_unknown(
    ctx: &Ctx,
    pool: &UserPoolType,
    client_id: &str,
    username: &str,
) -> ApiResult<()> {
    if !configured(ctx, pool, Trigger::PreAuthentication) {
        return Ok(());
    }
    let info = &ctx.request;
    let mut request = Map::new();
    request.insert("userAttributes".into(), Value::Object(Map::new()));
    request.insert("validationData".into(), initiate_validation_data(info));
    request.insert("userNotFound".into(), Value::Bool(true));
    run(
        ctx,
        Call {
            trigger: Trigger::PreAuthentication,
            source: "PreAuthentication_Authentication",
            pool,
            client_id: Some(client_id),
            user_name: username,
            request,
            version: "1",
        },
    )
    .await?;
    Ok(())
}

/// PostAuthentication, once the user is authenticated and before tokens are handed out: its error
/// withholds them.
pub async fn post_authentication(
    ctx: &Ctx,
    pool: &UserPoolType,
    client_id: &str,
    user: &UserRecord,
) -> ApiResult<()> {
    let mut request = Map::new();
    request.insert(
        "userAttributes".into(),
        Value::Object(user_attributes(user)),
    );
    request.insert("newDeviceUsed".into(), Value::Bool(false));
    run(
        ctx,
        Call {
            trigger: Trigger::PostAuthentication,
            source: "PostAuthentication_Authentication",
            pool,
            client_id: Some(client_id),
            user_name: &user.username,
            request,
            version: "1",
        },
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CustomMessage
// ---------------------------------------------------------------------------------------------

/// Why a message is sent, as CustomMessage names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageSource {
    SignUp,
    ResendCode,
    AdminCreateUser,
    ForgotPassword,
    /// A changed address verified on UpdateUserAttributes / AdminUpdateUserAttributes.
    UpdateUserAttribute,
    /// GetUserAttributeVerificationCode.
    VerifyUserAttribute,
    /// MFA and sign-in codes.
    Authentication,
}

impl MessageSource {
    fn trigger_source(self) -> &'static str {
        match self {
            MessageSource::SignUp => "CustomMessage_SignUp",
            MessageSource::ResendCode => "CustomMessage_ResendCode",
            MessageSource::AdminCreateUser => "CustomMessage_AdminCreateUser",
            MessageSource::ForgotPassword => "CustomMessage_ForgotPassword",
            MessageSource::UpdateUserAttribute => "CustomMessage_UpdateUserAttribute",
            MessageSource::VerifyUserAttribute => "CustomMessage_VerifyUserAttribute",
            MessageSource::Authentication => "CustomMessage_Authentication",
        }
    }

    /// From the outbox purpose; attribute verification depends on the operation sending it.
    pub fn for_purpose(
        purpose: crate::domain::message::Purpose,
        request: &RequestInfo,
    ) -> MessageSource {
        use crate::domain::message::Purpose;
        match purpose {
            Purpose::SignUp => MessageSource::SignUp,
            Purpose::ResendConfirmation => MessageSource::ResendCode,
            Purpose::Invitation => MessageSource::AdminCreateUser,
            Purpose::ForgotPassword => MessageSource::ForgotPassword,
            Purpose::VerifyAttribute => {
                if request.operation == "GetUserAttributeVerificationCode" {
                    MessageSource::VerifyUserAttribute
                } else {
                    MessageSource::UpdateUserAttribute
                }
            }
            Purpose::Mfa | Purpose::SignInOtp => MessageSource::Authentication,
        }
    }
}

/// The code placeholder in CustomMessage events and answers.
pub const CODE_PARAMETER: &str = "{####}";
/// The username placeholder (invitations).
pub const USERNAME_PARAMETER: &str = "{username}";

/// CustomMessage: the body that lands in the outbox. `secret` is the code (or, for an invitation,
/// the temporary password) the function's text gets in place of `{####}`; `default_body` is used
/// when the pool has no CustomMessage trigger or the function leaves the message empty.
pub async fn custom_message(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    purpose: crate::domain::message::Purpose,
    channel: crate::domain::message::Channel,
    secret: &str,
    default_body: String,
) -> ApiResult<String> {
    let (body, _) =
        custom_message_texts(ctx, pool, user, purpose, channel, secret, default_body).await?;
    Ok(body)
}

/// [`custom_message`], also returning the function's `emailSubject` for email (None when it
/// leaves it empty or the pool has no CustomMessage trigger: the caller's subject stays).
pub async fn custom_message_texts(
    ctx: &Ctx,
    pool: &UserPoolType,
    user: &UserRecord,
    purpose: crate::domain::message::Purpose,
    channel: crate::domain::message::Channel,
    secret: &str,
    default_body: String,
) -> ApiResult<(String, Option<String>)> {
    let source = MessageSource::for_purpose(purpose, &ctx.request);
    let mut request = Map::new();
    request.insert(
        "userAttributes".into(),
        Value::Object(user_attributes(user)),
    );
    request.insert("codeParameter".into(), CODE_PARAMETER.into());
    request.insert("linkParameter".into(), "{##Click Here##}".into());
    request.insert(
        "usernameParameter".into(),
        if source == MessageSource::AdminCreateUser {
            USERNAME_PARAMETER.into()
        } else {
            Value::Null
        },
    );
    let client_id = ctx.request.client_id.clone();
    let Some(response) = run(
        ctx,
        Call {
            trigger: Trigger::CustomMessage,
            source: source.trigger_source(),
            pool,
            client_id: client_id.as_deref(),
            user_name: &user.username,
            request,
            version: "1",
        },
    )
    .await?
    else {
        return Ok((default_body, None));
    };
    let key = match channel {
        crate::domain::message::Channel::Email => "emailMessage",
        crate::domain::message::Channel::Sms => "smsMessage",
    };
    let body = match response.get(key) {
        Some(Value::String(text)) if !text.is_empty() => text
            .replace(CODE_PARAMETER, secret)
            .replace(USERNAME_PARAMETER, &user.username),
        None | Some(Value::Null) | Some(Value::String(_)) => default_body,
        Some(_) => return Err(invoke::unrecognizable()),
    };
    let subject = match (channel, response.get("emailSubject")) {
        (crate::domain::message::Channel::Sms, _) => None,
        (_, Some(Value::String(s))) if !s.is_empty() => Some(s.clone()),
        (_, None | Some(Value::Null) | Some(Value::String(_))) => None,
        (_, Some(_)) => return Err(invoke::unrecognizable()),
    };
    Ok((body, subject))
}

/// PreSignUp for AdminCreateUser (`PreSignUp_AdminCreateUser`): only its refusal matters.
pub async fn admin_pre_sign_up(
    ctx: &Ctx,
    pool: &UserPoolType,
    username: (&str, &str),
    attributes: &BTreeMap<String, String>,
    req: &crate::model::shapes::AdminCreateUserRequest,
) -> ApiResult<()> {
    pre_sign_up(
        ctx,
        pool,
        None,
        SignUpSource::AdminCreateUser,
        username,
        attributes,
        req.validation_data.as_deref(),
    )
    .await
    .map(|_| ())
}

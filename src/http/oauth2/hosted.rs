//! The hosted UI's pages after the password: `/forceChangePassword` (NEW_PASSWORD_REQUIRED),
//! `/mfa` (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE) and `/mfaSetup` (MFA_SETUP:
//! an authenticator app or email), the choice-based sign-in's pages, the passkey prompt after a
//! sign-in (`/passkeys/add`), plus the card every hosted page is drawn in (with the pool's
//! branding and the request's `lang`).
//!
//! No rule lives here. A step is the auth session row `ops::auth` made for the challenge
//! (`flow::session::new_row`), named by the hidden `session` field; the form's answer goes through
//! RespondToAuthChallenge's own path (`ops::auth::hosted_respond`) and, for an authenticator app,
//! through AssociateSoftwareToken / VerifySoftwareToken with that session, exactly as Amplify does
//! over the API (amplify-js `signInHelpers.ts`). The page only turns form fields into
//! ChallengeResponses and the outcome into the next page or the redirect with a code.

use super::authorize::{finish, login_form, server_error, AuthorizeRequest, Hosted};
use super::{html_escape, parse_form};
use crate::domain::client::ClientExt;
use crate::domain::message::{mask, Channel};
use crate::domain::mfa::Factor;
use crate::domain::pool::PoolExt;
use crate::error::ApiError;
use crate::flow::session::{self as flow_session, SessionState};
use crate::flow::user_auth as flow_ua;
use crate::flow::Pending;
use crate::model::shapes::{
    AssetType, AssociateSoftwareTokenRequest, GetUserPoolMfaConfigResponse, UserPoolClientType,
    UserPoolType, VerifySoftwareTokenRequest,
};
use crate::ops::auth::{hosted_respond, HostedStep};
use crate::state::{App, Ctx, RequestInfo};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use std::collections::{BTreeMap, HashMap};

/// The pages' style sheet, served inline: the emulator loads nothing from elsewhere.
const STYLE: &str = "*{box-sizing:border-box}\
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;\
background:#f2f3f3;font:16px/1.4 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;\
color:#16191f}\
main{background:#fff;width:100%;max-width:420px;margin:48px 16px;padding:32px 28px;\
border-radius:8px;box-shadow:0 1px 4px rgba(0,28,36,.3)}\
.banner-customizable{text-align:center;margin:0 0 12px}\
.logo-customizable{max-width:100%;max-height:100px}\
.app{margin:0 0 4px;color:#5f6b7a;font-size:14px;text-align:center}\
h1{margin:0 0 20px;font-size:22px;text-align:center}\
label{display:block;margin:14px 0 4px;font-weight:600;font-size:14px}\
input[type=text],input[type=email],input[type=password],input[type=tel],input:not([type]){\
width:100%;padding:10px;font-size:16px;border:1px solid #8c8c94;border-radius:4px}\
input:focus{outline:2px solid #0972d3;border-color:#0972d3}\
button{display:block;width:100%;margin-top:20px;padding:11px;font-size:16px;font-weight:700;\
color:#fff;background:#0972d3;border:0;border-radius:20px;cursor:pointer}\
button.secondary{color:#0972d3;background:#fff;border:2px solid #0972d3}\
a.idp{display:block;margin:10px 0;padding:10px;text-align:center;font-weight:700;color:#0972d3;\
border:2px solid #0972d3;border-radius:20px;text-decoration:none}\
.error{margin:6px 0 0;color:#d91515;font-size:14px}\
.hint{color:#5f6b7a;font-size:14px;margin:8px 0}\
.note{margin:0 0 12px;padding:10px;color:#037f0c;background:#f2fcf3;border:1px solid #037f0c;\
border-radius:4px;font-size:14px}\
.links{margin:18px 0 0;text-align:center;font-size:14px}.links a{color:#0972d3}\
.qr{display:flex;justify-content:center;margin:12px 0}.qr svg{width:200px;height:200px}\
code{display:block;word-break:break-all;background:#f2f3f3;padding:8px;border-radius:4px;\
font-size:13px}\
@media (max-width:480px){main{margin:0;min-height:100vh;border-radius:0;box-shadow:none;\
padding:24px 18px}}";

/// What a request's pages show besides their form: the app client's name, the page language
/// (`lang`) and the pool's branding.
#[derive(Clone, Debug, Default)]
pub struct Look {
    pub app_name: Option<String>,
    /// `lang` of the authorize request, when it is a well-formed language tag.
    pub lang: Option<String>,
    /// The UI customization's CSS (SetUICustomization): the client's, else the pool-wide `ALL`.
    pub css: Option<String>,
    /// The logo as a `data:` URI: the managed login branding's form (or page header) logo, else
    /// the UI customization's ImageFile.
    pub logo: Option<String>,
}

/// Managed login's logo assets, in the order the card uses them (API Reference, AssetType
/// Category).
const LOGO_CATEGORIES: [&str; 2] = ["FORM_LOGO", "PAGE_HEADER_LOGO"];

impl Look {
    /// The look of a client's pages: its name, `lang`, and the branding the pool stores for it.
    pub async fn of(
        app: &App,
        pool: &UserPoolType,
        client: &UserPoolClientType,
        lang: Option<&str>,
    ) -> Result<Look, sqlx::Error> {
        let store = &app.store;
        // The client's customization, else the pool-wide one (API Reference, GetUICustomization).
        let custom = match store
            .get_ui_customization(pool.pool_id(), client.id())
            .await?
        {
            Some(c) => Some(c),
            None => store.get_ui_customization(pool.pool_id(), "ALL").await?,
        };
        let branding = store
            .get_branding_by_client(pool.pool_id(), client.id())
            .await?
            .filter(|b| b.use_cognito_provided_values != Some(true));
        let branded_logo = branding.as_ref().and_then(|b| {
            let assets = b.assets.as_deref().unwrap_or_default();
            LOGO_CATEGORIES.iter().find_map(|category| {
                let mut logos: Vec<_> = assets
                    .iter()
                    .filter(|a| a.category.as_deref() == Some(*category))
                    .collect();
                // A light-mode (or browser-adaptive) logo on the light card before a dark one.
                logos.sort_by_key(|a| a.color_mode.as_deref() == Some("DARK"));
                logos.into_iter().find_map(asset_data_uri)
            })
        });
        let classic_logo = custom
            .as_ref()
            .and_then(|c| c.image_url.clone())
            .filter(|u| u.starts_with("data:image/"));
        Ok(Look {
            app_name: client.client_name.clone(),
            lang: lang.filter(|l| language_tag(l)).map(str::to_string),
            css: custom.and_then(|c| c.css).filter(|c| !c.trim().is_empty()),
            logo: branded_logo.or(classic_logo),
        })
    }
}

/// An image asset as a `data:` URI; None for an extension the pages cannot show.
fn asset_data_uri(asset: &AssetType) -> Option<String> {
    let mime = match asset.extension.as_deref()? {
        "PNG" => "image/png",
        "JPEG" | "JPG" => "image/jpeg",
        "SVG" => "image/svg+xml",
        "WEBP" => "image/webp",
        "ICO" => "image/x-icon",
        _ => return None,
    };
    let bytes = asset.bytes.as_deref().filter(|b| !b.is_empty())?;
    // The blob arrives base64-encoded; anything else would break out of the attribute.
    let base64 = bytes
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='));
    base64.then(|| format!("data:{mime};base64,{bytes}"))
}

/// A BCP 47 language tag as far as the page needs it: letters, digits and hyphens, at most 35
/// characters (RFC 5646's practical limit), starting with a letter.
fn language_tag(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 35
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Stored CSS inside `<style>`: only `</style` could end the element early (HTML, "raw text
/// elements"), so every `<` becomes the CSS escape `\3c ` (CSS Syntax 3, "escaping"), which
/// means the same character wherever CSS reads it.
fn style_text(css: &str) -> String {
    css.replace('<', "\\3c ")
}

/// The class names of Cognito's classic hosted UI CSS template on the matching elements, so a
/// UI customization's rules apply (Cognito Developer Guide, "Hosted UI (classic) branding": the
/// `-customizable` classes). The pages' own markup is fixed text, so plain replacement is exact.
fn customizable(body: &str) -> String {
    body.replace("<label ", "<label class=\"label-customizable\" ")
        .replace("<input id=", "<input class=\"inputField-customizable\" id=")
        .replace(
            "<button type=\"submit\" name=",
            "<button class=\"submitButton-customizable\" type=\"submit\" name=",
        )
        .replace(
            "class=\"error\"",
            "class=\"error errorMessage-customizable\"",
        )
        .replace(
            "class=\"hint\"",
            "class=\"hint textDescription-customizable\"",
        )
}

/// A hosted page: a centred card with the app client's name (when known), the logo, a title,
/// and the pool's UI customization CSS after the built-in one, so it overrides it.
pub(super) fn card(status: StatusCode, look: &Look, title: &str, body: &str) -> Response {
    let app = look
        .app_name
        .as_deref()
        .filter(|n| !n.is_empty())
        .map(|n| format!("<p class=\"app\" id=\"appName\">{}</p>", html_escape(n)))
        .unwrap_or_default();
    let logo = look
        .logo
        .as_deref()
        .map(|src| {
            format!(
                "<div class=\"banner-customizable\"><img class=\"logo-customizable\" id=\"logo\" \
                 alt=\"\" src=\"{}\"></div>",
                html_escape(src)
            )
        })
        .unwrap_or_default();
    let custom = look.css.as_deref().map(style_text).unwrap_or_default();
    let body = customizable(body);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><style>{STYLE}</style><style id=\"customCss\">{custom}</style></head>\
         <body><main class=\"modal-content\">{logo}{app}<h1>{t}</h1>{body}</main></body></html>\n",
        lang = html_escape(look.lang.as_deref().unwrap_or("en")),
        t = html_escape(title)
    );
    (status, Html(html)).into_response()
}

pub(super) fn error_line(message: Option<&str>) -> String {
    message
        .map(|m| {
            format!(
                "<p id=\"errorMessage\" class=\"error\" role=\"alert\">{}</p>",
                html_escape(m)
            )
        })
        .unwrap_or_default()
}

pub(super) fn hidden_session(session: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"session\" value=\"{}\">",
        html_escape(session)
    )
}

/// The context of a hosted step: what its triggers see, and the flag that makes `ops::auth`
/// end a finished sign-in with the user instead of tokens.
fn step_ctx(app: &App, operation: &'static str, req: &AuthorizeRequest, challenge: &str) -> Ctx {
    let info = RequestInfo {
        operation: operation.into(),
        challenge_name: Some(challenge.to_string()),
        client_id: Some(req.client.id().to_string()),
        hosted_ui: true,
        ..Default::default()
    };
    Ctx::new(app, operation, info)
}

/// The state of a live session of this request's client: the same check RespondToAuthChallenge
/// makes (`flow::session::check`), against the challenge the row itself holds.
async fn live_state(
    app: &App,
    req: &AuthorizeRequest,
    session: &str,
) -> Result<(SessionState, Option<String>), ApiError> {
    if session.is_empty() {
        return Err(flow_session::invalid());
    }
    let row = app.store.get_auth_session(session).await?;
    let Some(row) = row else {
        return Err(flow_session::invalid());
    };
    let state: SessionState =
        serde_json::from_str(&row.state).map_err(|_| flow_session::invalid())?;
    let state = flow_session::check(
        Some(&row),
        req.pool.pool_id(),
        req.client.id(),
        state.challenge_name(),
        app.clock.epoch(),
    )?;
    Ok((state, row.sub))
}

/// Where a sign-in step leads: the app's callback with a code, or the next challenge's page.
pub(super) async fn step_page(
    app: &App,
    req: &AuthorizeRequest,
    query: &str,
    step: HostedStep,
) -> Response {
    match step {
        HostedStep::SignedIn(user) => finish(app, req, query, &user).await,
        HostedStep::Challenge {
            name,
            session,
            parameters,
        } => next_step(app, req, query, &name, &session, &parameters).await,
    }
}

/// The page for a challenge `ops::auth` has just stored. An MFA_SETUP that can only be an
/// authenticator app goes straight to its secret (AssociateSoftwareToken with the session).
pub(super) async fn next_step(
    app: &App,
    req: &AuthorizeRequest,
    query: &str,
    name: &str,
    session: &str,
    parameters: &BTreeMap<String, String>,
) -> Response {
    if name == flow_ua::WEB_AUTHN {
        if let Some(options) = parameters.get("CREDENTIAL_REQUEST_OPTIONS") {
            return passkey_page(req, query, session, options);
        }
    }
    if name == crate::flow::mfa::MFA_SETUP {
        if let Ok((state, _)) = live_state(app, req, session).await {
            if let Pending::MfaSetup(s) = &state.pending {
                if s.can_setup == [Factor::Totp] && s.secret.is_none() {
                    return associate(app, req, query, session).await;
                }
            }
        }
    }
    render_step(app, req, query, session, None).await
}

/// AssociateSoftwareToken with the step's session, then the page with the secret.
async fn associate(app: &App, req: &AuthorizeRequest, query: &str, session: &str) -> Response {
    let ctx = step_ctx(app, "AssociateSoftwareToken", req, "MFA_SETUP");
    let request = AssociateSoftwareTokenRequest {
        access_token: None,
        session: Some(session.to_string()),
    };
    match crate::ops::mfa::associate_software_token(ctx, request).await {
        Ok(r) => {
            let next = r.session.unwrap_or_default();
            render_step(app, req, query, &next, None).await
        }
        Err(e) => step_failed(app, req, query, session, e).await,
    }
}

/// An answer refused: the same page again with the message under the field while the session
/// still takes answers (a wrong code leaves it usable up to the limit), else the sign-in form
/// with the message (used, expired, too many wrong codes, disabled user...).
async fn step_failed(
    app: &App,
    req: &AuthorizeRequest,
    query: &str,
    session: &str,
    e: ApiError,
) -> Response {
    if e.status().is_server_error() {
        return server_error(req, e);
    }
    let message = e.message.clone().unwrap_or_else(|| e.code.to_string());
    let retry = matches!(
        e.code,
        "CodeMismatchException"
            | "ExpiredCodeException"
            | "InvalidPasswordException"
            | "InvalidParameterException"
            | "EnableSoftwareTokenMFAException"
    );
    if retry && live_state(app, req, session).await.is_ok() {
        return render_step(app, req, query, session, Some(&message)).await;
    }
    login_form(req, query, Some(&message))
}

/// The page of the challenge stored in `session`, with `error` under its field.
async fn render_step(
    app: &App,
    req: &AuthorizeRequest,
    query: &str,
    session: &str,
    error: Option<&str>,
) -> Response {
    let (state, sub) = match live_state(app, req, session).await {
        Ok(s) => s,
        Err(e) if e.status().is_server_error() => return server_error(req, e),
        Err(e) => return login_form(req, query, Some(e.message.as_deref().unwrap_or(e.code))),
    };
    let action = |path: &str| format!("{path}?{}", html_escape(query));
    let err = error_line(error);
    let hidden = hidden_session(session);
    let code_form = |path: &str, hint: String| {
        format!(
            "<form method=\"post\" action=\"{a}\">{hidden}<p class=\"hint\" id=\"hint\">{hint}</p>\
             <label for=\"code\">Code</label>\
             <input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" \
             autocomplete=\"one-time-code\" required>{err}\
             <button type=\"submit\" name=\"signInSubmitButton\">Sign in</button></form>",
            a = action(path)
        )
    };
    let (title, body) = match &state.pending {
        Pending::NewPasswordRequired => {
            let user = match sub {
                Some(sub) => app.store.get_user_by_sub(req.pool.pool_id(), &sub).await,
                None => Ok(None),
            };
            let user = match user {
                Ok(Some(u)) => u,
                Ok(None) => {
                    return login_form(req, query, flow_session::invalid().message.as_deref())
                }
                Err(e) => return server_error(req, e.into()),
            };
            let mfa = GetUserPoolMfaConfigResponse::default();
            let env = crate::flow::Env {
                pool: &req.pool,
                pool_mfa: &mfa,
                client: &req.client,
                flow: &state.flow,
                now: app.clock.epoch(),
                device: None,
            };
            let fields: String = crate::flow::new_password::missing_required(&env, &user)
                .iter()
                .map(|a| {
                    let n = html_escape(a);
                    format!(
                        "<label for=\"attr-{n}\">{label}</label>\
                         <input id=\"attr-{n}\" name=\"requiredAttributes[{n}]\" \
                         type=\"{t}\" autocomplete=\"{ac}\" required>",
                        label = html_escape(&attribute_label(a)),
                        t = input_type(a),
                        ac = autocomplete(a)
                    )
                })
                .collect();
            (
                "Change password",
                format!(
                    "<form method=\"post\" action=\"{a}\">{hidden}\
                     <p class=\"hint\">Please enter a new password.</p>\
                     <label for=\"password\">New password</label>\
                     <input id=\"password\" name=\"password\" type=\"password\" \
                     autocomplete=\"new-password\" required>{err}{fields}{policy}\
                     <button type=\"submit\" name=\"signInSubmitButton\">Change password</button>\
                     </form>",
                    a = action("/forceChangePassword"),
                    policy = policy_hint(&req.pool),
                ),
            )
        }
        Pending::SmsMfa(s) => (
            "Enter the code",
            code_form(
                "/mfa",
                format!(
                    "We texted a code to {}.",
                    html_escape(&mask(Channel::Sms, &s.destination))
                ),
            ),
        ),
        Pending::EmailOtp(s) => (
            "Enter the code",
            code_form(
                "/mfa",
                format!(
                    "We emailed a code to {}.",
                    html_escape(&mask(Channel::Email, &s.destination))
                ),
            ),
        ),
        Pending::SoftwareTokenMfa => (
            "Enter the code",
            code_form(
                "/mfa",
                "Enter the code from your authenticator app.".to_string(),
            ),
        ),
        Pending::SelectMfaType { choices } => {
            let buttons: String = choices
                .iter()
                .map(|f| {
                    format!(
                        "<button type=\"submit\" name=\"answer\" value=\"{}\">{}</button>",
                        f.name(),
                        factor_label(*f)
                    )
                })
                .collect();
            (
                "Choose a sign-in method",
                format!(
                    "<form method=\"post\" action=\"{a}\">{hidden}\
                     <p class=\"hint\">How do you want to receive your code?</p>{buttons}{err}</form>",
                    a = action("/mfa")
                ),
            )
        }
        Pending::MfaSetup(s) => match &s.secret {
            Some(secret) => {
                let uri = otpauth_uri(&req.pool, &state.username, secret);
                (
                    "Set up an authenticator app",
                    format!(
                        "<form method=\"post\" action=\"{a}\">{hidden}\
                         <p class=\"hint\">Scan the QR code with your authenticator app, or enter \
                         the key by hand, then type the code it shows.</p>\
                         <div class=\"qr\" id=\"qrCode\">{qr}</div>\
                         <label for=\"secretCode\">Key</label><code id=\"secretCode\">{secret}</code>\
                         <label for=\"otpauthUri\">Set-up link</label>\
                         <code id=\"otpauthUri\">{uri_text}</code>\
                         <label for=\"code\">Code</label>\
                         <input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" \
                         autocomplete=\"one-time-code\" required>{err}\
                         <button type=\"submit\" name=\"signInSubmitButton\">Sign in</button></form>",
                        a = action("/mfaSetup"),
                        qr = qr_svg(&uri),
                        secret = html_escape(secret),
                        uri_text = html_escape(&uri),
                    ),
                )
            }
            None => {
                let mut body = format!(
                    "<p class=\"hint\">Your account needs multi-factor authentication. Choose how \
                     you want to receive sign-in codes.</p>{err}"
                );
                if s.can_setup.contains(&Factor::Totp) {
                    body.push_str(&format!(
                        "<form method=\"post\" action=\"{a}\">{hidden}\
                         <button type=\"submit\" name=\"setup\" value=\"totp\">\
                         Authenticator app</button></form>",
                        a = action("/mfaSetup")
                    ));
                }
                if s.can_setup.contains(&Factor::Email) {
                    body.push_str(&format!(
                        "<form method=\"post\" action=\"{a}\">{hidden}\
                         <label for=\"email\">Email address</label>\
                         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" \
                         required><button type=\"submit\" class=\"secondary\" name=\"setup\" \
                         value=\"email\">Send a code by email</button></form>",
                        a = action("/mfaSetup")
                    ));
                }
                ("Set up multi-factor authentication", body)
            }
        },
        Pending::SelectChallenge { available } => {
            // PASSWORD and PASSWORD_SRP are one choice here: the page sends the password itself.
            let mut labels: Vec<(&str, &str)> = Vec::new();
            for f in available {
                let (value, label) = match f.as_str() {
                    flow_ua::PASSWORD | flow_ua::PASSWORD_SRP => (flow_ua::PASSWORD, "Password"),
                    flow_ua::EMAIL_OTP => (flow_ua::EMAIL_OTP, "Email code"),
                    flow_ua::SMS_OTP => (flow_ua::SMS_OTP, "Text message (SMS) code"),
                    flow_ua::WEB_AUTHN => (flow_ua::WEB_AUTHN, "Passkey"),
                    _ => continue,
                };
                if !labels.iter().any(|(v, _)| *v == value) {
                    labels.push((value, label));
                }
            }
            let buttons: String = labels
                .iter()
                .map(|(value, label)| {
                    format!(
                        "<button type=\"submit\" class=\"secondary\" name=\"answer\" \
                         value=\"{value}\" id=\"choice-{value}\">{label}</button>"
                    )
                })
                .collect();
            (
                "Choose a sign-in method",
                format!(
                    "<form method=\"post\" action=\"{a}\">{hidden}\
                     <p class=\"hint\" id=\"hint\">Signing in as {user}. How do you want to \
                     sign in?</p>{buttons}{err}</form>",
                    a = action(CHOICE_PATH),
                    user = html_escape(&state.username),
                ),
            )
        }
        Pending::FirstFactorOtp(otp) => {
            let (channel, attribute, verb) = if otp.medium == "SMS" {
                (Channel::Sms, crate::domain::attributes::PHONE, "texted")
            } else {
                (Channel::Email, crate::domain::attributes::EMAIL, "emailed")
            };
            let user = match sub {
                Some(sub) => app.store.get_user_by_sub(req.pool.pool_id(), &sub).await,
                None => Ok(None),
            };
            let destination = match user {
                Ok(u) => u
                    .and_then(|u| u.attributes.get(attribute).cloned())
                    .map(|d| mask(channel, &d))
                    .unwrap_or_default(),
                Err(e) => return server_error(req, e.into()),
            };
            (
                "Enter the code",
                code_form(
                    CHOICE_PATH,
                    format!("We {verb} a code to {}.", html_escape(&destination)),
                ),
            )
        }
        Pending::WebAuthn(_) => {
            // The request options are only in the challenge's answer (`next_step`); a page drawn
            // again later has none to give the browser.
            return login_form(
                req,
                query,
                Some("The passkey sign-in was interrupted. Sign in again."),
            );
        }
        // Cognito's hosted UI runs no custom authentication (Cognito Developer Guide, "Custom
        // authentication challenge Lambda triggers": "The Amazon Cognito hosted UI doesn't
        // support custom authentication"): its password sign-in never reaches the challenge
        // Lambdas, and neither does this one's; a CUSTOM_CHALLENGE session brought here says so.
        Pending::CustomChallenge(_) => return card(
            StatusCode::OK,
            &req.look,
            "Sign-in step not supported",
            "<p id=\"unsupported\">Custom authentication challenges (CUSTOM_CHALLENGE) are not \
                 part of Cognito's hosted UI. Sign in through the API (InitiateAuth with \
                 CUSTOM_AUTH) instead.</p>",
        ),
        other => {
            return card(
                StatusCode::OK,
                &req.look,
                "Sign-in step not supported",
                &format!(
                    "<p id=\"unsupported\">The emulator's hosted UI does not support the {} step. \
                     Sign in through the API (InitiateAuth / RespondToAuthChallenge) instead.</p>",
                    html_escape(other.challenge_name())
                ),
            )
        }
    };
    card(StatusCode::OK, &req.look, title, &body)
}

/// Where the choice-based sign-in's pages post (SELECT_CHALLENGE, the password, one-time codes
/// and the passkey assertion) **[B: the path of Cognito's managed login is not on record]**.
pub(super) const CHOICE_PATH: &str = "/login/challenge";

/// Choice-based sign-in (username first) for this client: the pool allows a first factor other
/// than the password (`Policies.SignInPolicy.AllowedFirstAuthFactors`) and the client allows
/// USER_AUTH. A password-only pool keeps the classic username-and-password form.
pub(super) fn choice_based(req: &AuthorizeRequest) -> bool {
    let passwordless = req
        .pool
        .policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.as_ref())
        .is_some_and(|f| f.iter().any(|x| x != flow_ua::PASSWORD));
    passwordless && req.client.allows("ALLOW_USER_AUTH")
}

/// The password page of a choice-based sign-in: the SELECT_CHALLENGE answer PASSWORD, sent with
/// the password as RespondToAuthChallenge takes it.
fn password_page(
    req: &AuthorizeRequest,
    query: &str,
    session: &str,
    username: &str,
    error: Option<&str>,
) -> Response {
    card(
        StatusCode::OK,
        &req.look,
        "Enter your password",
        &format!(
            "<form method=\"post\" action=\"{a}?{q}\">{hidden}\
             <input type=\"hidden\" name=\"answer\" value=\"PASSWORD\">\
             <p class=\"hint\" id=\"hint\">Signing in as {user}.</p>\
             <input type=\"hidden\" name=\"username\" value=\"{user}\" autocomplete=\"username\">\
             <label for=\"password\">Password</label>\
             <input id=\"password\" name=\"password\" type=\"password\" \
             autocomplete=\"current-password\" required>{err}\
             <button type=\"submit\" name=\"signInSubmitButton\">Sign in</button></form>",
            a = CHOICE_PATH,
            q = html_escape(query),
            hidden = hidden_session(session),
            user = html_escape(username),
            err = error_line(error),
        ),
    )
}

/// The passkey page: CREDENTIAL_REQUEST_OPTIONS (the WEB_AUTHN challenge's JSON) go to
/// `navigator.credentials.get()` (W3C WebAuthn Level 3, "PublicKeyCredentialRequestOptionsJSON":
/// base64url fields become ArrayBuffers), and the credential comes back as the
/// AuthenticationResponseJSON RespondToAuthChallenge takes in CREDENTIAL. The one page that needs
/// JavaScript.
fn passkey_page(req: &AuthorizeRequest, query: &str, session: &str, options: &str) -> Response {
    // Inside <script>, only `</` (and `<!--`) can end the element: escape every `<`.
    let options = options.replace('<', "\\u003c");
    card(
        StatusCode::OK,
        &req.look,
        "Sign in with a passkey",
        &format!(
            "<form method=\"post\" action=\"{a}?{q}\" id=\"passkeyForm\">{hidden}\
             <input type=\"hidden\" name=\"credential\" id=\"credential\">\
             <p class=\"hint\" id=\"hint\">Use the passkey saved on this device.</p>\
             <p id=\"errorMessage\" class=\"error\" role=\"alert\" hidden></p>\
             <button type=\"button\" id=\"passkeyButton\" name=\"signInSubmitButton\">\
             Sign in with passkey</button></form>\
             <script type=\"application/json\" id=\"requestOptions\">{options}</script>\
             <script>{PASSKEY_SCRIPT}</script>",
            a = CHOICE_PATH,
            q = html_escape(query),
            hidden = hidden_session(session),
        ),
    )
}

/// The base64url helpers both passkey scripts use: `dec` turns a base64url field into the
/// ArrayBuffer WebAuthn wants, `enc` an ArrayBuffer from the authenticator back into base64url.
macro_rules! base64url_js {
    () => {
        "function dec(s){s=s.replace(/-/g,'+').replace(/_/g,'/');while(s.length%4)s+='=';\
var b=atob(s),u=new Uint8Array(b.length);for(var i=0;i<b.length;i++)u[i]=b.charCodeAt(i);\
return u.buffer;}\
function enc(buf){var u=new Uint8Array(buf),s='';for(var i=0;i<u.length;i++)\
s+=String.fromCharCode(u[i]);return btoa(s).replace(/\\+/g,'-').replace(/\\//g,'_')\
.replace(/=+$/,'');}"
    };
}

const PASSKEY_SCRIPT: &str = concat!(
    "(function(){\
var o=JSON.parse(document.getElementById('requestOptions').textContent);",
    base64url_js!(),
    "\
document.getElementById('passkeyButton').addEventListener('click',function(){\
var err=document.getElementById('errorMessage');err.hidden=true;\
var pk={challenge:dec(o.challenge),rpId:o.rpId,timeout:o.timeout,\
userVerification:o.userVerification,allowCredentials:(o.allowCredentials||[]).map(\
function(c){var d={type:c.type,id:dec(c.id)};if(c.transports)d.transports=c.transports;\
return d;})};\
navigator.credentials.get({publicKey:pk}).then(function(c){var r=c.response;\
var j={id:c.id,rawId:enc(c.rawId),type:c.type,\
authenticatorAttachment:c.authenticatorAttachment||undefined,\
clientExtensionResults:c.getClientExtensionResults(),response:{\
clientDataJSON:enc(r.clientDataJSON),authenticatorData:enc(r.authenticatorData),\
signature:enc(r.signature),userHandle:r.userHandle?enc(r.userHandle):undefined}};\
document.getElementById('credential').value=JSON.stringify(j);\
document.getElementById('passkeyForm').submit();}).catch(function(e){\
err.textContent='The passkey sign-in did not finish: '+e.message;err.hidden=false;});});\
})();"
);

/// Where the passkey prompt after a sign-in posts (managed login's path for adding a passkey,
/// Cognito Developer Guide, "Managed login": passkey set-up **[B: the exact path]**).
pub(super) const PASSKEY_ADD_PATH: &str = "/passkeys/add";

/// The passkey prompt after a finished sign-in: for a choice-based client whose pool allows
/// WEB_AUTHN as a first factor and a user with no passkey yet, managed login offers to add one
/// before going back to the app **[B: AWS's conditions for showing it]**. The page carries the
/// CredentialCreationOptions of StartWebAuthnRegistration's path (`ops::webauthn`, for the user
/// just signed in); None when the prompt does not apply.
pub(super) async fn passkey_prompt(
    app: &App,
    req: &AuthorizeRequest,
    query: &str,
    user: &crate::domain::records::UserRecord,
) -> Result<Option<Response>, ApiError> {
    let web_authn = req
        .pool
        .policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.as_ref())
        .is_some_and(|f| f.iter().any(|x| x == flow_ua::WEB_AUTHN));
    if !web_authn || !choice_based(req) {
        return Ok(None);
    }
    let count = app
        .store
        .count_webauthn_credentials(&user.pool_id, &user.sub)
        .await?;
    if count > 0 {
        return Ok(None);
    }
    prompt_page(app, req, query, user, None).await.map(Some)
}

/// The prompt with fresh creation options (StartWebAuthnRegistration's path), `error` above its
/// buttons. A registration that cannot start (the pool's passkey settings) skips the prompt.
async fn prompt_page(
    app: &App,
    req: &AuthorizeRequest,
    query: &str,
    user: &crate::domain::records::UserRecord,
    error: Option<&str>,
) -> Result<Response, ApiError> {
    let ctx = step_ctx(app, "StartWebAuthnRegistration", req, flow_ua::WEB_AUTHN);
    let options =
        crate::ops::webauthn::start_registration(&ctx, &req.pool, user, req.client.id()).await?;
    // Inside <script>, only `</` (and `<!--`) can end the element: escape every `<`.
    let options = options.to_string().replace('<', "\\u003c");
    let error = match error {
        Some(m) => format!(
            "<p id=\"errorMessage\" class=\"error\" role=\"alert\">{}</p>",
            html_escape(m)
        ),
        None => "<p id=\"errorMessage\" class=\"error\" role=\"alert\" hidden></p>".to_string(),
    };
    Ok(card(
        StatusCode::OK,
        &req.look,
        "Add a passkey?",
        &format!(
            "<form method=\"post\" action=\"{a}?{q}\" id=\"passkeyForm\">\
             <input type=\"hidden\" name=\"credential\" id=\"credential\">\
             <p class=\"hint\" id=\"hint\">Signed in as {user}. Sign in faster next time with a \
             passkey saved on this device.</p>{error}\
             <button type=\"button\" id=\"addPasskeyButton\">Add a passkey</button>\
             <button class=\"secondary\" type=\"submit\" name=\"skip\" value=\"1\" \
             id=\"notNowButton\">Not now</button></form>\
             <script type=\"application/json\" id=\"creationOptions\">{options}</script>\
             <script>{REGISTER_SCRIPT}</script>",
            a = PASSKEY_ADD_PATH,
            q = html_escape(query),
            user = html_escape(&user.username),
        ),
    ))
}

/// `POST /passkeys/add`: the prompt's answer, for the user of the hosted session cookie the sign-in
/// just set: "Not now" (`skip`), or the new credential (RegistrationResponseJSON) for
/// CompleteWebAuthnRegistration's path. Either way back to the app with a code; a refused
/// credential shows the prompt again with the reason.
pub async fn add_passkey(
    State(app): State<App>,
    Hosted { req, query }: Hosted,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let (user, auth_time) = match super::authorize::session_user(&app, &headers, &req.pool).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return login_form(
                &req,
                &query,
                Some("Your sign-in session has expired. Sign in again."),
            )
        }
        Err(e) => return server_error(&req, e),
    };
    let credential = form
        .get("credential")
        .map(|c| c.trim())
        .filter(|c| !c.is_empty());
    if let (Some(credential), false) = (credential, form.contains_key("skip")) {
        let value = serde_json::from_str(credential)
            .unwrap_or_else(|_| serde_json::Value::String(credential.to_string()));
        let ctx = step_ctx(
            &app,
            "CompleteWebAuthnRegistration",
            &req,
            flow_ua::WEB_AUTHN,
        );
        let done = crate::ops::webauthn::complete_registration(
            &ctx,
            &req.pool,
            &user,
            req.client.id(),
            value,
        )
        .await;
        if let Err(e) = done {
            if e.status().is_server_error() {
                return server_error(&req, e);
            }
            let message = e.message.clone().unwrap_or_else(|| e.code.to_string());
            return match prompt_page(&app, &req, &query, &user, Some(&message)).await {
                Ok(page) => page,
                Err(e) if e.status().is_server_error() => server_error(&req, e),
                Err(e) => login_form(&req, &query, Some(e.message.as_deref().unwrap_or(e.code))),
            };
        }
    } else if !form.contains_key("skip") {
        return match prompt_page(
            &app,
            &req,
            &query,
            &user,
            Some("Choose Add a passkey or Not now."),
        )
        .await
        {
            Ok(page) => page,
            Err(e) => server_error(&req, e),
        };
    }
    super::authorize::issue(&app, &req, &user, auth_time)
        .await
        .unwrap_or_else(|e| server_error(&req, e))
}

/// `navigator.credentials.create()` with StartWebAuthnRegistration's options (W3C WebAuthn
/// Level 3, "PublicKeyCredentialCreationOptionsJSON": base64url fields become ArrayBuffers), the
/// credential posted back as the RegistrationResponseJSON CompleteWebAuthnRegistration takes.
const REGISTER_SCRIPT: &str = concat!(
    "(function(){\
var o=JSON.parse(document.getElementById('creationOptions').textContent);",
    base64url_js!(),
    "\
document.getElementById('addPasskeyButton').addEventListener('click',function(){\
var err=document.getElementById('errorMessage');err.hidden=true;\
var pk={rp:o.rp,user:{id:dec(o.user.id),name:o.user.name,displayName:o.user.displayName},\
challenge:dec(o.challenge),pubKeyCredParams:o.pubKeyCredParams,timeout:o.timeout,\
authenticatorSelection:o.authenticatorSelection,excludeCredentials:(o.excludeCredentials||[])\
.map(function(c){var d={type:c.type,id:dec(c.id)};if(c.transports)d.transports=c.transports;\
return d;})};\
navigator.credentials.create({publicKey:pk}).then(function(c){var r=c.response;\
var j={id:c.id,rawId:enc(c.rawId),type:c.type,\
authenticatorAttachment:c.authenticatorAttachment||undefined,\
clientExtensionResults:c.getClientExtensionResults(),response:{\
clientDataJSON:enc(r.clientDataJSON),attestationObject:enc(r.attestationObject),\
transports:r.getTransports?r.getTransports():[]}};\
document.getElementById('credential').value=JSON.stringify(j);\
document.getElementById('passkeyForm').submit();}).catch(function(e){\
err.textContent='The passkey was not added: '+e.message;err.hidden=false;});});\
})();"
);

fn factor_label(f: Factor) -> &'static str {
    match f {
        Factor::Sms => "Text message (SMS)",
        Factor::Totp => "Authenticator app",
        Factor::Email => "Email",
    }
}

pub(super) fn attribute_label(name: &str) -> String {
    let plain = name
        .strip_prefix("custom:")
        .unwrap_or(name)
        .replace('_', " ");
    let mut c = plain.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => plain,
    }
}

pub(super) fn input_type(name: &str) -> &'static str {
    match name {
        "email" => "email",
        "phone_number" => "tel",
        _ => "text",
    }
}

/// The HTML autocomplete token of a standard attribute (WHATWG HTML, "Autofill").
pub(super) fn autocomplete(name: &str) -> &'static str {
    match name {
        "email" => "email",
        "phone_number" => "tel",
        "name" => "name",
        "given_name" => "given-name",
        "family_name" => "family-name",
        "middle_name" => "additional-name",
        "nickname" => "nickname",
        "birthdate" => "bday",
        "gender" => "sex",
        "locale" => "language",
        "address" => "street-address",
        "website" | "profile" | "picture" => "url",
        _ => "on",
    }
}

/// The pool's password policy in words, under a new-password field.
pub(super) fn policy_hint(pool: &crate::model::shapes::UserPoolType) -> String {
    let p = pool.password_policy();
    let mut rules = vec![format!(
        "at least {} characters",
        p.minimum_length.unwrap_or(8)
    )];
    let flags = [
        (p.require_uppercase, "an uppercase letter"),
        (p.require_lowercase, "a lowercase letter"),
        (p.require_numbers, "a number"),
        (p.require_symbols, "a symbol"),
    ];
    rules.extend(
        flags
            .iter()
            .filter(|(on, _)| *on == Some(true))
            .map(|(_, text)| text.to_string()),
    );
    format!(
        "<p class=\"hint\" id=\"passwordPolicy\">Password must have {}.</p>",
        html_escape(&rules.join(", "))
    )
}

/// The key-URI of an authenticator app (Google Authenticator wiki, "Key Uri Format"); the issuer
/// is the pool's name **[B: the issuer Cognito's managed login puts in its QR code is not on
/// record]**.
fn otpauth_uri(pool: &crate::model::shapes::UserPoolType, username: &str, secret: &str) -> String {
    let issuer = pool.name.clone().unwrap_or_else(|| "Cognito".into());
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}",
        enc(&issuer).replace('+', "%20"),
        enc(username).replace('+', "%20"),
        enc(&issuer).replace('+', "%20")
    )
}

fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .build()
            // The SVG's XML declaration is not allowed inside HTML.
            .split_once("?>")
            .map(|(_, svg)| svg.trim().to_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// `requiredAttributes[name]` fields as NEW_PASSWORD_REQUIRED's `userAttributes.name` answers.
fn attribute_answers(form: &HashMap<String, String>) -> BTreeMap<String, String> {
    form.iter()
        .filter_map(|(k, v)| {
            let name = k.strip_prefix("requiredAttributes[")?.strip_suffix(']')?;
            Some((format!("userAttributes.{name}"), v.clone()))
        })
        .collect()
}

/// `POST /forceChangePassword`, `/mfa`, `/mfaSetup`: the answer to the challenge stored in the
/// hidden `session`, as the ChallengeResponses RespondToAuthChallenge takes.
pub async fn answer(
    State(app): State<App>,
    Hosted { req, query }: Hosted,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let field = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let session = field("session");
    let state = match live_state(&app, &req, &session).await {
        Ok((state, _)) => state,
        Err(e) if e.status().is_server_error() => return server_error(&req, e),
        Err(e) => return login_form(&req, &query, Some(e.message.as_deref().unwrap_or(e.code))),
    };
    let name = state.challenge_name();
    let mut responses = BTreeMap::new();
    responses.insert("USERNAME".to_string(), state.username.clone());
    let code = field("code");
    let mut session = session;
    match &state.pending {
        Pending::NewPasswordRequired => {
            responses.extend(attribute_answers(&form));
            responses.insert(
                "NEW_PASSWORD".into(),
                form.get("password").cloned().unwrap_or_default(),
            );
        }
        Pending::SmsMfa(_) => {
            responses.insert("SMS_MFA_CODE".into(), code);
        }
        Pending::EmailOtp(_) => {
            responses.insert("EMAIL_OTP_CODE".into(), code);
        }
        Pending::SoftwareTokenMfa => {
            responses.insert("SOFTWARE_TOKEN_MFA_CODE".into(), code);
        }
        Pending::SelectMfaType { .. } => {
            responses.insert("ANSWER".into(), field("answer"));
        }
        Pending::SelectChallenge { .. } => {
            let answer = field("answer");
            if answer == flow_ua::PASSWORD {
                // The first click only picks the factor: SELECT_CHALLENGE takes ANSWER=PASSWORD
                // with the PASSWORD in one answer, so the session stays open for the next page.
                match form.get("password").filter(|p| !p.is_empty()) {
                    Some(p) => {
                        responses.insert("PASSWORD".into(), p.clone());
                    }
                    None => {
                        let error = form
                            .contains_key("password")
                            .then_some("Password is required.");
                        return password_page(&req, &query, &session, &state.username, error);
                    }
                }
            }
            responses.insert("ANSWER".into(), answer);
        }
        Pending::FirstFactorOtp(otp) => {
            responses.insert(otp.answer_key().into(), code);
        }
        Pending::WebAuthn(_) => {
            responses.insert("CREDENTIAL".into(), field("credential"));
        }
        Pending::MfaSetup(s) => {
            if field("setup") == "totp" && s.secret.is_none() {
                return associate(&app, &req, &query, &session).await;
            }
            if form.contains_key("email") {
                responses.insert("EMAIL".into(), field("email"));
            } else if s.secret.is_some() && !s.verified {
                let ctx = step_ctx(&app, "VerifySoftwareToken", &req, name);
                let request = VerifySoftwareTokenRequest {
                    access_token: None,
                    session: Some(session.clone()),
                    user_code: Some(code),
                    friendly_device_name: None,
                };
                match crate::ops::mfa::verify_software_token(ctx, request).await {
                    Ok(r) => session = r.session.unwrap_or_default(),
                    Err(e) => return step_failed(&app, &req, &query, &session, e).await,
                }
            }
        }
        _ => return render_step(&app, &req, &query, &session, None).await,
    }
    let ctx = step_ctx(&app, "RespondToAuthChallenge", &req, name);
    match hosted_respond(&ctx, req.client.id(), name, &session, responses).await {
        Ok(step) => step_page(&app, &req, &query, step).await,
        Err(e) => step_failed(&app, &req, &query, &session, e).await,
    }
}

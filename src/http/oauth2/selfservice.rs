//! The hosted UI's self-service pages: `/signup` and `/confirmUser` (sign-up and its
//! confirmation code), `/forgotPassword` and `/confirmForgotPassword` (the password reset), under
//! the paths of Cognito's classic hosted UI (Cognito Developer Guide, "Using the hosted UI" /
//! "Managed login").
//!
//! No rule lives here: each form becomes the request of its API operation (SignUp, ConfirmSignUp,
//! ForgotPassword, ConfirmForgotPassword), checked against the API model as the JSON endpoint
//! checks it, and run by that operation's function in `ops`, so triggers, messages, the outbox and
//! every error are the API's. The page only places the error under the field it is about. After
//! the confirmation code the user is signed in with ConfirmSignUp's Session (USER_AUTH's auto
//! sign-in, the path Amplify's `autoSignIn` takes) when the app client allows USER_AUTH; otherwise
//! the sign-in form says the account is confirmed. An UNCONFIRMED user at `/login` comes to the
//! same confirmation page (ResendConfirmationCode); both code pages can send a new code.

use super::authorize::{login_form_noted, server_error, AuthorizeRequest, Hosted};
use super::hosted::{
    attribute_label, autocomplete, card, error_line, hidden_session, input_type, policy_hint,
};
use super::{client_secrets, html_escape, parse_form};
use crate::domain::client::ClientExt;
use crate::domain::pool::PoolExt;
use crate::error::ApiError;
use crate::model::shapes::{
    AttributeType, CodeDeliveryDetailsType, ConfirmForgotPasswordRequest, ConfirmSignUpRequest,
    ForgotPasswordRequest, ResendConfirmationCodeRequest, SignUpRequest, UserPoolType,
};
use crate::state::{App, Ctx, RequestInfo};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;

/// Whether the pool lets users sign themselves up (AdminCreateUserConfig.AllowAdminCreateUserOnly).
pub(super) fn sign_up_allowed(pool: &UserPoolType) -> bool {
    !pool
        .admin_create_user_config
        .as_ref()
        .and_then(|c| c.allow_admin_create_user_only)
        .unwrap_or(false)
}

/// The context of the operation a page runs: what its triggers see (the app client, the
/// operation), marked as a hosted UI request so a finished sign-in ends with the user.
fn op_ctx(app: &App, operation: &'static str, req: &AuthorizeRequest, flow: Option<&str>) -> Ctx {
    let info = RequestInfo {
        operation: operation.into(),
        auth_flow: flow.map(str::to_string),
        client_id: Some(req.client.id().to_string()),
        hosted_ui: true,
        base_url: req.base_url.clone(),
        ..Default::default()
    };
    Ctx::new(app, operation, info)
}

/// The SECRET_HASH the hosted pages send for a client with a secret: on AWS the pages run on the
/// pool's own domain, which knows the secret.
pub(super) fn secret_hash(req: &AuthorizeRequest, username: &str) -> Option<String> {
    client_secrets(&req.client)
        .first()
        .map(|s| crate::domain::secret_hash::compute(s, username, req.client.id()))
}

/// The request checked against the API model, as the JSON endpoint checks it (required members,
/// lengths, patterns), with the same InvalidParameterException text.
fn check_input<T: serde::Serialize>(operation: &str, request: &T) -> Result<(), ApiError> {
    let Some(op) = crate::model::catalog::operation(operation) else {
        return Err(ApiError::internal("unknown operation"));
    };
    let body = serde_json::to_value(request).map_err(|e| ApiError::internal(e.to_string()))?;
    crate::model::validate::validate_input(op, &body).map_err(|e| match e {
        crate::model::validate::InputError::Serialization(m) => ApiError::serialization(m),
        crate::model::validate::InputError::InvalidParameter(m) => ApiError::invalid_parameter(m),
    })
}

/// An error to show, and the form field it is about (None: above the form's button).
struct Shown {
    field: Option<String>,
    message: String,
}

impl Shown {
    fn of(e: &ApiError, field: Option<&str>) -> Self {
        Shown {
            field: field.map(str::to_string),
            message: e.message.clone().unwrap_or_else(|| e.code.to_string()),
        }
    }

    /// The error line for `field`, if the error is about it.
    fn at(err: Option<&Shown>, field: Option<&str>) -> String {
        err.filter(|e| e.field.as_deref() == field)
            .map(|e| error_line(Some(&e.message)))
            .unwrap_or_default()
    }
}

fn action(path: &str, query: &str) -> String {
    format!("{path}?{}", html_escape(query))
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        html_escape(name),
        html_escape(value)
    )
}

fn field(form: &HashMap<String, String>, name: &str) -> String {
    form.get(name)
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// What the username field asks for: the pool's username attributes when it signs in with them.
fn username_label(pool: &UserPoolType) -> &'static str {
    let attrs = pool.username_attributes();
    match (
        attrs.iter().any(|a| a == "email"),
        attrs.iter().any(|a| a == "phone_number"),
    ) {
        (true, true) => "Email or phone number",
        (true, false) => "Email",
        (false, true) => "Phone number",
        (false, false) => "Username",
    }
}

/// The attributes the sign-up form asks for: the pool's required attributes, then the custom
/// attributes this app client may write (its WriteAttributes, or every non-developer-only one).
fn sign_up_attributes(req: &AuthorizeRequest) -> Vec<String> {
    let mut names = req.pool.required_attributes();
    let writable = req
        .client
        .write_attributes
        .as_ref()
        .filter(|w| !w.is_empty());
    for a in req.pool.schema_attributes.as_deref().unwrap_or_default() {
        let Some(name) = a.name.as_deref() else {
            continue;
        };
        let may_write = match writable {
            Some(list) => list.iter().any(|w| w == name),
            None => a.developer_only_attribute != Some(true),
        };
        if name.starts_with("custom:") && may_write && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

fn attribute_field(name: &str) -> String {
    format!("requiredAttributes[{name}]")
}

/// The field an attribute error is about, from the InvalidParameterException texts of
/// `domain::attributes::check_write`.
fn attribute_error_field(message: &str, names: &[String]) -> Option<String> {
    if message.starts_with("Invalid email address format") {
        return Some(attribute_field("email"));
    }
    if message.starts_with("Invalid phone number format") {
        return Some(attribute_field("phone_number"));
    }
    names
        .iter()
        .find(|n| message.contains(&format!("{n}:")) || message.contains(&format!(" {n} ")))
        .map(|n| attribute_field(n))
}

// ---------------------------------------------------------------------------------------------
// Sign-up
// ---------------------------------------------------------------------------------------------

fn sign_up_form(
    req: &AuthorizeRequest,
    query: &str,
    values: &HashMap<String, String>,
    err: Option<&Shown>,
) -> Response {
    let mut body = format!(
        "<form method=\"post\" action=\"{a}\">\
         <label for=\"username\">{label}</label>\
         <input id=\"username\" name=\"username\" autocomplete=\"username\" value=\"{u}\" \
         required>{e}",
        a = action("/signup", query),
        label = username_label(&req.pool),
        u = html_escape(values.get("username").map(String::as_str).unwrap_or("")),
        e = Shown::at(err, Some("username")),
    );
    for name in sign_up_attributes(req) {
        let f = attribute_field(&name);
        let required = req.pool.required_attributes().contains(&name);
        body.push_str(&format!(
            "<label for=\"attr-{n}\">{label}{optional}</label>\
             <input id=\"attr-{n}\" name=\"{f}\" type=\"{t}\" autocomplete=\"{ac}\" \
             value=\"{v}\"{req}>{e}",
            n = html_escape(&name),
            label = html_escape(&attribute_label(&name)),
            optional = if required { "" } else { " (optional)" },
            f = html_escape(&f),
            t = input_type(&name),
            ac = autocomplete(&name),
            v = html_escape(values.get(&f).map(String::as_str).unwrap_or("")),
            req = if required { " required" } else { "" },
            e = Shown::at(err, Some(&f)),
        ));
    }
    body.push_str(&format!(
        "<label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" \
         required>{e}{policy}{general}\
         <button type=\"submit\" name=\"signUpButton\">Sign up</button></form>\
         <p class=\"links\">Already have an account? <a id=\"signInLink\" href=\"{login}\">\
         Sign in</a></p>",
        e = Shown::at(err, Some("password")),
        policy = policy_hint(&req.pool),
        general = Shown::at(err, None),
        login = action("/login", query),
    ));
    card(StatusCode::OK, &req.look, "Sign up", &body)
}

fn not_allowed(req: &AuthorizeRequest) -> Response {
    card(
        StatusCode::BAD_REQUEST,
        &req.look,
        "Sign up",
        &error_line(Some("SignUp is not permitted for this user pool")),
    )
}

/// `GET /signup`: the sign-up form.
pub async fn sign_up_page(Hosted { req, query }: Hosted) -> Response {
    if !sign_up_allowed(&req.pool) {
        return not_allowed(&req);
    }
    sign_up_form(&req, &query, &HashMap::new(), None)
}

/// `POST /signup`: SignUp, then the confirmation code's page (or, when PreSignUp confirmed the
/// user, straight into the sign-in).
pub async fn sign_up(
    State(app): State<App>,
    Hosted { req, query }: Hosted,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let username = field(&form, "username");
    let names = sign_up_attributes(&req);
    let attributes: Vec<AttributeType> = names
        .iter()
        .filter_map(|n| {
            let v = field(&form, &attribute_field(n));
            (!v.is_empty()).then(|| AttributeType {
                name: Some(n.clone()),
                value: Some(v),
            })
        })
        .collect();
    let request = SignUpRequest {
        client_id: Some(req.client.id().to_string()),
        secret_hash: secret_hash(&req, &username),
        username: Some(username.clone()),
        password: form.get("password").cloned().filter(|p| !p.is_empty()),
        user_attributes: Some(attributes),
        ..Default::default()
    };
    let result = match check_input("SignUp", &request) {
        Ok(()) => {
            let ctx = op_ctx(&app, "SignUp", &req, None);
            crate::ops::users::sign_up(ctx, request).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(r) if r.user_confirmed == Some(true) => {
            let session = r.session.unwrap_or_default();
            auto_sign_in(&app, &req, &query, &username, &session).await
        }
        Ok(r) => confirm_form(
            &req,
            &query,
            &username,
            r.session.as_deref().unwrap_or_default(),
            &confirm_hint(r.code_delivery_details.as_ref()),
            None,
        ),
        Err(e) if e.status().is_server_error() => server_error(&req, e),
        Err(e) => {
            let message = e.message.clone().unwrap_or_default();
            let place = match e.code {
                "InvalidPasswordException" => Some("password".to_string()),
                "UsernameExistsException" | "AliasExistsException" => Some("username".into()),
                _ if message.contains("at 'username'") => Some("username".into()),
                _ if message.contains("at 'password'") => Some("password".into()),
                "InvalidParameterException" => attribute_error_field(&message, &names),
                _ => None,
            };
            sign_up_form(&req, &query, &form, Some(&Shown::of(&e, place.as_deref())))
        }
    }
}

fn confirm_hint(details: Option<&CodeDeliveryDetailsType>) -> String {
    match details.and_then(|d| Some((d.delivery_medium.as_deref()?, d.destination.as_deref()?))) {
        Some((medium, destination)) => format!(
            "We have sent a code by {} to {destination}. Enter it below to confirm your account.",
            if medium == "SMS" { "SMS" } else { "email" }
        ),
        None => "Enter the confirmation code we sent you.".to_string(),
    }
}

fn confirm_form(
    req: &AuthorizeRequest,
    query: &str,
    username: &str,
    session: &str,
    hint: &str,
    err: Option<&Shown>,
) -> Response {
    // "Send a new code" posts the same form without the code (formnovalidate: no JavaScript).
    let body = format!(
        "<form method=\"post\" action=\"{a}\">{user}{session}\
         <p class=\"hint\" id=\"hint\">{hint}</p>\
         <label for=\"code\">Verification code</label>\
         <input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" \
         autocomplete=\"one-time-code\" required>{e}{general}\
         <button type=\"submit\" name=\"confirm\">Confirm account</button>\
         <button class=\"secondary\" type=\"submit\" name=\"resend\" value=\"1\" \
         id=\"resendCode\" formnovalidate>Send a new code</button></form>",
        a = action("/confirmUser", query),
        user = hidden("username", username),
        session = hidden_session(session),
        hint = html_escape(hint),
        e = Shown::at(err, Some("code")),
        general = Shown::at(err, None),
    );
    card(StatusCode::OK, &req.look, "Confirm your account", &body)
}

/// `POST /confirmUser`: ConfirmSignUp with the code, then the sign-in.
pub async fn confirm_user(
    State(app): State<App>,
    Hosted { req, query }: Hosted,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let username = field(&form, "username");
    let session = field(&form, "session");
    if form.contains_key("resend") {
        return match resend_code(&app, &req, &username).await {
            Ok(details) => confirm_form(
                &req,
                &query,
                &username,
                &session,
                &confirm_hint(details.as_ref()),
                None,
            ),
            Err(e) if e.status().is_server_error() => server_error(&req, e),
            Err(e) => confirm_form(
                &req,
                &query,
                &username,
                &session,
                &confirm_hint(None),
                Some(&Shown::of(&e, None)),
            ),
        };
    }
    let request = ConfirmSignUpRequest {
        client_id: Some(req.client.id().to_string()),
        secret_hash: secret_hash(&req, &username),
        username: Some(username.clone()),
        confirmation_code: Some(field(&form, "code")),
        session: Some(session.clone()).filter(|s| !s.is_empty()),
        ..Default::default()
    };
    let result = match check_input("ConfirmSignUp", &request) {
        Ok(()) => {
            let ctx = op_ctx(&app, "ConfirmSignUp", &req, None);
            crate::ops::users::confirm_sign_up(ctx, request).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => {
            let next = r.session.unwrap_or_default();
            if !session.is_empty() {
                // Confirmed from the sign-in form with the right password: that sign-in goes on.
                let ctx = op_ctx(&app, "InitiateAuth", &req, Some("USER_PASSWORD_AUTH"));
                let pool = hosted_pool(&req);
                let step = crate::ops::auth::hosted_after_confirmation(
                    &ctx,
                    &pool,
                    &req.client,
                    &username,
                    &session,
                )
                .await;
                match step {
                    Ok(Some(step)) => {
                        return super::hosted::step_page(&app, &req, &query, step).await
                    }
                    Ok(None) => {}
                    Err(e) if e.status().is_server_error() => return server_error(&req, e),
                    // The account is confirmed all the same: the note, and why the sign-in
                    // stopped (an expired proof, one of another user...).
                    Err(e) => {
                        let message = e.message.as_deref().unwrap_or(e.code);
                        return login_form_noted(&req, &query, Some(message), Some(CONFIRMED));
                    }
                }
            }
            auto_sign_in(&app, &req, &query, &username, &next).await
        }
        Err(e) if e.status().is_server_error() => server_error(&req, e),
        Err(e) => confirm_form(
            &req,
            &query,
            &username,
            &session,
            &confirm_hint(None),
            Some(&Shown::of(&e, Some("code"))),
        ),
    }
}

/// The pool as the hosted sign-in sees it: without device tracking (Cognito Developer Guide,
/// "Working with user devices": device tracking needs USER_SRP_AUTH with a device key the SDK
/// keeps, which a browser on the hosted pages does not have).
pub(super) fn hosted_pool(req: &AuthorizeRequest) -> UserPoolType {
    let mut pool = UserPoolType::clone(&req.pool);
    pool.device_configuration = None;
    pool
}

/// ResendConfirmationCode for the user of a confirmation page: where the new code went.
async fn resend_code(
    app: &App,
    req: &AuthorizeRequest,
    username: &str,
) -> Result<Option<CodeDeliveryDetailsType>, ApiError> {
    let request = ResendConfirmationCodeRequest {
        client_id: Some(req.client.id().to_string()),
        secret_hash: secret_hash(req, username),
        username: Some(username.to_string()),
        ..Default::default()
    };
    check_input("ResendConfirmationCode", &request)?;
    let ctx = op_ctx(app, "ResendConfirmationCode", req, None);
    let r = crate::ops::users::resend_confirmation_code(ctx, request).await?;
    Ok(r.code_delivery_details)
}

/// `/login` refused an UNCONFIRMED user: as Cognito's hosted UI does, a new confirmation code
/// goes out (ResendConfirmationCode) and the confirmation page asks for it. When the password was
/// the user's, the page carries the sign-in on after the code (`ops::auth`'s proof session in
/// the hidden `session`); otherwise the confirmed user signs in again. A code that cannot be sent
/// (no auto-verified attribute) leaves the API's message on the sign-in form.
pub(super) async fn confirm_after_sign_in(
    app: &App,
    req: &AuthorizeRequest,
    query: &str,
    username: &str,
    password: Option<&str>,
    refused: &ApiError,
) -> Response {
    let details = match resend_code(app, req, username).await {
        Ok(details) => details,
        Err(e) if e.status().is_server_error() => return server_error(req, e),
        Err(_) => {
            let message = refused.message.as_deref().unwrap_or(refused.code);
            return super::authorize::login_form(req, query, Some(message));
        }
    };
    let proof = match password {
        Some(p) => {
            let ctx = op_ctx(app, "InitiateAuth", req, Some("USER_PASSWORD_AUTH"));
            let pool = hosted_pool(req);
            let proof =
                crate::ops::auth::hosted_unconfirmed_proof(&ctx, &pool, &req.client, username, p)
                    .await;
            match proof {
                Ok(p) => p,
                Err(e) => return server_error(req, e),
            }
        }
        None => None,
    };
    // A wrong password gets a session id that names nothing, so the page does not tell whether
    // the password was right (the proof only decides what follows the code).
    let session = proof.unwrap_or_else(crate::ids::session_id);
    confirm_form(
        req,
        query,
        username,
        &session,
        &confirm_hint(details.as_ref()),
        None,
    )
}

const CONFIRMED: &str = "Your account has been confirmed. Sign in to continue.";

/// The sign-in right after a confirmed sign-up: USER_AUTH's auto sign-in with the session, when
/// the client allows USER_AUTH; otherwise (or when that sign-in is refused) the sign-in form with
/// a note.
async fn auto_sign_in(
    app: &App,
    req: &AuthorizeRequest,
    query: &str,
    username: &str,
    session: &str,
) -> Response {
    let note = CONFIRMED;
    if !req.client.allows("ALLOW_USER_AUTH") || session.is_empty() {
        return login_form_noted(req, query, None, Some(note));
    }
    let ctx = op_ctx(app, "InitiateAuth", req, Some(crate::flow::user_auth::FLOW));
    let step = crate::ops::auth::hosted_auto_sign_in(
        &ctx,
        req.client.id(),
        username,
        secret_hash(req, username),
        session,
    )
    .await;
    match step {
        Ok(step) => super::hosted::step_page(app, req, query, step).await,
        Err(e) if e.status().is_server_error() => server_error(req, e),
        Err(_) => login_form_noted(req, query, None, Some(note)),
    }
}

// ---------------------------------------------------------------------------------------------
// Forgot password
// ---------------------------------------------------------------------------------------------

fn forgot_form(
    req: &AuthorizeRequest,
    query: &str,
    username: &str,
    err: Option<&Shown>,
) -> Response {
    let body = format!(
        "<form method=\"post\" action=\"{a}\">\
         <p class=\"hint\">Enter your {what} below and we will send a message to reset your \
         password.</p>\
         <label for=\"username\">{label}</label>\
         <input id=\"username\" name=\"username\" autocomplete=\"username\" value=\"{u}\" \
         required>{e}\
         <button type=\"submit\" name=\"reset_my_password\">Reset my password</button></form>\
         <p class=\"links\"><a id=\"signInLink\" href=\"{login}\">Back to sign in</a></p>",
        a = action("/forgotPassword", query),
        what = username_label(&req.pool).to_lowercase(),
        label = username_label(&req.pool),
        u = html_escape(username),
        e = Shown::at(err, Some("username")),
        login = action("/login", query),
    );
    card(StatusCode::OK, &req.look, "Forgot your password?", &body)
}

/// `GET /forgotPassword`: the username form.
pub async fn forgot_password_page(Hosted { req, query }: Hosted) -> Response {
    forgot_form(&req, &query, "", None)
}

/// `POST /forgotPassword`: ForgotPassword (the code goes out as the API sends it), then the page
/// for the code and the new password.
pub async fn forgot_password(
    State(app): State<App>,
    Hosted { req, query }: Hosted,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let username = field(&form, "username");
    match send_reset_code(&app, &req, &username).await {
        Ok(details) => {
            let hint = reset_hint(details.as_ref());
            reset_form(&req, &query, &username, &hint, None)
        }
        Err(e) if e.status().is_server_error() => server_error(&req, e),
        Err(e) => forgot_form(
            &req,
            &query,
            &username,
            Some(&Shown::of(&e, Some("username"))),
        ),
    }
}

/// ForgotPassword for the user of a reset page: where the code went.
async fn send_reset_code(
    app: &App,
    req: &AuthorizeRequest,
    username: &str,
) -> Result<Option<CodeDeliveryDetailsType>, ApiError> {
    let request = ForgotPasswordRequest {
        client_id: Some(req.client.id().to_string()),
        secret_hash: secret_hash(req, username),
        username: Some(username.to_string()),
        ..Default::default()
    };
    check_input("ForgotPassword", &request)?;
    let ctx = op_ctx(app, "ForgotPassword", req, None);
    let r = crate::ops::account::forgot_password(ctx, request).await?;
    Ok(r.code_delivery_details)
}

fn reset_hint(details: Option<&CodeDeliveryDetailsType>) -> String {
    match details.and_then(|d| Some((d.delivery_medium.as_deref()?, d.destination.as_deref()?))) {
        Some((medium, destination)) => format!(
            "We have sent a password reset code by {} to {destination}. Enter it below to reset \
             your password.",
            if medium == "SMS" { "SMS" } else { "email" }
        ),
        None => "Enter the password reset code we sent you and a new password.".to_string(),
    }
}

fn reset_form(
    req: &AuthorizeRequest,
    query: &str,
    username: &str,
    hint: &str,
    err: Option<&Shown>,
) -> Response {
    let body = format!(
        "<form method=\"post\" action=\"{a}\">{user}\
         <p class=\"hint\" id=\"hint\">{hint}</p>\
         <label for=\"code\">Code</label>\
         <input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" \
         autocomplete=\"one-time-code\" required>{ce}\
         <label for=\"password\">New password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" \
         required>{pe}{policy}{general}\
         <button type=\"submit\" name=\"reset_password\">Change password</button>\
         <button class=\"secondary\" type=\"submit\" name=\"resend\" value=\"1\" \
         id=\"resendCode\" formnovalidate>Send a new code</button></form>",
        a = action("/confirmForgotPassword", query),
        user = hidden("username", username),
        hint = html_escape(hint),
        ce = Shown::at(err, Some("code")),
        pe = Shown::at(err, Some("password")),
        policy = policy_hint(&req.pool),
        general = Shown::at(err, None),
    );
    card(StatusCode::OK, &req.look, "Reset your password", &body)
}

/// `POST /confirmForgotPassword`: ConfirmForgotPassword, then the sign-in form with a note.
pub async fn confirm_forgot_password(
    State(app): State<App>,
    Hosted { req, query }: Hosted,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let username = field(&form, "username");
    if form.contains_key("resend") {
        // "Send a new code": ForgotPassword again, as the first page ran it.
        return match send_reset_code(&app, &req, &username).await {
            Ok(details) => reset_form(&req, &query, &username, &reset_hint(details.as_ref()), None),
            Err(e) if e.status().is_server_error() => server_error(&req, e),
            Err(e) => reset_form(
                &req,
                &query,
                &username,
                &reset_hint(None),
                Some(&Shown::of(&e, None)),
            ),
        };
    }
    let request = ConfirmForgotPasswordRequest {
        client_id: Some(req.client.id().to_string()),
        secret_hash: secret_hash(&req, &username),
        username: Some(username.clone()),
        confirmation_code: Some(field(&form, "code")),
        password: Some(form.get("password").cloned().unwrap_or_default()),
        ..Default::default()
    };
    let result = match check_input("ConfirmForgotPassword", &request) {
        Ok(()) => {
            let ctx = op_ctx(&app, "ConfirmForgotPassword", &req, None);
            crate::ops::account::confirm_forgot_password(ctx, request).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => login_form_noted(
            &req,
            &query,
            None,
            Some("Your password has been reset. Sign in with your new password."),
        ),
        Err(e) if e.status().is_server_error() => server_error(&req, e),
        Err(e) => {
            let message = e.message.clone().unwrap_or_default();
            let place = match e.code {
                "InvalidPasswordException" => Some("password"),
                "CodeMismatchException" | "ExpiredCodeException" => Some("code"),
                _ if message.contains("at 'password'") => Some("password"),
                _ if message.contains("at 'confirmationCode'") => Some("code"),
                _ => None,
            };
            reset_form(
                &req,
                &query,
                &username,
                &reset_hint(None),
                Some(&Shown::of(&e, place)),
            )
        }
    }
}

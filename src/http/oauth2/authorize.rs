//! The hosted UI: `GET /oauth2/authorize`, `GET`/`POST /login`, `GET /logout`, `GET /error`
//! (Cognito Developer Guide, "Authorize endpoint", "Login endpoint" and "Logout endpoint").
//!
//! `/login` signs in with the password sign-in of `ops::auth` (same decision order, lock-out,
//! triggers) and keeps a 1-hour session cookie per pool; a live cookie lets `/oauth2/authorize`
//! skip the form. The challenges after the password are the pages of `hosted`.

use super::token::{code_hash, sign_in};
use super::{
    allowed_scopes, allows_oauth_flow, client_and_pool, cookie, encode_form, html_escape,
    parse_form, redirect, session_cookie_name, with_query,
};
use crate::domain::client::ClientExt;
use crate::domain::pool::PoolExt;
use crate::domain::records::UserRecord;
use crate::domain::records::{OAuthCode, OAuthSession};
use crate::error::ApiError;
use crate::model::shapes::{IdentityProviderType, UserPoolClientType, UserPoolType};
use crate::ops::auth::hosted_password;
use crate::state::{App, Ctx, RequestBase};
use crate::tokens::OAuthGrant;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::collections::HashMap;
use std::sync::Arc;

/// Authorization codes live 5 minutes [DG authorize endpoint].
const CODE_SECONDS: f64 = 300.0;
/// The hosted UI's session cookie lives 1 hour [DG quotas].
const SESSION_SECONDS: f64 = 3600.0;
/// Scopes that only make sense with `openid`.
const OIDC_SCOPES: [&str; 3] = ["email", "phone", "profile"];

/// A validated authorize (or /login) request.
pub(super) struct AuthorizeRequest {
    pub(super) client: Arc<UserPoolClientType>,
    pub(super) pool: Arc<UserPoolType>,
    /// `code` or `token`.
    pub(super) response_type: String,
    pub(super) redirect_uri: String,
    pub(super) state: Option<String>,
    /// The granted scopes, space-separated.
    pub(super) scope: String,
    pub(super) nonce: Option<String>,
    pub(super) code_challenge: Option<String>,
    /// Forces the form even with a live session.
    pub(super) prompt_login: bool,
    /// `identity_provider` / `idp_identifier`: sign in through that provider of the pool.
    pub(super) identity_provider: Option<IdentityProviderType>,
    /// The base URL the request arrived under (`state::RequestBase`): tokens issued here name it.
    pub(super) base_url: Option<Arc<str>>,
    /// What every page of this request shows: the app's name, `lang`, the pool's branding.
    pub(super) look: super::hosted::Look,
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    super::hosted::card(status, &super::hosted::Look::default(), title, body)
}

pub(super) fn error_text(message: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "An error was encountered with the requested page.",
        &format!("<p id=\"error\">{}</p>", html_escape(message)),
    )
}

/// `GET /error`: where a request that cannot go back to its redirect_uri ends.
pub async fn error_page(RawQuery(query): RawQuery) -> Response {
    let q = parse_form(query.unwrap_or_default().as_bytes());
    let error = q
        .get("error")
        .map(String::as_str)
        .unwrap_or("invalid_request");
    error_text(error)
}

/// An error that goes back to the app: `redirect_uri?error=...&state=...`.
pub(super) fn error_redirect(redirect_uri: &str, state: Option<&str>, error: &str) -> Response {
    let mut pairs = vec![("error", error)];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    redirect(&with_query(redirect_uri, &encode_form(pairs)))
}

/// The scopes an authorize request gets: the requested ones the client allows (unknown ones
/// ignored), all the client's scopes when none are asked for; None = invalid_scope (nothing
/// left, or `email`/`phone`/`profile` without `openid` **[B]**).
fn user_scopes(client: &UserPoolClientType, requested: Option<&str>) -> Option<String> {
    let allowed = allowed_scopes(client);
    let wanted: Vec<String> = match requested.map(str::trim).filter(|s| !s.is_empty()) {
        Some(r) => r
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        None => allowed.clone(),
    };
    let mut out: Vec<String> = Vec::new();
    for s in wanted {
        if allowed.contains(&s) && !out.contains(&s) {
            out.push(s);
        }
    }
    let openid = out.iter().any(|s| s == "openid");
    if out.is_empty() || (!openid && out.iter().any(|s| OIDC_SCOPES.contains(&s.as_str()))) {
        return None;
    }
    Some(out.join(" "))
}

pub(super) async fn validate(
    app: &App,
    q: &HashMap<String, String>,
    base: Option<Extension<RequestBase>>,
) -> Result<AuthorizeRequest, Response> {
    let get = |k: &str| q.get(k).filter(|v| !v.is_empty()).cloned();
    let client_id = get("client_id").unwrap_or_default();
    let Some((client, pool)) = client_and_pool(app, &client_id).await? else {
        return Err(error_text("Invalid client id."));
    };
    let registered = |uri: &str| {
        client
            .callback_urls
            .as_ref()
            .is_some_and(|urls| urls.iter().any(|u| u == uri))
    };
    let Some(redirect_uri) = get("redirect_uri").filter(|u| registered(u)) else {
        // [B] Cognito's own error page for an unregistered redirect_uri.
        return Err(redirect(&format!(
            "/error?{}",
            encode_form([("error", "redirect_mismatch"), ("client_id", client.id())])
        )));
    };
    let state = get("state");
    let fail = |error: &str| error_redirect(&redirect_uri, state.as_deref(), error);
    let response_type = get("response_type").unwrap_or_default();
    let flow = match response_type.as_str() {
        "code" => "code",
        "token" => "implicit",
        _ => return Err(fail("invalid_request")),
    };
    if !allows_oauth_flow(&client, flow) {
        return Err(fail("unauthorized_client"));
    }
    let identity_provider = match (
        get("identity_provider").filter(|p| p != "COGNITO"),
        get("idp_identifier"),
    ) {
        (None, None) => None,
        (name, identifier) => {
            match super::federation::requested_provider(
                app,
                &pool,
                &client,
                name.as_deref(),
                identifier.as_deref(),
            )
            .await
            {
                Ok(p) => Some(p),
                Err(description) => {
                    return Err(super::federation::error_redirect_described(
                        &redirect_uri,
                        state.as_deref(),
                        "invalid_request",
                        &description,
                    ))
                }
            }
        }
    };
    let code_challenge = get("code_challenge");
    match (&code_challenge, get("code_challenge_method").as_deref()) {
        (None, None) | (Some(_), Some("S256")) => {}
        // Only S256 (Cognito Developer Guide, "Authorize endpoint"); a method without a challenge
        // is as malformed.
        _ => return Err(fail("invalid_request")),
    }
    let Some(scope) = user_scopes(&client, get("scope").as_deref()) else {
        return Err(fail("invalid_scope"));
    };
    let look = super::hosted::Look::of(app, &pool, &client, get("lang").as_deref())
        .await
        .map_err(|e| ApiError::from(e).into_response())?;
    Ok(AuthorizeRequest {
        client,
        pool,
        response_type,
        redirect_uri,
        state,
        scope,
        nonce: get("nonce"),
        code_challenge,
        prompt_login: get("prompt").is_some_and(|p| p.split(' ').any(|x| x == "login")),
        identity_provider,
        base_url: base.map(|Extension(RequestBase(b))| b),
        look,
    })
}

/// A hosted-UI request whose OAuth parameters checked out ([`validate`]), with its raw query
/// (the pages post back to the same query). The one place the pages' handlers start: a request
/// that does not check out gets the page or redirect `validate` answers.
pub struct Hosted {
    pub(super) req: AuthorizeRequest,
    pub(super) query: String,
}

impl FromRequestParts<App> for Hosted {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let query = parts.uri.query().unwrap_or_default().to_string();
        let base = parts
            .extensions
            .get::<RequestBase>()
            .cloned()
            .map(Extension);
        let req = validate(app, &parse_form(query.as_bytes()), base).await?;
        Ok(Hosted { req, query })
    }
}

/// The user of a live session cookie for the request's pool.
pub(super) async fn session_user(
    app: &App,
    headers: &HeaderMap,
    pool: &UserPoolType,
) -> Result<Option<(UserRecord, i64)>, ApiError> {
    let Some(value) = cookie(headers, &session_cookie_name(pool.pool_id())) else {
        return Ok(None);
    };
    let Some(s) = app.store.get_oauth_session(&code_hash(&value)).await? else {
        return Ok(None);
    };
    if s.pool_id != pool.pool_id() || app.clock.epoch() >= s.expires_at {
        return Ok(None);
    }
    Ok(app
        .store
        .get_user_by_sub(pool.pool_id(), &s.sub)
        .await?
        .filter(|u| u.enabled)
        .map(|u| (u, s.auth_time)))
}

/// Back to the app with a code (code grant) or the tokens in the fragment (implicit grant).
pub(super) async fn issue(
    app: &App,
    req: &AuthorizeRequest,
    user: &UserRecord,
    auth_time: i64,
) -> Result<Response, ApiError> {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let now = app.clock.epoch();
    let location = if req.response_type == "code" {
        let code = uuid::Uuid::new_v4().to_string();
        let record = OAuthCode {
            code_hash: code_hash(&code),
            pool_id: req.pool.pool_id().to_string(),
            client_id: req.client.id().to_string(),
            sub: user.sub.clone(),
            redirect_uri: req.redirect_uri.clone(),
            scope: req.scope.clone(),
            nonce: req.nonce.clone(),
            code_challenge: req.code_challenge.clone(),
            auth_time,
            expires_at: now + CODE_SECONDS,
            used_at: None,
        };
        app.store.insert_oauth_code(&record, now).await?;
        pairs.push(("code", code));
        if let Some(s) = &req.state {
            pairs.push(("state", s.clone()));
        }
        with_query(
            &req.redirect_uri,
            &encode_form(pairs.iter().map(|(k, v)| (*k, v.as_str()))),
        )
    } else {
        let grant = OAuthGrant {
            scope: &req.scope,
            nonce: req.nonce.as_deref(),
        };
        // No refresh token in the implicit grant [DG].
        let result = sign_in(
            &super::token::hosted_ctx(app, req.base_url.clone()),
            &req.pool,
            &req.client,
            user,
            auth_time,
            &grant,
            false,
        )
        .await?;
        if let Some(a) = result.access_token {
            pairs.push(("access_token", a));
        }
        if let Some(i) = result.id_token {
            pairs.push(("id_token", i));
        }
        pairs.push(("token_type", "Bearer".into()));
        let expires = result.expires_in.unwrap_or(3600).to_string();
        pairs.push(("expires_in", expires));
        if let Some(s) = &req.state {
            pairs.push(("state", s.clone()));
        }
        format!(
            "{}#{}",
            req.redirect_uri,
            encode_form(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        )
    };
    Ok(redirect(&location))
}

/// `GET /oauth2/authorize`: with a live session straight back to the app, else to `/login` with
/// the same parameters.
pub async fn authorize(
    State(app): State<App>,
    Hosted { req, query }: Hosted,
    headers: HeaderMap,
) -> Response {
    if let Some(provider) = &req.identity_provider {
        return super::federation::start(&app, &req, provider, &query).await;
    }
    if !req.prompt_login {
        match session_user(&app, &headers, &req.pool).await {
            Ok(Some((user, auth_time))) => {
                return issue(&app, &req, &user, auth_time)
                    .await
                    .unwrap_or_else(|e| server_error(&req, e))
            }
            Ok(None) => {}
            Err(e) => return server_error(&req, e),
        }
    }
    redirect(&format!("/login?{query}"))
}

pub(super) fn server_error(req: &AuthorizeRequest, e: ApiError) -> Response {
    let mut resp = error_redirect(&req.redirect_uri, req.state.as_deref(), "server_error");
    // Logged once, with the cause, by `http::log_errors`.
    let cause = e.cause.clone().unwrap_or_else(|| e.to_string());
    resp.extensions_mut()
        .insert(crate::error::InternalCause(cause));
    resp
}

pub(super) fn login_form(req: &AuthorizeRequest, query: &str, message: Option<&str>) -> Response {
    login_form_noted(req, query, message, None)
}

/// The sign-in form with a success `note` above it (after a sign-up or a password reset).
pub(super) fn login_form_noted(
    req: &AuthorizeRequest,
    query: &str,
    message: Option<&str>,
    note: Option<&str>,
) -> Response {
    let note = note
        .map(|n| {
            format!(
                "<p id=\"successMessage\" class=\"note\" role=\"status\">{}</p>",
                html_escape(n)
            )
        })
        .unwrap_or_default();
    let error = message
        .map(|m| {
            format!(
                "<p id=\"loginErrorMessage\" class=\"error\" role=\"alert\">{}</p>",
                html_escape(m)
            )
        })
        .unwrap_or_default();
    // One button per external provider the client enables (Cognito's managed login shows them
    // above the form); the form itself only when the client takes the pool's own users.
    let providers = req.client.supported_identity_providers.as_deref();
    let buttons: String = providers
        .unwrap_or_default()
        .iter()
        .filter(|p| p.as_str() != "COGNITO")
        .map(|p| {
            let choice = encode_form([("identity_provider", p.as_str())]);
            let href = if query.is_empty() {
                format!("/oauth2/authorize?{choice}")
            } else {
                format!("/oauth2/authorize?{query}&{choice}")
            };
            format!(
                "<a class=\"idp\" id=\"idp-{id}\" href=\"{href}\">Continue with {name}</a>",
                id = html_escape(p),
                href = html_escape(&href),
                name = html_escape(p)
            )
        })
        .collect();
    let native =
        providers.is_none_or(|list| list.is_empty() || list.iter().any(|p| p == "COGNITO"));
    if !native {
        return super::hosted::card(StatusCode::OK, &req.look, "Sign in", &buttons);
    }
    // Choice-based sign-in asks for the username alone; the factors follow (`hosted`).
    let (password, submit) = if super::hosted::choice_based(req) {
        ("", "Next")
    } else {
        (
            "<label for=\"password\">Password</label>\
             <input id=\"password\" name=\"password\" type=\"password\" \
             autocomplete=\"current-password\" required>",
            "Sign in",
        )
    };
    super::hosted::card(
        StatusCode::OK,
        &req.look,
        "Sign in",
        &format!(
            "{note}{buttons}<form method=\"post\" action=\"/login?{action}\">\
             <label for=\"username\">Username</label>\
             <input id=\"username\" name=\"username\" autocomplete=\"username\" required>\
             {password}{error}\
             <button type=\"submit\" name=\"signInSubmitButton\">{submit}</button></form>\
             <p class=\"links\"><a id=\"forgotPasswordLink\" href=\"/forgotPassword?{action}\">\
             Forgot your password?</a></p>{sign_up}",
            action = html_escape(query),
            password = password,
            submit = submit,
            sign_up = if super::selfservice::sign_up_allowed(&req.pool) {
                format!(
                    "<p class=\"links\">Need an account? <a id=\"signUpLink\" \
                     href=\"/signup?{}\">Sign up</a></p>",
                    html_escape(query)
                )
            } else {
                String::new()
            }
        ),
    )
}

/// `GET /login`: the sign-in form.
pub async fn login_page(Hosted { req, query }: Hosted) -> Response {
    login_form(&req, &query, None)
}

/// `POST /login`: the password sign-in, then a session cookie and the way back to the app.
pub async fn login(State(app): State<App>, Hosted { req, query }: Hosted, body: Bytes) -> Response {
    let form = parse_form(&body);
    let username = form.get("username").map(String::as_str).unwrap_or_default();
    let password = form.get("password").map(String::as_str).unwrap_or_default();
    if super::hosted::choice_based(&req) && !form.contains_key("password") {
        return choice_sign_in(&app, &req, &query, username).await;
    }
    if username.is_empty() || password.is_empty() {
        return login_form(&req, &query, Some("Username and password are required."));
    }
    // No device tracking in the hosted UI: the browser has no device key to prove.
    let pool = super::selfservice::hosted_pool(&req);
    let info = crate::state::RequestInfo {
        operation: "InitiateAuth".into(),
        auth_flow: Some("USER_PASSWORD_AUTH".into()),
        client_id: Some(req.client.id().to_string()),
        hosted_ui: true,
        ..Default::default()
    };
    let ctx = Ctx::new(&app, "InitiateAuth", info);
    match hosted_password(&ctx, &pool, &req.client, username, password).await {
        Ok(step) => super::hosted::step_page(&app, &req, &query, step).await,
        Err(e) if e.status().is_server_error() => server_error(&req, e),
        Err(e) if e.code == "UserNotConfirmedException" => {
            super::selfservice::confirm_after_sign_in(
                &app,
                &req,
                &query,
                username,
                Some(password),
                &e,
            )
            .await
        }
        Err(e) => login_form(&req, &query, Some(e.message.as_deref().unwrap_or(e.code))),
    }
}

/// The username step of choice-based sign-in: InitiateAuth USER_AUTH through `ops::auth`, then
/// the SELECT_CHALLENGE page with the factors this user can use.
async fn choice_sign_in(
    app: &App,
    req: &AuthorizeRequest,
    query: &str,
    username: &str,
) -> Response {
    if username.is_empty() {
        return login_form(req, query, Some("Username is required."));
    }
    let info = crate::state::RequestInfo {
        operation: "InitiateAuth".into(),
        auth_flow: Some("USER_AUTH".into()),
        client_id: Some(req.client.id().to_string()),
        hosted_ui: true,
        ..Default::default()
    };
    let ctx = Ctx::new(app, "InitiateAuth", info);
    let secret_hash = super::selfservice::secret_hash(req, username);
    match crate::ops::auth::hosted_choice(&ctx, req.client.id(), username, secret_hash).await {
        Ok(step) => super::hosted::step_page(app, req, query, step).await,
        Err(e) if e.status().is_server_error() => server_error(req, e),
        // No password yet: after the code, ConfirmSignUp's session signs the user in (USER_AUTH).
        Err(e) if e.code == "UserNotConfirmedException" => {
            super::selfservice::confirm_after_sign_in(app, req, query, username, None, &e).await
        }
        Err(e) => login_form(req, query, Some(e.message.as_deref().unwrap_or(e.code))),
    }
}

/// A finished sign-in: the hosted UI's session cookie and the way back to the app (through the
/// passkey prompt, when it applies: `hosted::passkey_prompt`).
pub(super) async fn finish(
    app: &App,
    req: &AuthorizeRequest,
    query: &str,
    user: &UserRecord,
) -> Response {
    finish_with(app, req, Some(query), user).await
}

/// [`finish`]; `prompt_query` None: straight back to the app (a federated sign-in, whose user
/// has no password to replace with a passkey).
pub(super) async fn finish_with(
    app: &App,
    req: &AuthorizeRequest,
    prompt_query: Option<&str>,
    user: &UserRecord,
) -> Response {
    let now = app.clock.epoch();
    let auth_time = app.clock.unix();
    let session_id = crate::util::random_token(32);
    let session = OAuthSession {
        pool_id: req.pool.pool_id().to_string(),
        sub: user.sub.clone(),
        auth_time,
        expires_at: now + SESSION_SECONDS,
    };
    if let Err(e) = app
        .store
        .insert_oauth_session(&code_hash(&session_id), &session, now)
        .await
    {
        return server_error(req, e.into());
    }
    let prompt = match prompt_query {
        Some(query) => match super::hosted::passkey_prompt(app, req, query, user).await {
            Ok(p) => p,
            Err(e) => return server_error(req, e),
        },
        None => None,
    };
    let mut response = match prompt {
        Some(page) => page,
        None => match issue(app, req, user, auth_time).await {
            Ok(r) => r,
            Err(e) => return server_error(req, e),
        },
    };
    let cookie = format!(
        "{}={session_id}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax",
        session_cookie_name(req.pool.pool_id()),
        SESSION_SECONDS as i64
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// `GET /logout`: ends the hosted UI session; back to `logout_uri` (one of the client's
/// LogoutURLs), or with `redirect_uri` + `response_type` to the sign-in page [DG logout endpoint].
pub async fn logout(
    State(app): State<App>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let q = parse_form(query.unwrap_or_default().as_bytes());
    let get = |k: &str| q.get(k).filter(|v| !v.is_empty()).cloned();
    let client_id = get("client_id").unwrap_or_default();
    let (client, pool) = match client_and_pool(&app, &client_id).await {
        Ok(Some(found)) => found,
        Ok(None) => return error_text("Invalid client id."),
        Err(r) => return r,
    };
    let location = if let Some(uri) = get("logout_uri") {
        if !client
            .logout_urls
            .as_ref()
            .is_some_and(|urls| urls.contains(&uri))
        {
            return error_text("redirect_mismatch");
        }
        uri
    } else if let (Some(uri), Some(_)) = (get("redirect_uri"), get("response_type")) {
        if !client
            .callback_urls
            .as_ref()
            .is_some_and(|urls| urls.contains(&uri))
        {
            return error_text("redirect_mismatch");
        }
        let keep = [
            "client_id",
            "redirect_uri",
            "response_type",
            "state",
            "scope",
            "lang",
        ];
        let pairs = keep
            .iter()
            .filter_map(|k| q.get(*k).map(|v| (*k, v.as_str())));
        format!("/login?{}", encode_form(pairs))
    } else {
        return error_text("Required parameter logout_uri or redirect_uri is missing.");
    };
    let name = session_cookie_name(pool.pool_id());
    if let Some(value) = cookie(&headers, &name) {
        if let Err(e) = app.store.delete_oauth_session(&code_hash(&value)).await {
            return ApiError::from(e).into_response();
        }
    }
    let mut response = redirect(&location);
    let clear = format!("{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&clear) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

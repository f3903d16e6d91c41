//! Federated sign-in through the hosted UI (Cognito Developer Guide, "Adding user pool sign-in
//! through a third party" and "IdP response endpoint"), with the emulator's stand-in provider.
//!
//! `/oauth2/authorize?identity_provider=NAME` (or `idp_identifier=...`) keeps the app's request
//! under a random `state` and sends the browser to the provider. Every provider of a pool (Google,
//! Facebook, SignInWithApple, LoginWithAmazon, OIDC, SAML) is played by the emulator itself:
//!
//! - `GET /_emulator/idp/{userPoolId}/{providerName}/authorize?state=...` is its "sign in to NAME
//!   (emulated)" page, where the tester types the subject and the claims the provider sends, or
//!   denies consent;
//! - `POST /_emulator/idp/{userPoolId}/{providerName}/next` with `{"sub", "claims"}` sets the
//!   identity the next authorization through that provider signs in as, so the page answers at
//!   once with a redirect and scripts need no browser.
//!
//! The provider answers at `/oauth2/idpresponse` with a code (or an `error`) and the `state`; from
//! there the path is Cognito's: the user is created or updated (`ops::auth::federated`), the
//! hosted UI's session starts and the app gets its code or tokens.

use super::authorize::{error_text, finish_with, validate, AuthorizeRequest};
use super::{encode_form, html_escape, parse_form, redirect, with_query};
use crate::domain::client::ClientExt;
use crate::domain::pool::PoolExt;
use crate::model::shapes::{IdentityProviderType, UserPoolClientType, UserPoolType};
use crate::ops::auth::federated::{self, ExternalIdentity};
use crate::state::{App, Ctx, MockCode, MockIdentity, PendingFederation, RequestBase, RequestInfo};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Map, Value};

/// How long the provider may take to answer, and its code to be used [B: Cognito's own limits
/// are not documented; these are generous for a person at a form].
const PENDING_SECONDS: f64 = 600.0;
const CODE_SECONDS: f64 = 300.0;
/// The longest subject the stand-in provider takes (the model's ProviderAttributeValue allows
/// far more; a user name of `<ProviderName>_<subject>` must stay within Username's 128).
const MAX_SUBJECT: usize = 95;

/// The stand-in provider's endpoints, under `/_emulator`.
pub fn emulator_router() -> Router<App> {
    Router::new()
        .route(
            "/idp/{pool_id}/{provider}/authorize",
            get(provider_page).post(provider_answer),
        )
        .route(
            "/idp/{pool_id}/{provider}/next",
            axum::routing::post(set_next),
        )
}

/// The provider an authorize request names: by name (`identity_provider`) or by one of its
/// IdpIdentifiers (`idp_identifier`), and enabled for the app client. Err is the
/// `error_description` the app gets [B: Cognito's texts for these are not on record].
pub async fn requested_provider(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    name: Option<&str>,
    identifier: Option<&str>,
) -> Result<IdentityProviderType, String> {
    let found = match (name, identifier) {
        (Some(name), _) => app.store.get_identity_provider(pool.pool_id(), name).await,
        (None, Some(id)) => {
            app.store
                .get_identity_provider_by_identifier(pool.pool_id(), id)
                .await
        }
        (None, None) => Ok(None),
    };
    let provider = match found {
        Ok(Some(p)) => p,
        Ok(None) => {
            return Err(format!(
                "The identity provider {} does not exist for this user pool.",
                name.or(identifier).unwrap_or_default()
            ))
        }
        Err(e) => return Err(format!("internal error: {e}")),
    };
    let provider_name = provider.provider_name.clone().unwrap_or_default();
    let enabled = client
        .supported_identity_providers
        .as_ref()
        .is_some_and(|list| list.contains(&provider_name));
    if !enabled {
        return Err(format!(
            "The identity provider {provider_name} is not enabled for the app client {}.",
            client.id()
        ));
    }
    Ok(provider)
}

/// `redirect_uri?error=...&error_description=...&state=...`, how Cognito reports a federation
/// that failed (e.g. `error_description=PreSignUp failed with error ...&error=invalid_request`).
pub fn error_redirect_described(
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> Response {
    let mut pairs = vec![("error_description", description), ("error", error)];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    redirect(&with_query(redirect_uri, &encode_form(pairs)))
}

/// `/oauth2/authorize` with a provider: keep the request and go to the provider (a real OIDC
/// provider the emulator can reach, else the stand-in).
pub(super) async fn start(
    app: &App,
    req: &super::authorize::AuthorizeRequest,
    provider: &IdentityProviderType,
    query: &str,
) -> Response {
    // The request replayed at /oauth2/idpresponse is the app's, without the provider choice.
    let replay: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k != "identity_provider" && k != "idp_identifier")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let authorize_query = encode_form(replay.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let provider_name = provider.provider_name.clone().unwrap_or_default();
    let state = crate::util::random_token(32);
    let upstream = super::oidc::endpoints(provider).await;
    let pending = PendingFederation {
        pool_id: req.pool.pool_id().to_string(),
        provider_name: provider_name.clone(),
        authorize_query,
        expires_at: app.clock.epoch() + PENDING_SECONDS,
        upstream: upstream.clone(),
    };
    if let Ok(mut map) = app.federation.pending.lock() {
        let now = app.clock.epoch();
        map.retain(|_, p| p.expires_at > now);
        map.insert(state.clone(), pending);
    }
    if let Some(endpoints) = &upstream {
        return redirect(&super::oidc::authorize_url(
            endpoints,
            provider,
            &idp_response_url(app, req),
            &state,
        ));
    }
    redirect(&format!(
        "/_emulator/idp/{}/{}/authorize?{}",
        path_segment(req.pool.pool_id()),
        path_segment(&provider_name),
        encode_form([("state", state.as_str())])
    ))
}

/// Where providers send the browser back: this emulator's `/oauth2/idpresponse`, under the base
/// URL the app's request used.
fn idp_response_url(app: &App, req: &AuthorizeRequest) -> String {
    format!(
        "{}/oauth2/idpresponse",
        app.base_url(req.base_url.as_deref())
    )
}

fn path_segment(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn bad_request(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": message.into() })),
    )
        .into_response()
}

fn not_found(message: impl Into<String>) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": message.into() })),
    )
        .into_response()
}

/// The provider of a pool, or a 404 naming what is missing.
async fn pool_provider(
    app: &App,
    pool_id: &str,
    provider: &str,
) -> Result<IdentityProviderType, Response> {
    match app.store.get_pool(pool_id).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(not_found(format!("User pool {pool_id} does not exist."))),
        Err(e) => return Err(crate::error::ApiError::from(e).into_response()),
    }
    match app.store.get_identity_provider(pool_id, provider).await {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(not_found(format!(
            "Identity provider {provider} does not exist in user pool {pool_id}."
        ))),
        Err(e) => Err(crate::error::ApiError::from(e).into_response()),
    }
}

/// A subject and claims from a script or the page; Err is the 400 text.
fn identity_from(sub: Option<&Value>, claims: Option<&Value>) -> Result<MockIdentity, String> {
    let subject = match sub {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::String(_)) | None => return Err("sub is required".into()),
        Some(_) => return Err("sub must be a string".into()),
    };
    if subject.chars().count() > MAX_SUBJECT {
        return Err(format!("sub must be at most {MAX_SUBJECT} characters"));
    }
    if subject.chars().any(char::is_control) {
        return Err("sub must not contain control characters".into());
    }
    let mut claims = match claims {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err("claims must be an object".into()),
    };
    claims.insert("sub".into(), Value::String(subject.clone()));
    Ok(MockIdentity { subject, claims })
}

/// `POST /_emulator/idp/{userPoolId}/{providerName}/next`.
async fn set_next(
    State(app): State<App>,
    Path((pool_id, provider)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let body: Value = match serde_json::from_slice(&body) {
        Ok(Value::Object(m)) => Value::Object(m),
        Ok(_) => return bad_request("the body must be a JSON object {\"sub\", \"claims\"}"),
        Err(e) => return bad_request(format!("the body is not JSON: {e}")),
    };
    if let Some(k) = body
        .as_object()
        .and_then(|m| m.keys().find(|k| *k != "sub" && *k != "claims"))
    {
        return bad_request(format!("unknown field {k} (known: sub, claims)"));
    }
    let identity = match identity_from(body.get("sub"), body.get("claims")) {
        Ok(i) => i,
        Err(m) => return bad_request(m),
    };
    if let Err(r) = pool_provider(&app, &pool_id, &provider).await {
        return r;
    }
    let answer = json!({
        "userPoolId": pool_id,
        "providerName": provider,
        "sub": identity.subject,
        "claims": identity.claims,
    });
    if let Ok(mut next) = app.federation.next.lock() {
        next.insert((pool_id, provider), identity);
    }
    (StatusCode::OK, Json(answer)).into_response()
}

/// The sign-in this `state` belongs to, if it is for this pool and provider and still waiting.
fn pending(app: &App, state: &str, pool_id: &str, provider: &str) -> Option<PendingFederation> {
    let now = app.clock.epoch();
    let map = app.federation.pending.lock().ok()?;
    map.get(state)
        .filter(|p| p.pool_id == pool_id && p.provider_name == provider && p.expires_at > now)
        .cloned()
}

/// Back to Cognito's IdP response endpoint with a code for `identity`.
fn answer_with(app: &App, p: &PendingFederation, state: &str, identity: MockIdentity) -> Response {
    let code = crate::util::random_token(32);
    if let Ok(mut codes) = app.federation.codes.lock() {
        let now = app.clock.epoch();
        codes.retain(|_, c| c.expires_at > now);
        codes.insert(
            code.clone(),
            MockCode {
                pool_id: p.pool_id.clone(),
                provider_name: p.provider_name.clone(),
                identity,
                expires_at: now + CODE_SECONDS,
            },
        );
    }
    redirect(&format!(
        "/oauth2/idpresponse?{}",
        encode_form([("code", code.as_str()), ("state", state)])
    ))
}

/// `GET /_emulator/idp/{userPoolId}/{providerName}/authorize`: the preset identity at once, else
/// the page.
async fn provider_page(
    State(app): State<App>,
    Path((pool_id, provider)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let q = parse_form(query.unwrap_or_default().as_bytes());
    let state = q.get("state").cloned().unwrap_or_default();
    let Some(p) = pending(&app, &state, &pool_id, &provider) else {
        return error_text("The sign-in through this provider has expired or is unknown.");
    };
    let preset = app
        .federation
        .next
        .lock()
        .ok()
        .and_then(|mut next| next.remove(&(pool_id.clone(), provider.clone())));
    if let Some(identity) = preset {
        return answer_with(&app, &p, &state, identity);
    }
    provider_form(&provider, &state, None)
}

fn provider_form(provider: &str, state: &str, error: Option<&str>) -> Response {
    let error = error
        .map(|m| format!("<p id=\"error\" role=\"alert\">{}</p>", html_escape(m)))
        .unwrap_or_default();
    let title = format!("Sign in to {provider} (emulated)");
    let field = |name: &str, label: &str, kind: &str| {
        format!(
            "<label>{label}<br><input name=\"{name}\" id=\"{name}\" type=\"{kind}\"></label><br>"
        )
    };
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><style>body{{font-family:sans-serif;max-width:28rem;margin:2rem auto;\
         padding:0 1rem}}input:not([type=checkbox]),textarea{{width:100%;box-sizing:border-box;\
         margin:.2rem 0 .8rem}}\
         #error{{color:#b00020}}</style></head><body><h1>{t}</h1>\
         <p>This page stands in for the identity provider. Type the identity it should answer \
         with.</p>{error}<form method=\"post\">\
         <input type=\"hidden\" name=\"state\" value=\"{state}\">\
         <label>Subject (sub)<br><input name=\"sub\" id=\"sub\" required></label><br>\
         {email}{name}{picture}\
         <label><input type=\"checkbox\" name=\"email_verified\" id=\"email_verified\" \
         value=\"true\"> email_verified</label><br>\
         <label>More claims (JSON object)<br><textarea name=\"claims\" id=\"claims\" rows=\"3\">\
         </textarea></label><br>\
         <button type=\"submit\" name=\"action\" value=\"signin\" id=\"signin\">Sign in</button> \
         <button type=\"submit\" name=\"action\" value=\"deny\" id=\"deny\" formnovalidate>\
         Deny</button></form></body></html>\n",
        t = html_escape(&title),
        state = html_escape(state),
        email = field("email", "email", "email"),
        name = field("name", "name", "text"),
        picture = field("picture", "picture", "url"),
    );
    (StatusCode::OK, Html(html)).into_response()
}

/// `POST /_emulator/idp/{userPoolId}/{providerName}/authorize`: the page's answer.
async fn provider_answer(
    State(app): State<App>,
    Path((pool_id, provider)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let state = form.get("state").cloned().unwrap_or_default();
    let Some(p) = pending(&app, &state, &pool_id, &provider) else {
        return error_text("The sign-in through this provider has expired or is unknown.");
    };
    if form.get("action").map(String::as_str) == Some("deny") {
        return redirect(&format!(
            "/oauth2/idpresponse?{}",
            encode_form([
                ("error", "access_denied"),
                ("error_description", "The user denied the request."),
                ("state", state.as_str()),
            ])
        ));
    }
    let mut claims = match form
        .get("claims")
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
    {
        None => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => m,
            _ => {
                return provider_form(
                    &provider,
                    &state,
                    Some("More claims must be a JSON object."),
                )
            }
        },
    };
    for k in ["email", "name", "picture"] {
        if let Some(v) = form.get(k).filter(|v| !v.is_empty()) {
            claims.insert(k.into(), Value::String(v.clone()));
        }
    }
    if form.contains_key("email_verified") {
        claims.insert("email_verified".into(), Value::Bool(true));
    }
    let sub = form.get("sub").map(|s| Value::String(s.clone()));
    match identity_from(sub.as_ref(), Some(&Value::Object(claims))) {
        Ok(identity) => answer_with(&app, &p, &state, identity),
        Err(m) => provider_form(&provider, &state, Some(&m)),
    }
}

/// `GET /oauth2/idpresponse`: the provider's answer, then Cognito's path back to the app.
pub async fn idp_response(
    State(app): State<App>,
    RawQuery(query): RawQuery,
    base: Option<Extension<RequestBase>>,
) -> Response {
    let q = parse_form(query.unwrap_or_default().as_bytes());
    let state = q.get("state").cloned().unwrap_or_default();
    let taken = app
        .federation
        .pending
        .lock()
        .ok()
        .and_then(|mut map| map.remove(&state));
    let now = app.clock.epoch();
    let Some(p) = taken.filter(|p| p.expires_at > now) else {
        // Without a known state there is no app to go back to [B: Cognito's page text].
        return error_text("Invalid state.");
    };
    let req = match validate(&app, &parse_form(p.authorize_query.as_bytes()), base).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let app_state = req.state.as_deref();
    if let Some(error) = q.get("error") {
        let description = q
            .get("error_description")
            .cloned()
            .unwrap_or_else(|| error.clone());
        return error_redirect_described(&req.redirect_uri, app_state, error, &description);
    }
    let code = q.get("code").cloned().unwrap_or_default();
    if let Some(endpoints) = &p.upstream {
        return upstream_answer(&app, &req, &p, endpoints, &code).await;
    }
    let mock = app
        .federation
        .codes
        .lock()
        .ok()
        .and_then(|mut codes| codes.remove(&code))
        .filter(|c| {
            c.pool_id == p.pool_id && c.provider_name == p.provider_name && c.expires_at > now
        });
    let Some(mock) = mock else {
        return error_redirect_described(
            &req.redirect_uri,
            app_state,
            "invalid_request",
            "The identity provider's code is invalid or has expired.",
        );
    };
    let identity = ExternalIdentity {
        subject: mock.identity.subject,
        claims: mock.identity.claims,
    };
    finish(&app, &req, &p, identity).await
}

/// The provider of a pending sign-in, or the redirect that reports it gone.
async fn provider_of(
    app: &App,
    req: &AuthorizeRequest,
    p: &PendingFederation,
) -> Result<IdentityProviderType, Response> {
    match app
        .store
        .get_identity_provider(&p.pool_id, &p.provider_name)
        .await
    {
        Ok(Some(provider)) => Ok(provider),
        Ok(None) => Err(error_redirect_described(
            &req.redirect_uri,
            req.state.as_deref(),
            "invalid_request",
            &format!(
                "The identity provider {} no longer exists.",
                p.provider_name
            ),
        )),
        Err(e) => Err(super::authorize::server_error(req, e.into())),
    }
}

/// A real OIDC provider's code: exchanged and verified, then the same path as the stand-in's.
async fn upstream_answer(
    app: &App,
    req: &AuthorizeRequest,
    p: &PendingFederation,
    endpoints: &crate::state::OidcEndpoints,
    code: &str,
) -> Response {
    let provider = match provider_of(app, req, p).await {
        Ok(provider) => provider,
        Err(r) => return r,
    };
    let claims = match super::oidc::identity(
        endpoints,
        &provider,
        code,
        &idp_response_url(app, req),
        app.clock.unix(),
    )
    .await
    {
        Ok(claims) => claims,
        Err(description) => {
            return error_redirect_described(
                &req.redirect_uri,
                req.state.as_deref(),
                "invalid_request",
                &description,
            )
        }
    };
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    finish(app, req, p, ExternalIdentity { subject, claims }).await
}

/// Cognito's part once the provider has said who the user is.
async fn finish(
    app: &App,
    req: &AuthorizeRequest,
    p: &PendingFederation,
    identity: ExternalIdentity,
) -> Response {
    let app_state = req.state.as_deref();
    let provider = match provider_of(app, req, p).await {
        Ok(provider) => provider,
        Err(r) => return r,
    };
    let info = RequestInfo {
        operation: "HostedAuth".into(),
        client_id: Some(req.client.id().to_string()),
        ..Default::default()
    };
    let ctx = Ctx::new(app, "HostedAuth", info);
    match federated::sign_in(&ctx, &req.pool, &req.client, &provider, &identity).await {
        Ok(user) => finish_with(app, req, None, &user).await,
        Err(e) if e.status().is_server_error() => super::authorize::server_error(req, e),
        Err(e) => error_redirect_described(
            &req.redirect_uri,
            app_state,
            "invalid_request",
            e.message.as_deref().unwrap_or(e.code),
        ),
    }
}

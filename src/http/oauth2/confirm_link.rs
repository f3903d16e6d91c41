//! `GET /confirmUser?client_id=..&user_name=..&confirmation_code=..`: the link of a link-mode
//! sign-up email (`VerificationMessageTemplate.DefaultEmailOption` `CONFIRM_WITH_LINK`, API
//! Reference VerificationMessageTemplateType). Cognito serves this link on the pool's domain;
//! the emulator serves it on its own listener. Following it confirms the user exactly as
//! ConfirmSignUp does (same checks, code, PostConfirmation trigger) and shows a page.
//!
//! Only GET with a `confirmation_code` is this link; a hosted-UI sign-up page may answer POST on
//! the same path.

use super::authorize::error_text;
use super::{client_and_pool, parse_form};
use crate::domain::client::ClientExt;
use crate::domain::secret_hash;
use crate::model::shapes::ConfirmSignUpRequest;
use crate::state::{App, Ctx, RequestBase, RequestInfo};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;

pub async fn confirm_user(
    State(app): State<App>,
    base: Option<Extension<RequestBase>>,
    RawQuery(query): RawQuery,
) -> Response {
    let q = parse_form(query.unwrap_or_default().as_bytes());
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let (client_id, username, code) =
        (get("client_id"), get("user_name"), get("confirmation_code"));
    if client_id.is_empty() || username.is_empty() || code.is_empty() {
        return error_text("client_id, user_name and confirmation_code are required");
    }
    let client = match client_and_pool(&app, client_id).await {
        Ok(Some((client, _))) => client,
        Ok(None) => return error_text("Invalid client_id"),
        Err(r) => return r,
    };
    // The link stands for the app, which would send its SECRET_HASH: a client with a secret is
    // confirmed through the link all the same.
    let secret_hash = client
        .secret()
        .map(|secret| secret_hash::compute(secret, username, client_id));
    let info = RequestInfo {
        operation: "ConfirmSignUp".into(),
        client_id: Some(client_id.to_string()),
        base_url: base.map(|Extension(RequestBase(b))| b),
        ..Default::default()
    };
    let ctx = Ctx::new(&app, "ConfirmSignUp", info);
    let req = ConfirmSignUpRequest {
        client_id: Some(client_id.to_string()),
        username: Some(username.to_string()),
        confirmation_code: Some(code.to_string()),
        secret_hash,
        ..Default::default()
    };
    match crate::ops::users::confirm_sign_up(ctx, req).await {
        // The page's wording is the emulator's own [B].
        Ok(_) => super::hosted::card(
            StatusCode::OK,
            &super::hosted::Look {
                app_name: client.client_name.clone(),
                ..Default::default()
            },
            "Your registration has been confirmed!",
            "<p id=\"confirmed\">You can now sign in.</p>",
        ),
        Err(e) => error_text(e.message.as_deref().unwrap_or(e.code)),
    }
}

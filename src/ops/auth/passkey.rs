//! The WEB_AUTHN challenge inside a sign-in: its credential request options and the assertion
//! check. Passkey registration and listing are `ops::webauthn`.

use crate::crypto::webauthn::{self as wa, b64url, WebAuthnError};
use crate::domain::records::UserRecord;
use crate::error::{ApiError, ApiResult};
use crate::flow::session as flow_session;
use crate::flow::user_auth::{self as flow_ua, WebAuthnState};
use crate::flow::{Challenge, Env, Pending};
use crate::ops::common::descriptors;
use crate::ops::common::new_challenge;
use crate::ops::common::relying_party_id;
use crate::state::Ctx;
use serde_json::json;
use std::collections::BTreeMap;

/// The WEB_AUTHN challenge: CREDENTIAL_REQUEST_OPTIONS (a JSON *string*: API Reference,
/// RespondToAuthChallenge) naming the user's passkeys, valid as long as the session.
pub async fn sign_in_challenge(
    ctx: &Ctx,
    env: &Env<'_>,
    user: &UserRecord,
) -> ApiResult<Challenge> {
    let rp_id = relying_party_id(env.pool, env.pool_mfa);
    let uv_required = flow_ua::user_verification_required(env, user);
    let challenge = new_challenge();
    let timeout_ms = crate::domain::client::ClientExt::auth_session_seconds(env.client) * 1000;
    let options = json!({
        "hints": [],
        "attestation": "none",
        "attestationFormats": [],
        "challenge": challenge,
        "timeout": timeout_ms,
        "rpId": rp_id,
        "allowCredentials": descriptors(ctx, user).await?,
        "userVerification": if uv_required { "required" } else { flow_ua::user_verification(env) },
    });
    let mut parameters = BTreeMap::new();
    parameters.insert(
        "CREDENTIAL_REQUEST_OPTIONS".to_string(),
        options.to_string(),
    );
    Ok(Challenge {
        parameters,
        pending: Pending::WebAuthn(WebAuthnState {
            challenge,
            rp_id,
            user_verification_required: uv_required,
        }),
    })
}

/// RespondToAuthChallenge WEB_AUTHN: CREDENTIAL = AuthenticationResponseJSON, verified against
/// the session's challenge and one of the user's passkeys; the counter moves forward and the
/// session is used up. A failed assertion counts as a wrong answer of the session.
pub async fn answer_sign_in(
    ctx: &Ctx,
    user: &UserRecord,
    session_id: &str,
    state: &WebAuthnState,
    responses: &BTreeMap<String, String>,
) -> ApiResult<()> {
    let store = &ctx.app.store;
    let credential = responses
        .get("CREDENTIAL")
        .ok_or_else(|| ApiError::missing_parameter("CREDENTIAL"))?;
    let refuse = |e: WebAuthnError| async move {
        store.record_session_wrong_code(session_id).await?;
        Err::<(), ApiError>(assertion_refused(e))
    };
    let assertion = match wa::parse_assertion(credential) {
        Ok(a) => a,
        Err(e) => return refuse(e).await,
    };
    let id = b64url(&assertion.credential_id);
    let stored = store.get_webauthn_credential(&user.pool_id, &id).await?;
    let Some(stored) = stored.filter(|c| c.sub == user.sub) else {
        store.record_session_wrong_code(session_id).await?;
        return Err(ApiError::not_authorized(
            "Passkey authentication failed: the credential is not registered for this user.",
        ));
    };
    if assertion
        .user_handle
        .as_deref()
        .is_some_and(|h| h != user.sub.as_bytes())
    {
        store.record_session_wrong_code(session_id).await?;
        return Err(ApiError::not_authorized(
            "Passkey authentication failed: the user handle is not this user's.",
        ));
    }
    let expected = wa::Expected {
        challenge: &state.challenge,
        rp_id: &state.rp_id,
        user_verification_required: state.user_verification_required,
    };
    let verified = match assertion.verify(&expected, &stored.public_key, stored.sign_count) {
        Ok(v) => v,
        Err(e) => return refuse(e).await,
    };
    if !store.consume_auth_session(session_id).await? {
        return Err(flow_session::reused());
    }
    if verified.sign_count != stored.sign_count
        && !store
            .advance_webauthn_sign_count(
                &user.pool_id,
                &stored.credential_id,
                stored.sign_count,
                verified.sign_count,
            )
            .await?
    {
        return Err(assertion_refused(WebAuthnError::CounterNotIncreased));
    }
    Ok(())
}

pub fn assertion_refused(e: WebAuthnError) -> ApiError {
    // [B] RespondToAuthChallenge models no WebAuthn exception: a failed assertion is
    // NotAuthorizedException, with the reason in the text.
    ApiError::not_authorized(format!("Passkey authentication failed: {e}."))
}

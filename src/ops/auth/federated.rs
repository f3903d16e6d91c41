//! Signing in an external identity (a social, OIDC or SAML provider of the pool) through the
//! hosted UI: which pool user it is, creating it on the first sign-in and writing the provider's
//! mapped attributes on every sign-in (Cognito Developer Guide, "Adding user pool sign-in through
//! a third party", "Mapping IdP attributes to profiles and tokens", and "Linking federated users
//! to an existing user profile").
//!
//! - An identity linked with AdminLinkProviderForUser signs in as the user it is linked to.
//! - Otherwise the user is `<ProviderName>_<subject>` with status EXTERNAL_PROVIDER, created on the
//!   first sign-in after PreSignUp (`PreSignUp_ExternalProvider`) and followed by PostConfirmation.
//!   Its own identity is recorded as a provider link, so `identities` lists it.
//! - Such users have no password, so the password sign-ins refuse them like a wrong password.

use crate::domain::attributes;
use crate::domain::federation;
use crate::domain::pool::PoolExt;
use crate::domain::records::{ProviderLink, UserRecord};
use crate::domain::user_status::UserStatus;
use crate::error::{ApiError, ApiResult};
use crate::model::shapes::{IdentityProviderType, UserPoolClientType, UserPoolType};
use crate::state::Ctx;
use crate::triggers::{self, ConfirmationSource, SignUpSource};
use serde_json::{Map, Value};

/// What an identity provider said about the user.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalIdentity {
    /// The provider's unique id of the user (`sub`; Facebook `id`, Login with Amazon `user_id`;
    /// a SAML NameID).
    pub subject: String,
    /// Its claims or SAML attributes, as the provider sent them.
    pub claims: Map<String, Value>,
}

/// The pool user `identity` signs in as, created or updated as Cognito does. Errors are the
/// exceptions of the step that failed (a disabled user, a refusing PreSignUp...); the caller
/// turns them into the redirect's `error_description`.
pub async fn sign_in(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    provider: &IdentityProviderType,
    identity: &ExternalIdentity,
) -> ApiResult<UserRecord> {
    let user = pool_user(ctx, pool, client, provider, identity).await?;
    // What every successful sign-in records before its tokens (as `ops::auth::signed_in`).
    crate::ops::common::record_event(ctx, pool, &user, "SignIn").await?;
    triggers::post_authentication(ctx, pool, client_id(client), &user).await?;
    Ok(user)
}

async fn pool_user(
    ctx: &Ctx,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    provider: &IdentityProviderType,
    identity: &ExternalIdentity,
) -> ApiResult<UserRecord> {
    let pool_id = pool.pool_id();
    let provider_name = provider.provider_name.as_deref().unwrap_or_default();
    let mapped = provider
        .attribute_mapping
        .as_ref()
        .map(|m| federation::mapped_attributes(m, &identity.claims))
        .unwrap_or_default();
    let store = &ctx.app.store;
    let now = ctx.app.clock.epoch();
    let link = store
        .get_provider_link(pool_id, provider_name, &identity.subject)
        .await?;
    let existing = match &link {
        Some(link) => store.get_user_by_sub(pool_id, &link.sub).await?,
        None => None,
    };
    if let Some(mut user) = existing {
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        // The mapping is applied at every sign-in (DG, attribute mapping: "Amazon Cognito
        // updates mapped attributes each time a user signs in").
        if write_mapped(&mut user, &mapped) {
            user.modified_at = now;
            attributes::refresh_keys(pool, &mut user);
            store.update_user(&user).await?;
        }
        return Ok(user);
    }
    let username = federation::username(provider_name, &identity.subject);
    if let Some(user) = store
        .get_user_by_key(pool_id, &pool.username_key(&username))
        .await?
    {
        // A native user who happens to carry that name is not this identity [B: AWS keeps the
        // two apart; the emulator refuses rather than sign in the wrong user].
        if user.status != UserStatus::ExternalProvider {
            return Err(ApiError::username_exists("User already exists"));
        }
        // Its identity was unlinked with AdminDisableProviderForUser, which "prevents the user
        // from signing in with the specified external IdP" (API Reference) [B: the text].
        return Err(ApiError::not_authorized("User is disabled."));
    }
    let pre = triggers::pre_sign_up(
        ctx,
        pool,
        Some(client_id(client)),
        SignUpSource::ExternalProvider,
        (&username, &username),
        &mapped,
        None,
    )
    .await?;
    let attrs = pre.verified(mapped);
    let mut user = UserRecord {
        pool_id: pool_id.to_string(),
        sub: crate::ids::sub(),
        username_key: pool.username_key(&username),
        username,
        status: UserStatus::ExternalProvider,
        enabled: true,
        attributes: attrs,
        password_history: serde_json::json!([]),
        mfa: serde_json::json!({}),
        created_at: now,
        modified_at: now,
        ..Default::default()
    };
    // Federated users sign in only through their provider: no alias keys.
    attributes::refresh_keys(pool, &mut user);
    user.email_key = None;
    user.phone_key = None;
    user.preferred_username_key = None;
    match store.insert_user(&user).await {
        Ok(()) => {}
        Err(e) if crate::store::is_unique_violation(&e) => {
            return Err(ApiError::username_exists("User already exists"))
        }
        Err(e) => return Err(e.into()),
    }
    store
        .insert_provider_link(
            pool_id,
            &ProviderLink {
                provider_name: provider_name.to_string(),
                provider_user_id: identity.subject.clone(),
                sub: user.sub.clone(),
                created_at: now,
            },
        )
        .await?;
    tracing::info!(pool_id, username = %user.username, provider = provider_name, "federated user created");
    triggers::post_confirmation(
        ctx,
        pool,
        Some(client_id(client)),
        ConfirmationSource::ConfirmSignUp,
        &user,
    )
    .await?;
    Ok(user)
}

fn client_id(client: &UserPoolClientType) -> &str {
    client.client_id.as_deref().unwrap_or_default()
}

/// Writes the mapped attributes over the user's; true when anything changed.
fn write_mapped(
    user: &mut UserRecord,
    mapped: &std::collections::BTreeMap<String, String>,
) -> bool {
    let mut changed = false;
    for (name, value) in mapped {
        if user.attributes.get(name) != Some(value) {
            user.attributes.insert(name.clone(), value.clone());
            changed = true;
        }
    }
    changed
}

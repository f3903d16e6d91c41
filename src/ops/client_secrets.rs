//! Client secret rotation: AddUserPoolClientSecret, DeleteUserPoolClientSecret,
//! ListUserPoolClientSecrets. A confidential client has one or two current secrets; SECRET_HASH
//! and raw secrets made with any of them are accepted (`domain::secret_hash`).
//!
//! The stored client document's `ClientSecret` holds the current values joined by spaces (oldest
//! first); `store::pool_config` keeps it equal to the `client_secrets` rows in one transaction.
//! The API shows one secret ([`public_view`]): the oldest **[B]**.

use crate::domain::client::ClientExt;
use crate::domain::records::ClientSecretRecord;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::model::shapes::*;
use crate::ops::common::load_client;
use crate::ops::common::load_pool;
use crate::state::Ctx;
use std::sync::Arc;

/// Current secrets a client may have (the operation's documentation).
const MAX_SECRETS: usize = 2;

/// `<client-id>--<epoch-create-time>` (ClientSecretDescriptorType documentation), in
/// milliseconds **[B]**.
fn secret_id(client_id: &str, created_at: f64) -> String {
    format!("{client_id}--{}", (created_at * 1000.0).round() as i64)
}

/// The client's current secrets, oldest first. A client never rotated has no rows: its one
/// secret is the document's, created with the client.
async fn current_secrets(
    ctx: &Ctx,
    client: &UserPoolClientType,
) -> ApiResult<Vec<ClientSecretRecord>> {
    let rows = ctx.app.store.client_secrets(client.id()).await?;
    if !rows.is_empty() {
        return Ok(rows);
    }
    let created_at = client.creation_date.unwrap_or_default();
    Ok(client
        .secrets()
        .into_iter()
        .map(|value| ClientSecretRecord {
            secret_id: secret_id(client.id(), created_at),
            value: value.to_string(),
            created_at,
        })
        .collect())
}

async fn load(ctx: &Ctx, pool_id: &str, client_id: &str) -> ApiResult<Arc<UserPoolClientType>> {
    load_pool(ctx, pool_id).await?;
    load_client(ctx, pool_id, client_id).await
}

pub async fn add_user_pool_client_secret(
    ctx: Ctx,
    req: AddUserPoolClientSecretRequest,
) -> ApiResult<AddUserPoolClientSecretResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    let client = load(&ctx, &pool_id, req.client_id.as_deref().unwrap_or_default()).await?;
    let mut secrets = current_secrets(&ctx, &client).await?;
    if secrets.is_empty() {
        // [B] text: the operation is for confidential clients only.
        return Err(ApiError::invalid_parameter(format!(
            "Client {} does not have a client secret.",
            client.id()
        )));
    }
    if secrets.len() >= MAX_SECRETS {
        // [B] text; the exception is the model's.
        return Err(ApiError::new(
            "LimitExceededException",
            format!(
                "Client {} already has the maximum of {MAX_SECRETS} client secrets.",
                client.id()
            ),
        ));
    }
    let generated = req.client_secret.is_none();
    let value = req.client_secret.unwrap_or_else(ids::client_secret);
    if secrets.iter().any(|s| s.value == value) {
        // [B] text: two equal secrets could not be told apart.
        return Err(ApiError::invalid_parameter(
            "The client secret is already a secret of this client.",
        ));
    }
    // Ids carry the creation time; with a stopped emulator clock two could meet.
    let mut created_at = ctx.app.clock.epoch();
    while secrets
        .iter()
        .any(|s| s.secret_id == secret_id(client.id(), created_at))
    {
        created_at += 0.001;
    }
    let added = ClientSecretRecord {
        secret_id: secret_id(client.id(), created_at),
        value,
        created_at,
    };
    secrets.push(added.clone());
    if !ctx
        .app
        .store
        .set_client_secrets(client.id(), &secrets)
        .await?
    {
        return Err(crate::ops::common::client_not_found(client.id()));
    }
    Ok(AddUserPoolClientSecretResponse {
        client_secret_descriptor: Some(ClientSecretDescriptorType {
            client_secret_id: Some(added.secret_id),
            // Only a secret Cognito generated is shown (the operation's documentation).
            client_secret_value: generated.then_some(added.value),
            client_secret_create_date: Some(added.created_at),
        }),
    })
}

pub async fn delete_user_pool_client_secret(
    ctx: Ctx,
    req: DeleteUserPoolClientSecretRequest,
) -> ApiResult<DeleteUserPoolClientSecretResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    let client = load(&ctx, &pool_id, req.client_id.as_deref().unwrap_or_default()).await?;
    let mut secrets = current_secrets(&ctx, &client).await?;
    let id = req.client_secret_id.unwrap_or_default();
    let Some(at) = secrets.iter().position(|s| s.secret_id == id) else {
        // [B] text; the exception is the model's.
        return Err(ApiError::resource_not_found(format!(
            "Client secret {id} does not exist."
        )));
    };
    if secrets.len() == 1 {
        // [B] text: the documentation says the last secret cannot be deleted.
        return Err(ApiError::invalid_parameter(
            "The last remaining client secret of a client cannot be deleted.",
        ));
    }
    secrets.remove(at);
    if !ctx
        .app
        .store
        .set_client_secrets(client.id(), &secrets)
        .await?
    {
        return Err(crate::ops::common::client_not_found(client.id()));
    }
    Ok(DeleteUserPoolClientSecretResponse {})
}

/// Ids and creation dates only: the values are never listed (the operation's documentation).
pub async fn list_user_pool_client_secrets(
    ctx: Ctx,
    req: ListUserPoolClientSecretsRequest,
) -> ApiResult<ListUserPoolClientSecretsResponse> {
    let pool_id = req.user_pool_id.unwrap_or_default();
    let client = load(&ctx, &pool_id, req.client_id.as_deref().unwrap_or_default()).await?;
    let secrets = current_secrets(&ctx, &client).await?;
    Ok(ListUserPoolClientSecretsResponse {
        client_secrets: Some(
            secrets
                .into_iter()
                .map(|s| ClientSecretDescriptorType {
                    client_secret_id: Some(s.secret_id),
                    client_secret_value: None,
                    client_secret_create_date: Some(s.created_at),
                })
                .collect(),
        ),
        next_token: None,
    })
}

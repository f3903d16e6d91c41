//! Refresh tokens (stored by hash) and revocation.

use super::Store;

impl Store {
    /// True when the sign-in that minted tokens with this `origin_jti` has been revoked
    /// (RevokeToken on its refresh token).
    pub async fn origin_revoked(&self, origin_jti: &str) -> Result<bool, sqlx::Error> {
        Ok(sqlx::query(
            "SELECT 1 FROM refresh_tokens WHERE origin_jti = ? AND revoked_at IS NOT NULL LIMIT 1",
        )
        .bind(origin_jti)
        .fetch_optional(&self.db)
        .await?
        .is_some())
    }
}

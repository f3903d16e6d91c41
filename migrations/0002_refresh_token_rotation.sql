-- Refresh token rotation (GetTokensFromRefreshToken on a client with RefreshTokenRotation ENABLED):
-- the replaced token stays usable for the client's RetryGracePeriodSeconds and is then refused with
-- RefreshTokenReuseException. Kept apart from revoked_at, which also kills the access tokens of the
-- sign-in (origin_jti) and must not fire on a rotation.
ALTER TABLE refresh_tokens ADD COLUMN replaced_at REAL;

-- Passkeys (spec 7): registered credentials, and the registration a user has started with
-- StartWebAuthnRegistration and not yet completed (one at a time; a new start replaces it).

CREATE TABLE webauthn_credentials (
    pool_id        TEXT NOT NULL,
    sub            TEXT NOT NULL,
    -- base64url, as the WebAuthn JSON and CredentialId on the wire carry it.
    credential_id  TEXT NOT NULL,
    -- The COSE_Key exactly as attested.
    public_key     BLOB NOT NULL,
    alg            INTEGER NOT NULL,
    sign_count     INTEGER NOT NULL DEFAULT 0,
    -- JSON array of AuthenticatorTransports.
    transports     TEXT NOT NULL DEFAULT '[]',
    attachment     TEXT,
    aaguid         TEXT NOT NULL,
    rp_id          TEXT NOT NULL,
    friendly_name  TEXT NOT NULL,
    created_at     REAL NOT NULL,
    PRIMARY KEY (pool_id, credential_id),
    FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (pool_id, sub, created_at);

CREATE TABLE webauthn_registrations (
    pool_id            TEXT NOT NULL,
    sub                TEXT NOT NULL,
    client_id          TEXT NOT NULL,
    challenge          TEXT NOT NULL,
    rp_id              TEXT NOT NULL,
    user_verification  TEXT NOT NULL,
    expires_at         REAL NOT NULL,
    created_at         REAL NOT NULL,
    PRIMARY KEY (pool_id, sub),
    FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
);

-- The OAuth 2.0 / hosted UI endpoints (spec 10).

-- Authorization codes: single use, 5 minutes, bound to client, redirect_uri and PKCE challenge.
CREATE TABLE oauth_codes (
    code_hash       TEXT PRIMARY KEY,       -- SHA-256 of the code; the code itself is not stored
    pool_id         TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    sub             TEXT NOT NULL,
    redirect_uri    TEXT NOT NULL,
    scope           TEXT NOT NULL,          -- granted scopes, space-separated
    nonce           TEXT,
    code_challenge  TEXT,                   -- S256 only
    auth_time       INTEGER NOT NULL,
    expires_at      REAL NOT NULL,
    used_at         REAL,
    FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
);

-- The hosted UI's sign-in cookie (one per pool and browser), valid 1 hour.
CREATE TABLE oauth_sessions (
    session_hash  TEXT PRIMARY KEY,
    pool_id       TEXT NOT NULL,
    sub           TEXT NOT NULL,
    auth_time     INTEGER NOT NULL,
    expires_at    REAL NOT NULL,
    FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
);

-- The scopes of a sign-in made through the OAuth endpoints, by the origin_jti its refresh tokens
-- share, so a refresh (token endpoint or REFRESH_TOKEN_AUTH) keeps them. A sign-in without a row
-- is an API sign-in (scope aws.cognito.signin.user.admin).
CREATE TABLE oauth_grants (
    origin_jti  TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    scope       TEXT NOT NULL,
    created_at  REAL NOT NULL
);

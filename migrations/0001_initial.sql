-- The emulator's whole state. Aggregates that the API hands back as one model shape (a pool, an app
-- client) are stored as that shape's JSON so Describe* returns exactly what Create*/Update* stored;
-- everything that is looked up or constrained has a column of its own.

CREATE TABLE user_pools (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    doc         TEXT NOT NULL,              -- UserPoolType JSON
    mfa         TEXT NOT NULL DEFAULT '{}', -- GetUserPoolMfaConfigResponse JSON
    created_at  REAL NOT NULL
);

-- Two RSA keys per pool, one per token type, as Cognito publishes them (spec 5.1).
CREATE TABLE signing_keys (
    kid              TEXT PRIMARY KEY,
    pool_id          TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    token_use        TEXT NOT NULL CHECK (token_use IN ('id', 'access')),
    private_key_der  BLOB NOT NULL,          -- PKCS#1 DER
    n                TEXT NOT NULL,          -- JWK modulus, base64url
    e                TEXT NOT NULL           -- JWK exponent, base64url
);
CREATE INDEX signing_keys_pool ON signing_keys(pool_id);

CREATE TABLE user_pool_clients (
    client_id   TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    doc         TEXT NOT NULL,              -- UserPoolClientType JSON
    created_at  REAL NOT NULL
);
CREATE INDEX user_pool_clients_pool ON user_pool_clients(pool_id, created_at);

CREATE TABLE users (
    pool_id                 TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    sub                     TEXT NOT NULL,
    username                TEXT NOT NULL,  -- as created
    username_key            TEXT NOT NULL,  -- lower-cased when the pool ignores username case
    status                  TEXT NOT NULL,
    enabled                 INTEGER NOT NULL DEFAULT 1,
    attributes              TEXT NOT NULL,  -- JSON object: name -> value (sub excluded)
    -- alias / sign-in lookup keys, NULL when the value may not be used to sign in
    email_key               TEXT,
    phone_key               TEXT,
    preferred_username_key  TEXT,
    -- one SRP (salt, verifier) pair serves SRP and plain password checks (spec 3.8)
    password_salt           BLOB,
    password_verifier       BLOB,
    password_set_at         REAL,
    password_history        TEXT NOT NULL DEFAULT '[]',
    mfa                     TEXT NOT NULL DEFAULT '{}', -- per-user MFA settings JSON
    failed_attempts         INTEGER NOT NULL DEFAULT 0,
    last_failed_at          REAL,
    locked_until            REAL,
    tokens_valid_after      REAL,          -- set by (Admin)GlobalSignOut
    created_at              REAL NOT NULL,
    modified_at             REAL NOT NULL,
    PRIMARY KEY (pool_id, sub)
);
CREATE UNIQUE INDEX users_username ON users(pool_id, username_key);
CREATE INDEX users_email ON users(pool_id, email_key);
CREATE INDEX users_phone ON users(pool_id, phone_key);
CREATE INDEX users_preferred_username ON users(pool_id, preferred_username_key);
CREATE INDEX users_created ON users(pool_id, created_at, sub);

CREATE TABLE groups (
    pool_id      TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    group_name   TEXT NOT NULL,
    description  TEXT,
    role_arn     TEXT,
    precedence   INTEGER,
    created_at   REAL NOT NULL,
    modified_at  REAL NOT NULL,
    PRIMARY KEY (pool_id, group_name)
);

CREATE TABLE user_groups (
    pool_id     TEXT NOT NULL,
    sub         TEXT NOT NULL,
    group_name  TEXT NOT NULL,
    PRIMARY KEY (pool_id, sub, group_name),
    FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE,
    FOREIGN KEY (pool_id, group_name) REFERENCES groups(pool_id, group_name) ON DELETE CASCADE
);
CREATE INDEX user_groups_group ON user_groups(pool_id, group_name);

-- Pending one-time codes: sign-up confirmation, forgot password, attribute verification.
CREATE TABLE codes (
    pool_id     TEXT NOT NULL,
    sub         TEXT NOT NULL,
    purpose     TEXT NOT NULL,             -- SIGN_UP, FORGOT_PASSWORD, VERIFY_ATTRIBUTE:<name>
    code        TEXT NOT NULL,
    expires_at  REAL NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL,
    PRIMARY KEY (pool_id, sub, purpose),
    FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
);

-- Sign-in sessions between challenges: opaque id on the wire, state here (spec 2.3).
CREATE TABLE auth_sessions (
    id          TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    sub         TEXT,
    state       TEXT NOT NULL,             -- JSON of the state machine's pending step
    expires_at  REAL NOT NULL,
    consumed    INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  REAL NOT NULL
);
CREATE INDEX auth_sessions_expiry ON auth_sessions(expires_at);

CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,           -- SHA-256 of the token; the token itself is not stored
    pool_id     TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    sub         TEXT NOT NULL,
    origin_jti  TEXT NOT NULL,
    auth_time   INTEGER NOT NULL,
    device_key  TEXT,
    expires_at  REAL NOT NULL,
    revoked_at  REAL,
    created_at  REAL NOT NULL,
    FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_user ON refresh_tokens(pool_id, sub);
CREATE INDEX refresh_tokens_origin ON refresh_tokens(origin_jti);

CREATE TABLE devices (
    device_key        TEXT PRIMARY KEY,
    pool_id           TEXT NOT NULL,
    sub               TEXT NOT NULL,
    device_group_key  TEXT NOT NULL,
    salt              BLOB,
    verifier          BLOB,
    name              TEXT,
    remembered        TEXT NOT NULL DEFAULT 'not_remembered',
    confirmed         INTEGER NOT NULL DEFAULT 0,
    created_at        REAL NOT NULL,
    modified_at       REAL NOT NULL,
    last_authenticated_at REAL,
    FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX devices_user ON devices(pool_id, sub);

-- Everything the emulator "sends" (spec 8; design/emulator-interface.md /_emulator/messages).
CREATE TABLE messages (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL,
    pool_id      TEXT NOT NULL,
    username     TEXT NOT NULL,
    channel      TEXT NOT NULL CHECK (channel IN ('SMS', 'EMAIL')),
    destination  TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    code         TEXT,
    body         TEXT NOT NULL,
    sent_at      REAL NOT NULL
);

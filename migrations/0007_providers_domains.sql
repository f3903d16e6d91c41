-- Federation and managed-login configuration of a pool: identity providers and the users linked
-- to them, the pool's domain, hosted-UI customization, log delivery, managed login branding and
-- terms documents. Shapes the API hands back whole are stored as their JSON, as in 0001.

CREATE TABLE identity_providers (
    pool_id        TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    provider_name  TEXT NOT NULL,
    doc            TEXT NOT NULL,              -- IdentityProviderType JSON
    created_at     REAL NOT NULL,
    PRIMARY KEY (pool_id, provider_name)
);

-- IdpIdentifiers are unique within a pool (GetIdentityProviderByIdentifier finds one provider).
CREATE TABLE identity_provider_identifiers (
    pool_id        TEXT NOT NULL,
    idp_identifier TEXT NOT NULL,
    provider_name  TEXT NOT NULL,
    PRIMARY KEY (pool_id, idp_identifier),
    FOREIGN KEY (pool_id, provider_name) REFERENCES identity_providers(pool_id, provider_name)
        ON DELETE CASCADE
);

-- AdminLinkProviderForUser: an external identity (provider + subject) linked to a pool user.
CREATE TABLE provider_links (
    pool_id          TEXT NOT NULL,
    provider_name    TEXT NOT NULL,
    provider_user_id TEXT NOT NULL,
    sub              TEXT NOT NULL,
    created_at       REAL NOT NULL,
    PRIMARY KEY (pool_id, provider_name, provider_user_id),
    FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX provider_links_user ON provider_links(pool_id, sub, created_at);

-- One domain per pool; a domain names one pool in the whole emulator (prefixes are regional and
-- custom domains global on AWS).
CREATE TABLE user_pool_domains (
    domain      TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL UNIQUE REFERENCES user_pools(id) ON DELETE CASCADE,
    doc         TEXT NOT NULL,                 -- DomainDescriptionType JSON
    created_at  REAL NOT NULL
);

-- SetUICustomization: client_id '' is the pool-wide customization.
CREATE TABLE ui_customizations (
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL,
    doc         TEXT NOT NULL,                 -- UICustomizationType JSON
    PRIMARY KEY (pool_id, client_id)
);

CREATE TABLE log_delivery_configurations (
    pool_id     TEXT PRIMARY KEY REFERENCES user_pools(id) ON DELETE CASCADE,
    doc         TEXT NOT NULL                  -- LogDeliveryConfigurationType JSON
);

-- One managed login style per app client.
CREATE TABLE managed_login_brandings (
    branding_id TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL,
    doc         TEXT NOT NULL,                 -- ManagedLoginBrandingType JSON
    UNIQUE (pool_id, client_id)
);

-- One document of each TermsName per app client.
CREATE TABLE terms (
    terms_id    TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL,
    terms_name  TEXT NOT NULL,
    doc         TEXT NOT NULL,                 -- TermsType JSON
    created_at  REAL NOT NULL,
    UNIQUE (pool_id, client_id, terms_name)
);
CREATE INDEX terms_pool ON terms(pool_id, created_at, terms_id);

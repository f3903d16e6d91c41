-- Pool configuration that lives beside the pool document: resource servers (custom OAuth scopes),
-- the secrets of confidential app clients (rotation keeps up to two), and threat-protection risk
-- configurations (one for the pool, one per app client that overrides it).
-- Tags and custom attributes need no table: they are members of the pool document (UserPoolTags,
-- SchemaAttributes), so DescribeUserPool shows what TagResource and AddCustomAttributes wrote.

CREATE TABLE resource_servers (
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    identifier  TEXT NOT NULL,
    doc         TEXT NOT NULL,              -- ResourceServerType JSON
    created_at  REAL NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);

-- Every secret of a client once it has been rotated; a client never rotated has none here and
-- its one secret is the document's ClientSecret. The document's ClientSecret is kept equal to
-- these values joined by spaces (oldest first), which a secret (`[\w+]+`) can never contain.
CREATE TABLE client_secrets (
    client_id     TEXT NOT NULL REFERENCES user_pool_clients(client_id) ON DELETE CASCADE,
    secret_id     TEXT NOT NULL,
    secret_value  TEXT NOT NULL,
    created_at    REAL NOT NULL,
    PRIMARY KEY (client_id, secret_id)
);

-- client_id NULL = the pool's own configuration.
CREATE TABLE risk_configurations (
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    client_id   TEXT REFERENCES user_pool_clients(client_id) ON DELETE CASCADE,
    doc         TEXT NOT NULL               -- RiskConfigurationType JSON
);
CREATE UNIQUE INDEX risk_configurations_one ON risk_configurations(pool_id, COALESCE(client_id, ''));

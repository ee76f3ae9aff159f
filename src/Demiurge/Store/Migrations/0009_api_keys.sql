-- API keys for automation (docs/api.md, "API keys"): a key acts as its creator, restricted to its
-- scopes and, when set, to one organization. Only the SHA-256 of the key is kept.
CREATE TABLE api_keys (
    key_id          TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (user_id),
    name            TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    -- Space-separated, from the list in ApiKeys/ApiKeyScopes.cs.
    scopes          TEXT NOT NULL,
    organization_id TEXT REFERENCES organizations (organization_id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    last_used_at    BIGINT,
    revoked_at      BIGINT
);

CREATE INDEX api_keys_by_user ON api_keys (user_id);

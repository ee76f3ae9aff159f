-- The key ring and the secrets it protects (docs/security.md). Keys are stored wrapped by the
-- master key, which never enters the store; secrets are sealed by a data key of the ring.
CREATE TABLE key_ring (
    key_id     TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('data', 'signing')),
    state      TEXT NOT NULL CHECK (state IN ('active', 'retiring')),
    wrapped    TEXT NOT NULL,
    public_key TEXT,
    created_at BIGINT NOT NULL
);

-- One active key per purpose: control planes that start together create one ring, not two.
CREATE UNIQUE INDEX key_ring_one_active ON key_ring (purpose) WHERE state = 'active';

CREATE TABLE secrets (
    secret_id       TEXT PRIMARY KEY,
    organization_id TEXT REFERENCES organizations (organization_id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    key_id          TEXT NOT NULL REFERENCES key_ring (key_id),
    ciphertext      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE UNIQUE INDEX secrets_name ON secrets (COALESCE(organization_id, ''), name);
CREATE INDEX secrets_key ON secrets (key_id);

-- Control planes now sign their calls to workers with the ring's signing key: the store keeps
-- nothing that lets its reader command a worker.
ALTER TABLE gateways DROP COLUMN control_credential;

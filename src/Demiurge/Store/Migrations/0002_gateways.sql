-- The gateway pool, the allocation journal and the organizations' data.

CREATE TABLE gateways (
    gateway_id  TEXT PRIMARY KEY,
    state       TEXT NOT NULL CHECK (state IN ('starting', 'ready', 'allocating', 'allocated', 'releasing', 'unhealthy', 'gone')),
    token_hash  TEXT NOT NULL UNIQUE,
    -- What the control plane presents to the worker (e.g. to drain it): derived from the
    -- worker's token, which the worker can recompute and the store never holds.
    control_credential TEXT NOT NULL,
    runtime     TEXT NOT NULL,
    address     TEXT NOT NULL,
    port        INTEGER NOT NULL,
    pid         INTEGER,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    ready_at    BIGINT
);

-- A port belongs to one live gateway at a time.
CREATE UNIQUE INDEX gateways_live_port ON gateways (port) WHERE state <> 'gone';
CREATE INDEX gateways_by_state ON gateways (state, ready_at);

-- One row per allocation; `step` journals the saga (claimed, dns, route, handshake, active,
-- releasing) and ended_at closes it (released or rolled back). The partial unique indexes
-- make a second current allocation for an organization or a gateway impossible.
CREATE TABLE allocations (
    allocation_id         TEXT PRIMARY KEY,
    organization_id       TEXT NOT NULL REFERENCES organizations (organization_id),
    gateway_id            TEXT NOT NULL REFERENCES gateways (gateway_id),
    step                  TEXT NOT NULL,
    handshake_token_hash  TEXT UNIQUE,
    handshake_expires_at  BIGINT,
    token_hash            TEXT UNIQUE,
    outcome               TEXT,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    ended_at              BIGINT
);

CREATE UNIQUE INDEX allocations_current_per_organization ON allocations (organization_id) WHERE ended_at IS NULL;
CREATE UNIQUE INDEX allocations_current_per_gateway ON allocations (gateway_id) WHERE ended_at IS NULL;

-- The organization's saved gateway data. `version` grows by one per accepted push.
CREATE TABLE organization_data (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (organization_id) ON DELETE CASCADE,
    version         BIGINT NOT NULL,
    gateway_state   TEXT,
    stored_at       BIGINT NOT NULL
);

-- One row per project, so a push that carries some projects never erases the others.
CREATE TABLE project_data (
    organization_id TEXT NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
    project_id      TEXT NOT NULL,
    content         TEXT NOT NULL,
    stored_at       BIGINT NOT NULL,
    PRIMARY KEY (organization_id, project_id)
);

-- Release after inactivity can be turned off per organization.
ALTER TABLE organizations ADD COLUMN gateway_auto_release BOOLEAN NOT NULL DEFAULT TRUE;

-- Portable SQL: the same file runs on SQLite and PostgreSQL.
-- Ids are UUID text, timestamps are Unix milliseconds (BIGINT).

CREATE TABLE users (
    user_id     TEXT PRIMARY KEY,
    username    TEXT NOT NULL UNIQUE,
    token_hash  TEXT NOT NULL UNIQUE,
    is_admin    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL
);

CREATE TABLE organizations (
    organization_id TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE memberships (
    organization_id TEXT NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (user_id),
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);

CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE projects (
    project_id      TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (organization_id, name)
);

-- Append-only audit trail: every admin action, and later every allocation and release.
-- seq is assigned by the store at append time (appends are serialized), so it is the order
-- in which events committed, and readers page on it without missing late commits.
CREATE TABLE events (
    seq             BIGINT NOT NULL UNIQUE,
    event_id        TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    actor_user_id   TEXT,
    organization_id TEXT,
    subject_id      TEXT,
    detail          TEXT,
    created_at      BIGINT NOT NULL
);


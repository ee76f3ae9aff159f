-- Viewers: members who read only. A CHECK constraint cannot be changed in place on SQLite, so
-- the table is rebuilt (portably: nothing references it).
CREATE TABLE memberships_new (
    organization_id TEXT NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (user_id),
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);

INSERT INTO memberships_new (organization_id, user_id, role, created_at)
SELECT organization_id, user_id, role, created_at FROM memberships;

DROP TABLE memberships;

ALTER TABLE memberships_new RENAME TO memberships;

CREATE INDEX memberships_by_user ON memberships (user_id);

-- Grows with every change of what the organization's gateway must know (its name, members,
-- roles and projects), in the change's transaction: gateways apply only a newer revision, so an
-- update that arrives late never overwrites a newer one.
ALTER TABLE organizations ADD COLUMN settings_revision BIGINT NOT NULL DEFAULT 0;

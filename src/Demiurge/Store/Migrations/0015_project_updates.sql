-- A room's Yjs updates, appended by the pushes of the organization's gateway between
-- compactions: the stored document is project_data's content merged with its rows here, in
-- version order. The control plane merges them into the content when they grow past a bound,
-- when the quota needs it, and when the allocation stops.
CREATE TABLE project_updates (
    organization_id TEXT NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
    project_id      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    content         TEXT NOT NULL,
    stored_at       BIGINT NOT NULL,
    PRIMARY KEY (organization_id, project_id, version)
);

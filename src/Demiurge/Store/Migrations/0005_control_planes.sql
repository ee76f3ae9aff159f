-- The control planes serving the API, so that gateway workers can go on with another one when
-- theirs dies. Each instance writes its row every few seconds and deletes it when it stops; a
-- row not written for a while belongs to an instance that died (kill -9, lost machine).
CREATE TABLE control_planes (
    instance_id TEXT PRIMARY KEY,
    url         TEXT NOT NULL,      -- what workers call: --advertise-url, else the API's address
    seen_at     BIGINT NOT NULL     -- unix milliseconds of the last write
);

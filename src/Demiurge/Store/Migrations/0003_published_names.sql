-- What the embedded DNS server and edge serve. They live in the store so that `demiurge dns`
-- and `demiurge edge` running as processes of their own answer from the same state.
-- Every change takes the next version of its table (kept in `versions`, bumped in the same
-- transaction), and deletions leave a row with no value: a watcher asks for rows with a
-- version above the last it saw and applies them in order, never reloading everything.
-- The DNS version is the zone's SOA serial.

CREATE TABLE versions (
    name    TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO versions (name, version) VALUES ('dns', 1);
INSERT INTO versions (name, version) VALUES ('edge', 1);

-- One row per record set, as in PowerDNS's rrsets: a name and type with its values.
CREATE TABLE dns_record_sets (
    name    TEXT NOT NULL,          -- lower case, no trailing dot; "*.org-x.domain" for wildcards
    type    TEXT NOT NULL,          -- A, AAAA, CNAME, TXT, NS
    ttl     INTEGER NOT NULL,
    "values" TEXT,                  -- JSON array of strings; NULL once deleted
    version BIGINT NOT NULL,
    PRIMARY KEY (name, type)
);
CREATE INDEX dns_record_sets_by_version ON dns_record_sets (version);

-- Stage-1 routes: a host (and every name under it) forwards to a destination.
CREATE TABLE edge_routes (
    host        TEXT PRIMARY KEY,   -- org-{id}.{domain}, lower case
    destination TEXT,               -- e.g. http://127.0.0.1:7101/; NULL once removed
    version     BIGINT NOT NULL
);
CREATE INDEX edge_routes_by_version ON edge_routes (version);

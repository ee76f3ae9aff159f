-- A route is now a host pattern (an exact name, or "*.name" for every name one label below) to
-- one or more weighted destinations, each of which may be draining. Until now a route for
-- "org-{id}.{domain}" also covered every name under it: it becomes that exact name plus the
-- wildcard "*.org-{id}.{domain}", both with the old destination at weight 1.
ALTER TABLE edge_routes ADD COLUMN destinations TEXT;  -- JSON: [{"address": "http://…", "weight": 1, "draining": false}]; NULL once removed
UPDATE edge_routes SET destinations = '[{"address":"' || destination || '","weight":1,"draining":false}]' WHERE destination IS NOT NULL;
INSERT INTO edge_routes (host, destinations, version) SELECT '*.' || host, destinations, version FROM edge_routes WHERE host NOT LIKE '*.%';
ALTER TABLE edge_routes DROP COLUMN destination;

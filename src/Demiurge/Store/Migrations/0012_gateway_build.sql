-- The build of the worker each gateway runs (a hash of its executable, or of its image), recorded
-- at launch: when the build changes, the pool replaces idle workers at once and serving ones once
-- they are released (docs/gateway-pool.md). NULL for workers launched before builds were recorded.
ALTER TABLE gateways ADD COLUMN build TEXT;

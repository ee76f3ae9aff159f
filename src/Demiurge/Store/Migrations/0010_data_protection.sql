-- ASP.NET Data Protection's keys (session cookies, antiforgery tokens), shared by every control
-- plane of the store and sealed by the master key (docs/security.md), instead of a folder per
-- data dir that only its own control plane could read.
CREATE TABLE data_protection_keys (
    name       TEXT PRIMARY KEY,
    sealed     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A system admin's storage quota for one organization, in bytes: its documents and gateway
-- state as stored. NULL for the platform's default (--org-storage-quota).
ALTER TABLE organizations ADD COLUMN storage_quota_bytes BIGINT;

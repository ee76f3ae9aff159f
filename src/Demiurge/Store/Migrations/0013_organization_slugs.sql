-- Every organization has a unique, DNS-safe slug: its apps are named under
-- {slug}.apps.{domain}. New organizations get one derived from their name (the store picks it,
-- HostNames.Slug); the organizations already here get their id, which is already a valid
-- slug (a UUID: lower-case hex digits and single hyphens) and unique, and their owners may
-- change it (PATCH /orgs/{id} {"slug": ...}).
ALTER TABLE organizations ADD COLUMN slug TEXT NOT NULL DEFAULT '';
UPDATE organizations SET slug = organization_id;
CREATE UNIQUE INDEX organizations_by_slug ON organizations (slug);

using System.Data.Common;
using Demiurge.Events;
using Demiurge.Organizations;
using Demiurge.Projects;

namespace Demiurge.Store;

/// <summary>Organizations, their memberships, projects and the settings revision their gateway follows, in portable SQL.</summary>
internal sealed class SqlOrganizationStore(Database database) : IOrganizationStore
{
    private const string SelectOrganization = "SELECT organization_id, name, created_at, gateway_auto_release, storage_quota_bytes, slug FROM organizations";

    // Each failed attempt means another organization took the slug meanwhile, so attempts are
    // bounded by the creates racing for one name; this is far beyond any real burst.
    private const int SlugAttempts = 64;

    public async Task<Organization> OrganizationCreateAsync(Organization organization, string ownerUserId, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var created = organization;
                await database.WriteAsync(async session =>
                {
                    if (created.Slug.Length == 0)
                    {
                        created = organization with { Slug = await FreeSlugAsync(session, organization.Name, cancellationToken) };
                    }

                    await session.ExecuteAsync(
                        "INSERT INTO organizations (organization_id, name, slug, created_at) VALUES (@id, @name, @slug, @at)",
                        cancellationToken, ("@id", created.OrganizationId), ("@name", created.Name), ("@slug", created.Slug), ("@at", created.CreatedAt.ToUnixTimeMilliseconds()));
                    await InsertMembershipAsync(session, created.OrganizationId, ownerUserId, OrganizationRole.Owner, created.CreatedAt, cancellationToken);
                    return true;
                }, auditEvent, cancellationToken);
                return created;
            }
            catch (DbException exception) when (organization.Slug.Length == 0 && attempt < SlugAttempts && database.IsUniqueViolation(exception))
            {
                // A concurrent create committed the slug between this one's read and its insert
                // (the unique index decided): the next attempt reads it as taken.
            }
        }
    }

    public Task<bool> OrganizationSetSlugAsync(string organizationId, string slug, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.TryWriteAsync(session => session.ExecuteAsync("UPDATE organizations SET slug = @slug WHERE organization_id = @id",
            cancellationToken, ("@slug", slug), ("@id", organizationId)), auditEvent, cancellationToken);

    /// <summary>The slug <see cref="HostNames.Slug"/> gives <paramref name="name"/> among the slugs taken now: only those that start like it can clash.</summary>
    private static async Task<string> FreeSlugAsync(DbSession session, string name, CancellationToken cancellationToken)
    {
        // The label has no LIKE wildcard in it: letters, digits and hyphens only.
        var taken = (await session.ListAsync("SELECT slug FROM organizations WHERE slug LIKE @prefix",
            r => r.GetString(0), cancellationToken, ("@prefix", HostNames.SlugBase(name) + "%"))).ToHashSet(StringComparer.Ordinal);
        return HostNames.Slug(name, taken.Contains);
    }

    public Task<bool> OrganizationSetGatewayAutoReleaseAsync(string organizationId, bool autoRelease, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(async session => await session.ExecuteAsync("UPDATE organizations SET gateway_auto_release = @value WHERE organization_id = @id",
            cancellationToken, ("@value", autoRelease), ("@id", organizationId)) == 1, auditEvent, cancellationToken);

    // The serving gateway enforces the quota too: it is part of the settings pushed to it.
    public Task<bool> OrganizationSetStorageQuotaAsync(string organizationId, long quotaBytes, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(async session => await session.ExecuteAsync(
            "UPDATE organizations SET storage_quota_bytes = @value, settings_revision = settings_revision + 1 WHERE organization_id = @id",
            cancellationToken, ("@value", quotaBytes), ("@id", organizationId)) == 1, auditEvent, cancellationToken);

    public Task<Organization?> OrganizationGetAsync(string organizationId, CancellationToken cancellationToken) =>
        database.SingleAsync($"{SelectOrganization} WHERE organization_id = @id",
            ReadOrganization, cancellationToken, ("@id", organizationId));

    public Task<IReadOnlyList<Organization>> OrganizationListAsync(string? memberUserId, CancellationToken cancellationToken) =>
        memberUserId is null
            ? database.ListAsync($"{SelectOrganization} ORDER BY created_at, organization_id",
                ReadOrganization, cancellationToken)
            : database.ListAsync("""
                SELECT o.organization_id, o.name, o.created_at, o.gateway_auto_release, o.storage_quota_bytes, o.slug
                FROM organizations o JOIN memberships m ON m.organization_id = o.organization_id
                WHERE m.user_id = @user
                ORDER BY o.created_at, o.organization_id
                """, ReadOrganization, cancellationToken, ("@user", memberUserId));

    public async Task<OrganizationRole?> MembershipRoleAsync(string organizationId, string userId, CancellationToken cancellationToken)
    {
        var role = await database.SingleAsync("SELECT role FROM memberships WHERE organization_id = @org AND user_id = @user",
            r => r.GetString(0), cancellationToken, ("@org", organizationId), ("@user", userId));
        return role is null ? null : EnumText.Parse<OrganizationRole>(role);
    }

    public Task<bool> MembershipAddAsync(string organizationId, string userId, OrganizationRole role, DateTimeOffset createdAt, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.TryWriteAsync(async session =>
        {
            await InsertMembershipAsync(session, organizationId, userId, role, createdAt, cancellationToken);
            await BumpSettingsRevisionAsync(session, organizationId, cancellationToken);
        }, auditEvent, cancellationToken);

    public Task<MembershipChange> MembershipSetRoleAsync(string organizationId, string userId, OrganizationRole role, bool mayChangeOwners, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        ChangeMembershipAsync(organizationId, userId, role, mayChangeOwners, auditEvent, cancellationToken);

    public Task<MembershipChange> MembershipRemoveAsync(string organizationId, string userId, bool mayChangeOwners, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        ChangeMembershipAsync(organizationId, userId, null, mayChangeOwners, auditEvent, cancellationToken);

    /// <summary>A new role for the member, or its removal when <paramref name="role"/> is null.</summary>
    private async Task<MembershipChange> ChangeMembershipAsync(
        string organizationId, string userId, OrganizationRole? role, bool mayChangeOwners, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var outcome = MembershipChange.NotFound;
        await database.WriteAsync(async session =>
        {
            // First, so that on concurrent writers changes of one organization's members follow
            // one another (the row stays locked until commit) and the owners counted below are current.
            if (await session.SingleAsync($"SELECT organization_id FROM organizations WHERE organization_id = @org{database.Dialect.RowLockClause}",
                r => r.GetString(0), cancellationToken, ("@org", organizationId)) is null)
            {
                return false;
            }

            var current = await session.SingleAsync("SELECT role FROM memberships WHERE organization_id = @org AND user_id = @user",
                r => (OrganizationRole?)EnumText.Parse<OrganizationRole>(r.GetString(0)), cancellationToken, ("@org", organizationId), ("@user", userId));
            if (current is not { } currentRole)
            {
                outcome = MembershipChange.NotFound;
                return false;
            }

            if (currentRole == OrganizationRole.Owner && role != OrganizationRole.Owner)
            {
                var owners = await session.ScalarAsync<long>("SELECT COUNT(*) FROM memberships WHERE organization_id = @org AND role = 'owner'",
                    cancellationToken, ("@org", organizationId));
                outcome = !mayChangeOwners ? MembershipChange.OwnerProtected : owners <= 1 ? MembershipChange.LastOwner : MembershipChange.Changed;
                if (outcome != MembershipChange.Changed)
                {
                    return false;
                }
            }

            await session.ExecuteAsync(role is not null
                ? "UPDATE memberships SET role = @role WHERE organization_id = @org AND user_id = @user"
                : "DELETE FROM memberships WHERE organization_id = @org AND user_id = @user",
                cancellationToken, ("@role", role is { } r ? r.ToText() : null), ("@org", organizationId), ("@user", userId));
            await BumpSettingsRevisionAsync(session, organizationId, cancellationToken);
            outcome = MembershipChange.Changed;
            return true;
        }, auditEvent, cancellationToken);
        return outcome;
    }

    public Task<IReadOnlyList<Membership>> MembershipListAsync(string organizationId, CancellationToken cancellationToken) =>
        database.ListAsync("""
            SELECT m.organization_id, m.user_id, u.username, m.role, m.created_at
            FROM memberships m JOIN users u ON u.user_id = m.user_id
            WHERE m.organization_id = @org
            ORDER BY m.created_at, u.username
            """,
            r => new Membership(r.GetString(0), r.GetString(1), r.GetString(2), EnumText.Parse<OrganizationRole>(r.GetString(3)), r.GetTime(4)),
            cancellationToken, ("@org", organizationId));

    public Task<bool> ProjectCreateAsync(Project project, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.TryWriteAsync(async session =>
        {
            await session.ExecuteAsync(
                "INSERT INTO projects (project_id, organization_id, name, created_at) VALUES (@id, @org, @name, @at)",
                cancellationToken, ("@id", project.ProjectId), ("@org", project.OrganizationId), ("@name", project.Name), ("@at", project.CreatedAt.ToUnixTimeMilliseconds()));
            await BumpSettingsRevisionAsync(session, project.OrganizationId, cancellationToken);
        }, auditEvent, cancellationToken);

    public Task<bool> ProjectDeleteAsync(string organizationId, string projectId, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(async session =>
        {
            var deleted = await session.ExecuteAsync("DELETE FROM projects WHERE organization_id = @org AND project_id = @id",
                cancellationToken, ("@org", organizationId), ("@id", projectId)) == 1;
            if (deleted)
            {
                await session.ExecuteAsync("DELETE FROM project_data WHERE organization_id = @org AND project_id = @id",
                    cancellationToken, ("@org", organizationId), ("@id", projectId));
                await session.ExecuteAsync("DELETE FROM project_updates WHERE organization_id = @org AND project_id = @id",
                    cancellationToken, ("@org", organizationId), ("@id", projectId));
                await BumpSettingsRevisionAsync(session, organizationId, cancellationToken);
            }

            return deleted;
        }, auditEvent, cancellationToken);

    public async Task<OrganizationSettings?> OrganizationSettingsGetAsync(string organizationId, CancellationToken cancellationToken)
    {
        // The revision first: a change committing meanwhile makes the lists newer than it says, never older.
        var revision = await OrganizationSettingsRevisionAsync(organizationId, cancellationToken);
        if (revision is null || await OrganizationGetAsync(organizationId, cancellationToken) is not { } organization)
        {
            return null;
        }

        return new OrganizationSettings(organization, revision.Value,
            await MembershipListAsync(organizationId, cancellationToken), await ProjectListAsync(organizationId, cancellationToken));
    }

    public Task<long?> OrganizationSettingsRevisionAsync(string organizationId, CancellationToken cancellationToken) =>
        database.SingleAsync("SELECT settings_revision FROM organizations WHERE organization_id = @id", r => (long?)r.GetInt64(0), cancellationToken, ("@id", organizationId));

    /// <summary>Moves the organization's settings revision (see <see cref="OrganizationSettings"/>); false for an unknown organization.</summary>
    private static async Task<bool> BumpSettingsRevisionAsync(DbSession session, string organizationId, CancellationToken cancellationToken) =>
        await session.ExecuteAsync("UPDATE organizations SET settings_revision = settings_revision + 1 WHERE organization_id = @id",
            cancellationToken, ("@id", organizationId)) == 1;

    public Task<IReadOnlyList<Project>> ProjectListAsync(string organizationId, CancellationToken cancellationToken) =>
        database.ListAsync("SELECT project_id, organization_id, name, created_at FROM projects WHERE organization_id = @org ORDER BY created_at, name",
            r => new Project(r.GetString(0), r.GetString(1), r.GetString(2), r.GetTime(3)),
            cancellationToken, ("@org", organizationId));

    private static Organization ReadOrganization(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetTime(2), r.GetBoolean(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.GetString(5));

    private static Task<int> InsertMembershipAsync(DbSession session, string organizationId, string userId, OrganizationRole role, DateTimeOffset createdAt, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (@org, @user, @role, @at)",
            cancellationToken, ("@org", organizationId), ("@user", userId), ("@role", role.ToText()), ("@at", createdAt.ToUnixTimeMilliseconds()));
}

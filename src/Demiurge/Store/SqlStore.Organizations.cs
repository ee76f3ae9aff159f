using System.Data.Common;
using Demiurge.Events;
using Demiurge.Organizations;
using Demiurge.Projects;

namespace Demiurge.Store;

/// <summary>Organizations, their memberships, projects and the settings revision their gateway follows.</summary>
internal abstract partial class SqlStore
{
    public Task OrganizationCreateAsync(Organization organization, string ownerUserId, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction,
                "INSERT INTO organizations (organization_id, name, created_at) VALUES (@id, @name, @at)",
                cancellationToken, ("@id", organization.OrganizationId), ("@name", organization.Name), ("@at", Millis(organization.CreatedAt)));
            await InsertMembershipAsync(connection, transaction, organization.OrganizationId, ownerUserId, OrganizationRole.Owner, organization.CreatedAt, cancellationToken);
            return true;
        }, auditEvent, cancellationToken);

    public async Task<bool> OrganizationSetGatewayAutoReleaseAsync(string organizationId, bool autoRelease, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var updated = false;
        await WriteAsync(async (connection, transaction) =>
        {
            updated = await ExecuteAsync(connection, transaction, "UPDATE organizations SET gateway_auto_release = @value WHERE organization_id = @id",
                cancellationToken, ("@value", autoRelease), ("@id", organizationId)) == 1;
            return updated;
        }, auditEvent, cancellationToken);
        return updated;
    }

    public async Task<bool> OrganizationSetStorageQuotaAsync(string organizationId, long quotaBytes, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var updated = false;
        await WriteAsync(async (connection, transaction) =>
        {
            // The serving gateway enforces the quota too: it is part of the settings pushed to it.
            updated = await ExecuteAsync(connection, transaction,
                "UPDATE organizations SET storage_quota_bytes = @value, settings_revision = settings_revision + 1 WHERE organization_id = @id",
                cancellationToken, ("@value", quotaBytes), ("@id", organizationId)) == 1;
            return updated;
        }, auditEvent, cancellationToken);
        return updated;
    }

    public Task<Organization?> OrganizationGetAsync(string organizationId, CancellationToken cancellationToken) =>
        SingleAsync("SELECT organization_id, name, created_at, gateway_auto_release, storage_quota_bytes FROM organizations WHERE organization_id = @id",
            ReadOrganization, cancellationToken, ("@id", organizationId));

    public Task<IReadOnlyList<Organization>> OrganizationListAsync(string? memberUserId, CancellationToken cancellationToken) =>
        memberUserId is null
            ? ListAsync("SELECT organization_id, name, created_at, gateway_auto_release, storage_quota_bytes FROM organizations ORDER BY created_at, organization_id",
                ReadOrganization, cancellationToken)
            : ListAsync("""
                SELECT o.organization_id, o.name, o.created_at, o.gateway_auto_release, o.storage_quota_bytes
                FROM organizations o JOIN memberships m ON m.organization_id = o.organization_id
                WHERE m.user_id = @user
                ORDER BY o.created_at, o.organization_id
                """, ReadOrganization, cancellationToken, ("@user", memberUserId));

    public async Task<OrganizationRole?> MembershipRoleAsync(string organizationId, string userId, CancellationToken cancellationToken)
    {
        var role = await SingleAsync("SELECT role FROM memberships WHERE organization_id = @org AND user_id = @user",
            r => r.GetString(0), cancellationToken, ("@org", organizationId), ("@user", userId));
        return role is null ? null : ParseRole(role);
    }

    public Task<bool> MembershipAddAsync(string organizationId, string userId, OrganizationRole role, DateTimeOffset createdAt, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        TryWriteAsync(async (connection, transaction) =>
        {
            await InsertMembershipAsync(connection, transaction, organizationId, userId, role, createdAt, cancellationToken);
            await BumpSettingsRevisionAsync(connection, transaction, organizationId, cancellationToken);
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
        await WriteAsync(async (connection, transaction) =>
        {
            // First, so that on concurrent writers changes of one organization's members follow
            // one another (the row stays locked until commit) and the owners counted below are current.
            if (await SingleAsync(connection, transaction, $"SELECT organization_id FROM organizations WHERE organization_id = @org{RowLockClause}",
                r => r.GetString(0), cancellationToken, ("@org", organizationId)) is null)
            {
                return false;
            }

            var current = await SingleAsync(connection, transaction, "SELECT role FROM memberships WHERE organization_id = @org AND user_id = @user",
                r => (OrganizationRole?)ParseRole(r.GetString(0)), cancellationToken, ("@org", organizationId), ("@user", userId));
            if (current is not { } currentRole)
            {
                outcome = MembershipChange.NotFound;
                return false;
            }

            if (currentRole == OrganizationRole.Owner && role != OrganizationRole.Owner)
            {
                var owners = await ScalarAsync<long>(connection, transaction, "SELECT COUNT(*) FROM memberships WHERE organization_id = @org AND role = 'owner'",
                    cancellationToken, ("@org", organizationId));
                outcome = !mayChangeOwners ? MembershipChange.OwnerProtected : owners <= 1 ? MembershipChange.LastOwner : MembershipChange.Changed;
                if (outcome != MembershipChange.Changed)
                {
                    return false;
                }
            }

            await ExecuteAsync(connection, transaction, role is not null
                ? "UPDATE memberships SET role = @role WHERE organization_id = @org AND user_id = @user"
                : "DELETE FROM memberships WHERE organization_id = @org AND user_id = @user",
                cancellationToken, ("@role", role is { } r ? FormatRole(r) : null), ("@org", organizationId), ("@user", userId));
            await BumpSettingsRevisionAsync(connection, transaction, organizationId, cancellationToken);
            outcome = MembershipChange.Changed;
            return true;
        }, auditEvent, cancellationToken);
        return outcome;
    }

    public Task<IReadOnlyList<Membership>> MembershipListAsync(string organizationId, CancellationToken cancellationToken) =>
        ListAsync("""
            SELECT m.organization_id, m.user_id, u.username, m.role, m.created_at
            FROM memberships m JOIN users u ON u.user_id = m.user_id
            WHERE m.organization_id = @org
            ORDER BY m.created_at, u.username
            """,
            r => new Membership(r.GetString(0), r.GetString(1), r.GetString(2), ParseRole(r.GetString(3)), Time(r.GetInt64(4))),
            cancellationToken, ("@org", organizationId));

    public Task<bool> ProjectCreateAsync(Project project, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        TryWriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction,
                "INSERT INTO projects (project_id, organization_id, name, created_at) VALUES (@id, @org, @name, @at)",
                cancellationToken, ("@id", project.ProjectId), ("@org", project.OrganizationId), ("@name", project.Name), ("@at", Millis(project.CreatedAt)));
            await BumpSettingsRevisionAsync(connection, transaction, project.OrganizationId, cancellationToken);
        }, auditEvent, cancellationToken);

    public async Task<bool> ProjectDeleteAsync(string organizationId, string projectId, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var deleted = false;
        await WriteAsync(async (connection, transaction) =>
        {
            deleted = await ExecuteAsync(connection, transaction, "DELETE FROM projects WHERE organization_id = @org AND project_id = @id",
                cancellationToken, ("@org", organizationId), ("@id", projectId)) == 1;
            if (deleted)
            {
                await ExecuteAsync(connection, transaction, "DELETE FROM project_data WHERE organization_id = @org AND project_id = @id",
                    cancellationToken, ("@org", organizationId), ("@id", projectId));
                await BumpSettingsRevisionAsync(connection, transaction, organizationId, cancellationToken);
            }

            return deleted;
        }, auditEvent, cancellationToken);
        return deleted;
    }

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
        SingleAsync("SELECT settings_revision FROM organizations WHERE organization_id = @id", r => (long?)r.GetInt64(0), cancellationToken, ("@id", organizationId));

    /// <summary>Moves the organization's settings revision (see <see cref="OrganizationSettings"/>); false for an unknown organization.</summary>
    private static async Task<bool> BumpSettingsRevisionAsync(DbConnection connection, DbTransaction transaction, string organizationId, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction, "UPDATE organizations SET settings_revision = settings_revision + 1 WHERE organization_id = @id",
            cancellationToken, ("@id", organizationId)) == 1;

    public Task<IReadOnlyList<Project>> ProjectListAsync(string organizationId, CancellationToken cancellationToken) =>
        ListAsync("SELECT project_id, organization_id, name, created_at FROM projects WHERE organization_id = @org ORDER BY created_at, name",
            r => new Project(r.GetString(0), r.GetString(1), r.GetString(2), Time(r.GetInt64(3))),
            cancellationToken, ("@org", organizationId));
}

using Demiurge.Events;
using Demiurge.Projects;

namespace Demiurge.Organizations;

/// <summary>
/// Organizations, their members and projects, and the settings revision their gateway follows.
/// Writes append their audit event in the same transaction; a write that loses a race on a
/// unique constraint returns false instead of throwing.
/// </summary>
internal interface IOrganizationStore
{
    /// <summary>
    /// Creates the organization and its first owner atomically, and returns it with its slug: the
    /// given one, or when that is empty one derived from the name (<see cref="Common.HostNames.Slug"/>)
    /// that no organization has. A concurrent create that takes the same slug first makes this one
    /// try the next; a given slug that is taken fails with the unique violation.
    /// </summary>
    Task<Organization> OrganizationCreateAsync(Organization organization, string ownerUserId, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Gives an existing organization another slug; false when another organization has it.</summary>
    Task<bool> OrganizationSetSlugAsync(string organizationId, string slug, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Turns inactivity release of the organization's gateway on or off; false for an unknown organization.</summary>
    Task<bool> OrganizationSetGatewayAutoReleaseAsync(string organizationId, bool autoRelease, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Sets the organization's own storage quota, in place of the platform's default; false when it does not exist.</summary>
    Task<bool> OrganizationSetStorageQuotaAsync(string organizationId, long quotaBytes, AuditEvent auditEvent, CancellationToken cancellationToken);

    Task<Organization?> OrganizationGetAsync(string organizationId, CancellationToken cancellationToken);

    /// <summary>Organizations the user belongs to, oldest first; every organization when <paramref name="memberUserId"/> is null.</summary>
    Task<IReadOnlyList<Organization>> OrganizationListAsync(string? memberUserId, CancellationToken cancellationToken);

    Task<OrganizationRole?> MembershipRoleAsync(string organizationId, string userId, CancellationToken cancellationToken);

    /// <summary>Adds a member; false when the user already belongs to the organization.</summary>
    Task<bool> MembershipAddAsync(string organizationId, string userId, OrganizationRole role, DateTimeOffset createdAt, AuditEvent auditEvent, CancellationToken cancellationToken);

    Task<IReadOnlyList<Membership>> MembershipListAsync(string organizationId, CancellationToken cancellationToken);

    /// <summary>
    /// Gives a member another role. An owner's role changes only with <paramref name="mayChangeOwners"/>,
    /// and never the last owner's; both are checked in the write's transaction.
    /// </summary>
    Task<MembershipChange> MembershipSetRoleAsync(string organizationId, string userId, OrganizationRole role, bool mayChangeOwners, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Removes a member, with the same rules for owners as <see cref="MembershipSetRoleAsync"/>.</summary>
    Task<MembershipChange> MembershipRemoveAsync(string organizationId, string userId, bool mayChangeOwners, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Creates a project; false when its name is taken in the organization.</summary>
    Task<bool> ProjectCreateAsync(Project project, AuditEvent auditEvent, CancellationToken cancellationToken);

    Task<IReadOnlyList<Project>> ProjectListAsync(string organizationId, CancellationToken cancellationToken);

    /// <summary>Deletes a project of the organization with its stored document; false when the organization has no such project.</summary>
    Task<bool> ProjectDeleteAsync(string organizationId, string projectId, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>
    /// The organization's name, members and projects, with the revision they are at; null for an
    /// unknown organization. Every change of them moves the revision, in the same transaction.
    /// </summary>
    Task<OrganizationSettings?> OrganizationSettingsGetAsync(string organizationId, CancellationToken cancellationToken);

    /// <summary>Only the revision of <see cref="OrganizationSettingsGetAsync"/>; null for an unknown organization.</summary>
    Task<long?> OrganizationSettingsRevisionAsync(string organizationId, CancellationToken cancellationToken);
}

using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Projects;

namespace Demiurge.Store;

/// <summary>
/// The control plane's state. Every write that changes the domain also appends its audit
/// event in the same transaction, so a change and its record never disagree.
/// Methods that can lose a race on a unique constraint return false instead of throwing.
/// </summary>
internal interface IStore
{
    /// <summary>Applies the versioned migrations that have not run yet.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Round-trips a trivial query; used by the readiness check.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>Creates a user; false when the username is taken.</summary>
    Task<bool> UserCreateAsync(User user, string tokenHash, AuditEvent auditEvent, CancellationToken cancellationToken);

    Task<User?> UserGetAsync(string userId, CancellationToken cancellationToken);

    Task<User?> UserGetByUsernameAsync(string username, CancellationToken cancellationToken);

    Task<User?> UserFindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>Replaces a user's token; false when the user does not exist.</summary>
    Task<bool> UserSetTokenHashAsync(string userId, string tokenHash, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Creates the organization and its first owner atomically.</summary>
    Task OrganizationCreateAsync(Organization organization, string ownerUserId, AuditEvent auditEvent, CancellationToken cancellationToken);

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

    /// <summary>Appends an event that records no change of its own (a scale decision, an exhausted pool).</summary>
    Task EventAppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Events in commit order whose <see cref="AuditEvent.Seq"/> is greater than <paramref name="afterSeq"/>.</summary>
    Task<IReadOnlyList<AuditEvent>> EventListAsync(long afterSeq, int limit, CancellationToken cancellationToken);
}

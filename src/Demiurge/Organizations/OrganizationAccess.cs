using Demiurge.Identity;

namespace Demiurge.Organizations;

/// <summary>
/// What the caller may do in one organization. An organization the caller cannot see loads
/// as null, exactly like one that does not exist, so outsiders learn nothing about it.
/// </summary>
internal sealed record OrganizationAccess(Organization Organization, OrganizationRole? Role, bool IsSystemAdmin)
{
    public bool CanManageMembers => IsSystemAdmin || Role is OrganizationRole.Owner or OrganizationRole.Admin;

    /// <summary>Viewers read only; every other member writes (create projects, say).</summary>
    public bool CanWrite => IsSystemAdmin || Role is OrganizationRole.Owner or OrganizationRole.Admin or OrganizationRole.Member;

    /// <summary>Only owners (and system admins) make, demote or remove owners; admins manage admins, members and viewers.</summary>
    public bool CanChangeOwners => IsSystemAdmin || Role == OrganizationRole.Owner;

    /// <summary>Only owners (and system admins) make owners; admins grant admin, member or viewer.</summary>
    public bool CanGrant(OrganizationRole role) => CanChangeOwners || (Role == OrganizationRole.Admin && role != OrganizationRole.Owner);

    public static async Task<OrganizationAccess?> LoadAsync(IOrganizationStore store, string? rawOrganizationId, Caller caller, CancellationToken cancellationToken)
    {
        if (Ids.Parse(rawOrganizationId) is not { } organizationId
            || await store.OrganizationGetAsync(organizationId, cancellationToken) is not { } organization)
        {
            return null;
        }

        var role = await store.MembershipRoleAsync(organizationId, caller.UserId, cancellationToken);
        return role is null && !caller.IsAdmin ? null : new OrganizationAccess(organization, role, caller.IsAdmin);
    }
}

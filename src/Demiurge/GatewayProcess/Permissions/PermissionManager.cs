using Demiurge.GatewayProcess.Containers;
namespace Demiurge.GatewayProcess.Permissions;

/// <summary>
/// Who may do what in the served organization. Seeded from the members of <c>/gateway/config</c>,
/// which is authoritative: a user it does not list is not a member, whatever an older snapshot
/// in the organization's data says. <c>PUT /collab/config</c> replaces the list while serving;
/// the OAuth provider and every request ask this manager each time, so a change holds at once.
/// </summary>
internal sealed class PermissionManager
{
    private Dictionary<string, OrganizationMember> _members;

    public PermissionManager(IEnumerable<OrganizationMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        _members = members.ToDictionary(m => m.UserId, StringComparer.Ordinal);
    }

    /// <summary>The organization's members now, as the control plane lists them: the old list goes whole.</summary>
    public void Replace(IEnumerable<OrganizationMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        _members = members.ToDictionary(m => m.UserId, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<OrganizationMember> Members => _members.Values;

    /// <summary>Parses a role as the config spells it; false for anything else.</summary>
    public static bool TryParseRole(string? text, out MemberRole role)
    {
        (var known, role) = text switch
        {
            "owner" => (true, MemberRole.Owner),
            "admin" => (true, MemberRole.Admin),
            "member" => (true, MemberRole.Member),
            "viewer" => (true, MemberRole.Viewer),
            _ => (false, MemberRole.Member),
        };
        return known;
    }

    public OrganizationMember? Member(string userId) => _members.GetValueOrDefault(userId);

    public bool IsMember(string userId) => _members.ContainsKey(userId);

    /// <summary>Every member may sign in to the organization's containers through its OAuth provider.</summary>
    public bool CanAuthorize(string userId) => IsMember(userId);

    /// <summary>Every member but viewers, who read only, may write: documents, containers.</summary>
    public bool CanWrite(string userId) => Member(userId) is { Role: not MemberRole.Viewer };

    /// <summary>Every member but viewers may create a user container.</summary>
    public bool CanCreateContainer(string userId) => CanWrite(userId);

    /// <summary>Owners and admins may delete any container; members only those they created; viewers none.</summary>
    public bool CanDeleteContainer(string userId, ContainerRecord container)
    {
        ArgumentNullException.ThrowIfNull(container);
        return Member(userId) switch
        {
            { Role: MemberRole.Owner or MemberRole.Admin } => true,
            { Role: MemberRole.Member } => string.Equals(container.CreatedBy, userId, StringComparison.Ordinal),
            _ => false,
        };
    }
}

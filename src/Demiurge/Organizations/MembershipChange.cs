namespace Demiurge.Organizations;

/// <summary>What became of a change of role or a removal, decided in the store's transaction.</summary>
internal enum MembershipChange
{
    Changed,

    /// <summary>The user is not a member of the organization (or the organization does not exist).</summary>
    NotFound,

    /// <summary>The member is an owner and the caller may not change owners.</summary>
    OwnerProtected,

    /// <summary>The member is the organization's only owner: it would be left without one.</summary>
    LastOwner,
}

namespace Demiurge.GatewayProcess.Permissions;

/// <summary>A member's role in the organization, as <c>/gateway/config</c> names it (<c>owner</c>, <c>admin</c>, <c>member</c>, <c>viewer</c>).</summary>
internal enum MemberRole
{
    Owner,
    Admin,
    Member,

    /// <summary>Reads; every write is refused (403).</summary>
    Viewer,
}

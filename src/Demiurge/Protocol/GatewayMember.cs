namespace Demiurge.Protocol;

/// <summary>A member of the organization, as its <see cref="OrganizationConfig"/> list them; the role is owner, admin, member or viewer.</summary>
internal sealed record GatewayMember(string UserId, string Username, string Role);

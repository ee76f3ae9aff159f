namespace Demiurge.GatewayProcess.Permissions;

/// <summary>A member of the organization the gateway serves; the config lists them, the gateway state keeps a snapshot.</summary>
internal sealed record OrganizationMember(string UserId, string Username, MemberRole Role);

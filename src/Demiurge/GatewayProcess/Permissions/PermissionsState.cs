namespace Demiurge.GatewayProcess.Permissions;

/// <summary>
/// The members as the last config listed them. A record, not an authority: the next config
/// replaces it, and tokens of users it no longer lists are dropped.
/// </summary>
internal sealed record PermissionsState(IReadOnlyList<OrganizationMember>? Members = null);

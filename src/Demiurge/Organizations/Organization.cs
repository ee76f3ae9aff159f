namespace Demiurge.Organizations;

/// <summary>An organization. <see cref="GatewayAutoRelease"/> off keeps its gateway allocated however idle it is.</summary>
internal sealed record Organization(string OrganizationId, string Name, DateTimeOffset CreatedAt, bool GatewayAutoRelease = true);

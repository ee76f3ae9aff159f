namespace Demiurge.Organizations;

/// <summary>
/// An organization. <see cref="GatewayAutoRelease"/> off keeps its gateway allocated however idle it is.
/// <see cref="StorageQuotaBytes"/> is a system admin's quota for it; null for the platform's default.
/// <see cref="Slug"/> is its unique DNS label (<see cref="Common.HostNames.Slug"/>), which its apps are
/// named under; empty on an organization not created yet, whose store derives it from the name.
/// </summary>
internal sealed record Organization(string OrganizationId, string Name, DateTimeOffset CreatedAt, bool GatewayAutoRelease = true, long? StorageQuotaBytes = null, string Slug = "");

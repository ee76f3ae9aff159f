namespace Demiurge.Gateways;

/// <summary>An organization's saved gateway data: per-project documents (base64) and the gateway's own state (JSON).</summary>
internal sealed record OrganizationData(long Version, DateTimeOffset? StoredAt, IReadOnlyDictionary<string, string> Projects, string? GatewayState)
{
    public static readonly OrganizationData Empty = new(0, null, new Dictionary<string, string>(), null);
}

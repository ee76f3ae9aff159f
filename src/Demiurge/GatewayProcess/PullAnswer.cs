namespace Demiurge.GatewayProcess;

/// <summary>The control plane's answer to <c>POST /gateway/data/pull</c>; version 0 and no data for an organization that never pushed.</summary>
internal sealed record PullAnswer(string OrganizationId, long Version, DateTimeOffset? StoredAt = null, DataPayload? Data = null);

namespace Demiurge.Protocol;

/// <summary>The control plane's answer to <see cref="GatewayPaths.DataPull"/>; version 0 and no data for an organization that never pushed.</summary>
internal sealed record DataPullResponse(string OrganizationId, long Version, DateTimeOffset? StoredAt, OrganizationDataPayload? Data);

namespace Demiurge.Protocol;

/// <summary>The control plane's answer to an accepted <see cref="GatewayPaths.DataPush"/>.</summary>
internal sealed record DataPushResponse(long Version, DateTimeOffset StoredAt, long SizeBytes);

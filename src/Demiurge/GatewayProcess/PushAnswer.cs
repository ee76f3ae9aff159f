namespace Demiurge.GatewayProcess;

/// <summary>The control plane's answer to an accepted push.</summary>
internal sealed record PushAnswer(long Version, DateTimeOffset? StoredAt = null, long? SizeBytes = null);

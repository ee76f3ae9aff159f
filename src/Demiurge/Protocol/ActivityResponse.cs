namespace Demiurge.Protocol;

/// <summary>Answer of <see cref="GatewayPaths.Activity"/>: why the gateway is still alive.</summary>
internal sealed record ActivityResponse(
    GatewayWorkerState State,
    DateTimeOffset? LastActivityAt,
    DateTimeOffset? ReleaseAt,
    bool Dirty,
    DateTimeOffset? LastPushAt,
    long? DataVersion);

namespace Demiurge.GatewayProcess;

/// <summary>Answer of <c>GET /gateway/activity</c>: why the gateway is still alive.</summary>
internal sealed record ActivityResponse(
    GatewayWorkerState State,
    DateTimeOffset? LastActivityAt,
    DateTimeOffset? ReleaseAt,
    bool Dirty,
    DateTimeOffset? LastPushAt,
    long? DataVersion);

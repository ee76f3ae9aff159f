using Demiurge.Protocol;

namespace Demiurge.GatewayProcess;

/// <summary>A consistent view of the worker, taken under its lock, for ping and activity.</summary>
internal sealed record GatewaySnapshot(
    string GatewayId,
    GatewayWorkerState State,
    string? OrganizationId,
    string? AllocationId,
    DateTimeOffset? LastActivityAt,
    DateTimeOffset? ReleaseAt,
    bool Dirty,
    DateTimeOffset? LastPushAt,
    long? DataVersion,
    long? SettingsRevision);

namespace Demiurge.Gateways;

/// <summary>Audit event kinds of the pool (GWMONITORING).</summary>
internal static class GatewayEventKinds
{
    public const string GatewayStarted = "gateway.started";
    public const string GatewayReady = "gateway.ready";
    public const string GatewayFailed = "gateway.failed";
    public const string GatewayGone = "gateway.gone";
    public const string GatewayOutdated = "gateway.outdated";
    public const string PoolScaled = "pool.scaled";
    public const string PoolExhausted = "pool.exhausted";
    public const string AllocationClaimed = "allocation.claimed";
    public const string AllocationActive = "allocation.active";
    public const string AllocationRolledBack = "allocation.rolled_back";
    public const string AllocationReleased = "allocation.released";
    public const string DataDeleted = "organization.data_deleted";
    public const string NamesRemoved = "names.removed";
    public const string NamesRestored = "names.restored";
}

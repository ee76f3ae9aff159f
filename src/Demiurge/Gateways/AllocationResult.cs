namespace Demiurge.Gateways;

/// <summary>The end of an allocation attempt: a gateway serving the organization, or why not.</summary>
internal sealed record AllocationResult(Allocation? Allocation, Gateway? Gateway, AllocationFailure Failure, string? Detail)
{
    public bool Succeeded => Failure == AllocationFailure.None;

    public static AllocationResult Allocated(Allocation allocation, Gateway gateway) => new(allocation, gateway, AllocationFailure.None, null);

    public static AllocationResult Failed(AllocationFailure failure, string detail) => new(null, null, failure, detail);
}

internal enum AllocationFailure
{
    None,

    /// <summary>No gateway was ready; the pool manager has been asked to scale.</summary>
    PoolExhausted,

    /// <summary>A step failed and the finished ones were undone.</summary>
    RolledBack,

    /// <summary>Another actor's saga for the organization did not finish in time.</summary>
    Busy,
}

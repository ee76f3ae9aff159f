namespace Demiurge.Gateways;

/// <summary>One gateway worker of the pool, as the store knows it.</summary>
/// <remarks>
/// A gateway is an instance of its driver (<see cref="Runtime"/>, "process" or "docker"), found
/// again through <see cref="Instance"/>. <see cref="Build"/> is the build of the worker it runs
/// (<see cref="Demiurge.Runtime.IInstanceDriver.Build"/>), null when not recorded.
/// </remarks>
internal sealed record Gateway(
    string GatewayId,
    GatewayState State,
    string Runtime,
    string Address,
    int Port,
    int? Pid,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ReadyAt,
    string? Build = null)
{
    /// <summary>Whether the worker counts toward the pool's size: neither gone nor on its way out.</summary>
    public bool IsLive => State is not (GatewayState.Gone or GatewayState.Unhealthy);

    /// <summary>The worker's instance once its driver started it (the pid is recorded then); null before.</summary>
    public Demiurge.Runtime.InstanceHandle? Instance => Pid is { } pid
        ? new(Runtime, GatewayId, Demiurge.Runtime.InstanceHandle.LocalNode, [new Uri(Address)], [Port], pid)
        : null;
}

namespace Demiurge.Gateways;

/// <summary>One gateway worker of the pool, as the store knows it.</summary>
/// <remarks><see cref="Build"/> is the build of the worker it runs (<see cref="Runtime.IGatewayRuntime.Build"/>), null when not recorded.</remarks>
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
}

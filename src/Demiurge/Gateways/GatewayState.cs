namespace Demiurge.Gateways;

/// <summary>A pool member's state: starting → ready → allocating → allocated → releasing → ready, or unhealthy → gone.</summary>
internal enum GatewayState
{
    Starting,
    Ready,
    Allocating,
    Allocated,
    Releasing,
    Unhealthy,
    Gone,
}

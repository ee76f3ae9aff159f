namespace Demiurge.Protocol;

/// <summary>The worker's life: idle → handshaking → serving → releasing → idle.</summary>
internal enum GatewayWorkerState
{
    Idle,
    Handshaking,
    Serving,
    Releasing,
}

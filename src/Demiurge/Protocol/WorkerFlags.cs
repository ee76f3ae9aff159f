namespace Demiurge.Protocol;

/// <summary>The flags of <c>demiurge gateway</c>, as the pool launches a worker and the worker parses them.</summary>
internal static class WorkerFlags
{
    public const string ControlPlane = "--control-plane";
    public const string Port = "--port";
    public const string GatewayId = "--gateway-id";
    public const string InactivityTimeout = "--inactivity-timeout";
    public const string AutosaveInterval = "--autosave-interval";
    public const string OAuthCleanupInterval = "--oauth-cleanup-interval";
    public const string ContainerPorts = "--container-ports";
    public const string LogFormat = "--log-format";
    public const string RoomMessageMaxBytes = "--room-message-max-bytes";
    public const string RoomUpdatesPerSecond = "--room-updates-per-second";
    public const string RoomConnections = "--room-connections";
    public const string Rooms = "--rooms";
    public const string RoomSaveDelay = "--room-save-delay";
    public const string RoomSaveMaxDelay = "--room-save-max-delay";
    public const string RoomIdleUnload = "--room-idle-unload";
}

namespace Demiurge.Gateways;

/// <summary>What the control plane tells its gateway workers (section <c>Demiurge:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>Release an organization after this long without user activity (<c>off</c>, null, never releases).</summary>
    public TimeSpan? InactivityTimeout { get; set; } = GatewayProcess.GatewayProcessOptions.DefaultInactivityTimeout;

    /// <summary>How often a worker saves dirty data.</summary>
    public TimeSpan AutosaveInterval { get; set; } = GatewayProcess.GatewayProcessOptions.DefaultAutosaveInterval;

    /// <summary>How often a worker removes expired OAuth codes and tokens.</summary>
    public TimeSpan OAuthCleanupInterval { get; set; } = GatewayProcess.GatewayProcessOptions.DefaultOAuthCleanupInterval;

    /// <summary>
    /// Most an organization may store: its documents and its gateway state, as stored. Enforced
    /// when a document is written on the gateway and again at each push; a system admin can set
    /// another quota for one organization (<c>PATCH /orgs/{id}</c>).
    /// </summary>
    public ByteSize OrganizationStorageQuota { get; set; } = ByteSize.FromMebibytes(256);

    /// <summary>
    /// The loopback ports a user container may register as its endpoint (<c>--container-ports</c>).
    /// The gateway forwards anyone's request for a container's name to its endpoint, so a port of
    /// the platform's own (the API, PostgreSQL, a registry) would be published on the edge.
    /// </summary>
    public PortRange ContainerPorts { get; set; } = GatewayProcess.GatewayProcessOptions.DefaultContainerPorts;

    /// <summary>Largest message a room client may send (a client's sync step 2 carries its whole document).</summary>
    public ByteSize RoomMessageMaxBytes { get; set; } = new(GatewayProcess.Rooms.RoomLimits.DefaultMessageMaxBytes);

    /// <summary>Document and awareness updates one room connection may send per second.</summary>
    public int RoomUpdatesPerSecond { get; set; } = GatewayProcess.Rooms.RoomLimits.DefaultUpdatesPerSecond;

    /// <summary>Clients connected to one project's room at once.</summary>
    public int RoomConnections { get; set; } = GatewayProcess.Rooms.RoomLimits.DefaultConnectionsPerRoom;

    /// <summary>Rooms with clients on one gateway at once.</summary>
    public int Rooms { get; set; } = GatewayProcess.Rooms.RoomLimits.DefaultRoomsPerGateway;

    /// <summary>A room's updates are pushed this long after its last change (docs/rooms.md, durability).</summary>
    public TimeSpan RoomSaveDelay { get; set; } = GatewayProcess.Rooms.RoomLimits.DefaultSaveDelay;

    /// <summary>While edits go on, a room's unsaved updates are pushed at the latest this long after the oldest.</summary>
    public TimeSpan RoomSaveMaxDelay { get; set; } = GatewayProcess.Rooms.RoomLimits.DefaultSaveMaxDelay;

    /// <summary>A room with no client and nothing unsaved is unloaded after this long idle.</summary>
    public TimeSpan RoomIdleUnload { get; set; } = GatewayProcess.Rooms.RoomLimits.DefaultIdleUnload;

    /// <summary>The room limits as the workers' flags.</summary>
    internal Protocol.WorkerRoomLimits RoomLimits => new(RoomMessageMaxBytes.Bytes, RoomUpdatesPerSecond, RoomConnections, Rooms, RoomSaveDelay, RoomSaveMaxDelay, RoomIdleUnload);

    /// <summary>How long the handshake (the worker's config and pull) may take.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// What one client may ask of the rooms (docs/rooms.md). Exceeding a limit closes that client's
/// connection with its <see cref="RoomCloseCodes"/> code and a log line; the room goes on for the others.
/// </summary>
internal sealed record RoomLimits
{
    public const int DefaultMessageMaxBytes = 16 * 1024 * 1024;
    public const int DefaultUpdatesPerSecond = 200;
    public const int DefaultConnectionsPerRoom = 256;
    public const int DefaultRoomsPerGateway = 1024;

    /// <summary>
    /// A room's updates are pushed this long after its last change: with a tick of a quarter of it
    /// and the push's round trip, they reach the control plane within 2 s of the last change.
    /// </summary>
    public static readonly TimeSpan DefaultSaveDelay = TimeSpan.FromSeconds(1);

    /// <summary>While edits go on, a room's oldest unsaved update is pushed at the latest this long after it came (under the 10 s).</summary>
    public static readonly TimeSpan DefaultSaveMaxDelay = TimeSpan.FromSeconds(8);

    /// <summary>A room with no client and nothing unsaved is unloaded after this long without activity.</summary>
    public static readonly TimeSpan DefaultIdleUnload = TimeSpan.FromMinutes(1);

    public static readonly RoomLimits Default = new();

    /// <summary>Largest message a client may send (<c>--room-message-max-bytes</c>): a client's sync step 2 carries its whole document.</summary>
    public int MessageMaxBytes { get; init; } = DefaultMessageMaxBytes;

    /// <summary>Document and awareness updates one connection may send per second, in bursts of as many (<c>--room-updates-per-second</c>).</summary>
    public int UpdatesPerSecond { get; init; } = DefaultUpdatesPerSecond;

    /// <summary>Clients connected to one project's room at once (<c>--room-connections</c>).</summary>
    public int ConnectionsPerRoom { get; init; } = DefaultConnectionsPerRoom;

    /// <summary>Rooms with clients on this gateway at once (<c>--rooms</c>).</summary>
    public int RoomsPerGateway { get; init; } = DefaultRoomsPerGateway;

    /// <summary>Room updates are pushed this long after the last change (<c>--room-save-delay</c>).</summary>
    public TimeSpan SaveDelay { get; init; } = DefaultSaveDelay;

    /// <summary>While edits go on, unsaved room updates are pushed at the latest this long after the oldest (<c>--room-save-max-delay</c>).</summary>
    public TimeSpan SaveMaxDelay { get; init; } = DefaultSaveMaxDelay;

    /// <summary>A room without clients and with nothing unsaved is unloaded after this long idle (<c>--room-idle-unload</c>).</summary>
    public TimeSpan IdleUnload { get; init; } = DefaultIdleUnload;

    /// <summary>Every problem with the limits, each naming its flag.</summary>
    public IEnumerable<string> Errors()
    {
        if (MessageMaxBytes < 1024)
        {
            yield return $"{Protocol.WorkerFlags.RoomMessageMaxBytes} must be at least 1024, not {MessageMaxBytes}.";
        }

        foreach (var (flag, value) in new[]
        {
            (Protocol.WorkerFlags.RoomUpdatesPerSecond, UpdatesPerSecond), (Protocol.WorkerFlags.RoomConnections, ConnectionsPerRoom), (Protocol.WorkerFlags.Rooms, RoomsPerGateway),
        })
        {
            if (value < 1)
            {
                yield return $"{flag} must be at least 1, not {value}.";
            }
        }

        foreach (var (flag, value) in new[] { (Protocol.WorkerFlags.RoomSaveDelay, SaveDelay), (Protocol.WorkerFlags.RoomSaveMaxDelay, SaveMaxDelay), (Protocol.WorkerFlags.RoomIdleUnload, IdleUnload) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return $"{flag} must be longer than zero, not {value}.";
            }
        }

        if (SaveMaxDelay < SaveDelay)
        {
            yield return $"{Protocol.WorkerFlags.RoomSaveMaxDelay} ({SaveMaxDelay}) must not be shorter than {Protocol.WorkerFlags.RoomSaveDelay} ({SaveDelay}).";
        }
    }
}

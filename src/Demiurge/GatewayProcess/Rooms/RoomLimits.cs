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

    public static readonly RoomLimits Default = new();

    /// <summary>Largest message a client may send (<c>--room-message-max-bytes</c>): a client's sync step 2 carries its whole document.</summary>
    public int MessageMaxBytes { get; init; } = DefaultMessageMaxBytes;

    /// <summary>Document and awareness updates one connection may send per second, in bursts of as many (<c>--room-updates-per-second</c>).</summary>
    public int UpdatesPerSecond { get; init; } = DefaultUpdatesPerSecond;

    /// <summary>Clients connected to one project's room at once (<c>--room-connections</c>).</summary>
    public int ConnectionsPerRoom { get; init; } = DefaultConnectionsPerRoom;

    /// <summary>Rooms with clients on this gateway at once (<c>--rooms</c>).</summary>
    public int RoomsPerGateway { get; init; } = DefaultRoomsPerGateway;

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
    }
}

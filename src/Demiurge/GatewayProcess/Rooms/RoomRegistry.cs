namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// The gateway's open rooms, one per project with clients, for the session served now. A room is
/// made from the project's stored document when its first client comes, closed with
/// <see cref="RoomCloseCodes.Released"/> when the session closes (release, shutdown), and dropped
/// when its last client leaves: its state is in the project's document, saved with the others.
/// </summary>
internal sealed partial class RoomRegistry(RoomLimits limits, TimeProvider time, ILogger<RoomRegistry> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    public RoomLimits Limits { get; } = limits;

    /// <summary>Rooms open now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _rooms.Count;
            }
        }
    }

    /// <summary>Whether the project's room is open for <paramref name="session"/>: its document was read when it opened.</summary>
    public bool IsOpen(OrganizationSession session, string projectId)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(projectId, out var room) && room.Session == session;
        }
    }

    /// <summary>
    /// Lets <paramref name="connection"/> into the room of <paramref name="projectId"/> in
    /// <paramref name="session"/>, opening it if needed; a close code instead when it cannot be.
    /// </summary>
    public Room? Join(OrganizationSession session, string projectId, RoomConnection connection, out int closeCode)
    {
        ArgumentNullException.ThrowIfNull(session);
        closeCode = 0;
        lock (_gate)
        {
            if (_rooms.TryGetValue(projectId, out var room) && room.Session != session)
            {
                _rooms.Remove(projectId); // a released session's room: its connections are closing
                room = null;
            }

            var opened = false;
            if (room is null)
            {
                if (_rooms.Count >= Limits.RoomsPerGateway)
                {
                    closeCode = RoomCloseCodes.GatewayFull;
                    return null;
                }

                if (RoomDocument.Load(session.Document(projectId)?.Content) is not { } document)
                {
                    closeCode = RoomCloseCodes.Unreadable;
                    return null;
                }

                room = new Room(session, projectId, document, Limits.ConnectionsPerRoom, time);
                _rooms.Add(projectId, room);
                opened = true;
                var opening = room;
                session.Closing.Register(() => CloseReleased(opening));
            }

            if (room.Join(connection) is { } refused)
            {
                closeCode = refused;
                if (opened)
                {
                    _rooms.Remove(projectId);
                }

                return null;
            }

            if (opened)
            {
                LogOpened(logger, projectId, _rooms.Count);
            }

            return room;
        }
    }

    /// <summary>Takes <paramref name="connection"/> out of <paramref name="room"/>; the room is dropped once empty.</summary>
    public void Leave(Room room, RoomConnection connection)
    {
        ArgumentNullException.ThrowIfNull(room);
        if (!room.Leave(connection))
        {
            return;
        }

        lock (_gate)
        {
            // Checked again: a client may have joined since.
            if (_rooms.TryGetValue(room.ProjectId, out var current) && current == room && room.ConnectionCount == 0)
            {
                _rooms.Remove(room.ProjectId);
                LogUnloaded(logger, room.ProjectId, _rooms.Count);
            }
        }
    }

    private void CloseReleased(Room room)
    {
        var closed = room.Close(RoomCloseCodes.Released, "organization released");
        lock (_gate)
        {
            if (_rooms.TryGetValue(room.ProjectId, out var current) && current == room)
            {
                _rooms.Remove(room.ProjectId);
            }
        }

        LogClosedAtRelease(logger, room.ProjectId, closed, RoomCloseCodes.Released);
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Debug, Message = "Room of project {ProjectId} opened ({Rooms} open)")]
    private static partial void LogOpened(ILogger logger, string projectId, int rooms);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Debug, Message = "Room of project {ProjectId} unloaded: its last client left ({Rooms} open)")]
    private static partial void LogUnloaded(ILogger logger, string projectId, int rooms);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Room of project {ProjectId} closed at release: {Connections} connection(s) closed with {CloseCode}")]
    private static partial void LogClosedAtRelease(ILogger logger, string projectId, int connections, int closeCode);
}

namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// The gateway's open rooms, one per project, for the session served now. A room is made from the
/// project's stored document when its first client comes, closed with
/// <see cref="RoomCloseCodes.Released"/> when the session closes (release, shutdown), and unloaded
/// once it has had no client and nothing unsaved for <see cref="RoomLimits.IdleUnload"/> (or at
/// once, when the gateway is full and a newcomer needs its place).
/// </summary>
internal sealed partial class RoomRegistry : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger<RoomRegistry> _logger;
    private readonly ITimer _sweeper;

    public RoomRegistry(RoomLimits limits, TimeProvider time, ILogger<RoomRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(limits);
        Limits = limits;
        _time = time;
        _logger = logger;
        // A quarter of the idle time: a room is unloaded at most that late.
        var period = TimeSpan.FromTicks(Math.Max(limits.IdleUnload.Ticks / 4, TimeSpan.TicksPerMillisecond));
        _sweeper = time.CreateTimer(_ => Sweep(), null, period, period);
    }

    public RoomLimits Limits { get; }

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

    /// <summary>The project's room, if it is loaded.</summary>
    public Room? Find(string projectId)
    {
        lock (_gate)
        {
            return _rooms.GetValueOrDefault(projectId);
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
    /// <paramref name="session"/>, opening it if needed from <paramref name="loaded"/> (the
    /// project's document, decoded by the caller out of any lock) or else from the session's;
    /// a close code instead when it cannot be.
    /// </summary>
    public Room? Join(OrganizationSession session, string projectId, RoomConnection connection, RoomDocument? loaded, out int closeCode)
    {
        ArgumentNullException.ThrowIfNull(session);
        closeCode = 0;
        while (true)
        {
            lock (_gate)
            {
                if (_rooms.TryGetValue(projectId, out var room) && room.Session != session)
                {
                    _rooms.Remove(projectId); // a released session's room: its connections are closing
                    room = null;
                }

                if (room is not null || loaded is not null)
                {
                    return JoinLocked(session, projectId, connection, room, loaded, out closeCode);
                }
            }

            // Decoded out of the lock: opening one project's room never holds up the others'.
            if (RoomDocument.Load(session.Document(projectId)?.Content) is not { } document)
            {
                closeCode = RoomCloseCodes.Unreadable;
                return null;
            }

            loaded = document;
        }
    }

    /// <summary>Unloads the rooms idle for <see cref="RoomLimits.IdleUnload"/> with nothing unsaved; the registry's timer calls it.</summary>
    public void Sweep()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            foreach (var room in _rooms.Values.Where(room => room.TryUnload(now, Limits.IdleUnload)).ToList())
            {
                _rooms.Remove(room.ProjectId);
                LogUnloaded(_logger, room.ProjectId, _rooms.Count);
            }
        }
    }

    public void Dispose() => _sweeper.Dispose();

    private Room? JoinLocked(OrganizationSession session, string projectId, RoomConnection connection, Room? room, RoomDocument? loaded, out int closeCode)
    {
        closeCode = 0;
        var opened = false;
        if (room is null)
        {
            if (_rooms.Count >= Limits.RoomsPerGateway && !UnloadOneIdle())
            {
                closeCode = RoomCloseCodes.GatewayFull;
                return null;
            }

            room = new Room(session, projectId, loaded!, Limits.ConnectionsPerRoom, _time);
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
            LogOpened(_logger, projectId, _rooms.Count);
        }

        return room;
    }

    /// <summary>The gateway is full: unloads one room without clients and unsaved updates, however recently used.</summary>
    private bool UnloadOneIdle()
    {
        var now = _time.GetUtcNow();
        if (_rooms.Values.FirstOrDefault(room => room.TryUnload(now, TimeSpan.Zero)) is not { } unloaded)
        {
            return false;
        }

        _rooms.Remove(unloaded.ProjectId);
        LogUnloaded(_logger, unloaded.ProjectId, _rooms.Count);
        return true;
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

        LogClosedAtRelease(_logger, room.ProjectId, closed, RoomCloseCodes.Released);
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Debug, Message = "Room of project {ProjectId} opened ({Rooms} open)")]
    private static partial void LogOpened(ILogger logger, string projectId, int rooms);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Debug, Message = "Room of project {ProjectId} unloaded: idle, without clients or unsaved updates ({Rooms} open)")]
    private static partial void LogUnloaded(ILogger logger, string projectId, int rooms);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Room of project {ProjectId} closed at release: {Connections} connection(s) closed with {CloseCode}")]
    private static partial void LogClosedAtRelease(ILogger logger, string projectId, int connections, int closeCode);
}

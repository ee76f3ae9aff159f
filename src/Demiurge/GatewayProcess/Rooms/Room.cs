namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// One project's room while it has clients: the document, the clients' awareness, and the
/// connections. One lock (<see cref="_gate"/>) orders everything, so every connection sees the
/// room's messages in the order the room took them; it is held only in memory, never across an
/// await (sending is queueing, see <see cref="RoomConnection.Send"/>).
/// </summary>
/// <remarks>
/// The document is written through to the project's document of the session at every update,
/// so the autosave and the release push carry it as the project's state (<c>yjs_state</c>). A
/// room is made from that stored document before its first client is let in, so no client's sync
/// is answered before the state has loaded; it is dropped when its last client leaves.
/// </remarks>
internal sealed class Room
{
    private readonly Lock _gate = new();
    private readonly RoomDocument _document;
    private readonly List<RoomConnection> _connections = [];
    private readonly RoomAwareness _awareness = new();
    private readonly int _maxConnections;
    private readonly TimeProvider _time;
    private bool _closed;

    public Room(OrganizationSession session, string projectId, RoomDocument document, int maxConnections, TimeProvider time)
    {
        Session = session;
        ProjectId = projectId;
        _document = document;
        _maxConnections = maxConnections;
        _time = time;
    }

    public OrganizationSession Session { get; }

    public string ProjectId { get; }

    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>
    /// Lets <paramref name="connection"/> in and sends it the room's sync step 1 and the clients'
    /// awareness; a close code instead when the room is closed or full.
    /// </summary>
    public int? Join(RoomConnection connection)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return RoomCloseCodes.Released;
            }

            if (_connections.Count >= _maxConnections)
            {
                return RoomCloseCodes.RoomFull;
            }

            _connections.Add(connection);
            connection.Send(RoomMessages.SyncMessage(RoomMessages.SyncStep1, _document.StateVector()));
            if (_awareness.Present() is { Count: > 0 } present)
            {
                connection.Send(RoomMessages.AwarenessMessage(present));
            }

            return null;
        }
    }

    /// <summary>Takes <paramref name="connection"/> out; its clients' awareness is removed for the others, as y-protocols removes it. True when the room is empty now.</summary>
    public bool Leave(RoomConnection connection)
    {
        lock (_gate)
        {
            if (!_connections.Remove(connection))
            {
                return _connections.Count == 0;
            }

            var removed = _awareness.RemoveOwnedBy(connection);
            if (removed.Count > 0)
            {
                Broadcast(RoomMessages.AwarenessMessage(removed), except: null);
            }

            return _connections.Count == 0;
        }
    }

    /// <summary>Closes every connection with <paramref name="code"/>; no one joins after.</summary>
    public int Close(int code, string reason)
    {
        lock (_gate)
        {
            _closed = true;
            foreach (var connection in _connections)
            {
                connection.Close(code, reason);
            }

            return _connections.Count;
        }
    }

    /// <summary>A client's sync step 1: answered with the step 2 that gives it what it lacks; false for a state vector that does not decode.</summary>
    public bool SyncStep1(RoomConnection connection, ReadOnlySpan<byte> stateVector)
    {
        lock (_gate)
        {
            if (_document.SyncStep2(stateVector) is not { } step2)
            {
                return false;
            }

            connection.Send(step2);
            return true;
        }
    }

    /// <summary>Whether <paramref name="update"/> would change nothing (a viewer's empty sync step 2).</summary>
    public bool AddsNothing(ReadOnlySpan<byte> update)
    {
        lock (_gate)
        {
            return _document.With(update) is null;
        }
    }

    /// <summary>
    /// Applies a member's update: stored in the project's document (within the organization's
    /// quota), counted as user activity, then relayed to the other connections. How the project's document took it.
    /// </summary>
    public ProjectAccess Update(RoomConnection connection, ReadOnlySpan<byte> update)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return ProjectAccess.NotServing;
            }

            if (_document.With(update) is not { } merged)
            {
                return ProjectAccess.Done; // it adds nothing: neither a write nor activity
            }

            var access = Session.Write(ProjectId, Convert.ToBase64String(merged));
            if (access == ProjectAccess.Done)
            {
                _document.Apply(merged);
                Session.Touch(_time.GetUtcNow()); // user activity, before anyone hears of it
                Broadcast(RoomMessages.SyncMessage(RoomMessages.SyncUpdate, update), except: connection);
            }

            return access;
        }
    }

    /// <summary>
    /// A client's awareness entries: those newer than the room's are taken and relayed to every
    /// connection, the sender's too (y-websocket's server does the same, and it keeps a lone
    /// client's connection alive: the client closes one that brings nothing for 30 s). True when a
    /// client's state changed, rather than being renewed unchanged.
    /// </summary>
    public bool Awareness(RoomConnection connection, List<AwarenessEntry> entries)
    {
        lock (_gate)
        {
            var taken = _awareness.Apply(connection, entries, out var changed);
            if (changed)
            {
                Session.Touch(_time.GetUtcNow()); // user activity; a renewal of the same state is not
            }

            if (taken.Count > 0)
            {
                Broadcast(RoomMessages.AwarenessMessage(taken), except: null);
            }

            return changed;
        }
    }

    /// <summary>A client's query-awareness: every known state.</summary>
    public void QueryAwareness(RoomConnection connection)
    {
        lock (_gate)
        {
            connection.Send(RoomMessages.AwarenessMessage(_awareness.Present()));
        }
    }

    private void Broadcast(byte[] message, RoomConnection? except)
    {
        foreach (var connection in _connections)
        {
            if (connection != except)
            {
                connection.Send(message);
            }
        }
    }
}

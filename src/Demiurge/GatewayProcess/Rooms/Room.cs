namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// One project's room: the document, the clients' awareness, and the connections. One lock
/// (<see cref="_gate"/>) orders everything, so every connection sees the room's messages in the
/// order the room took them; it is held only in memory, never across an await (sending is
/// queueing, see <see cref="RoomConnection.Send"/>).
/// </summary>
/// <remarks>
/// Each update a member sends is appended to the project's document of the session
/// (<see cref="OrganizationSession.Append"/>), which pushes the updates as deltas on the rooms'
/// cadence; reads of the project's document come to the room while it is open. A room is made
/// from that stored document before its first client is let in, so no client's sync is answered
/// before the state has loaded. It stays loaded while it has clients or unsaved updates, and is
/// unloaded once idle (<see cref="TryUnload"/>), leaving its document to the session.
/// </remarks>
internal sealed class Room
{
    private readonly Lock _gate = new();
    private readonly RoomDocument _document;
    private readonly List<RoomConnection> _connections = [];
    private readonly RoomAwareness _awareness = new();
    private readonly int _maxConnections;
    private readonly TimeProvider _time;
    private readonly long _contentWrite;
    private DateTimeOffset _lastActivity;
    private bool _closed;

    public Room(OrganizationSession session, string projectId, RoomDocument document, int maxConnections, TimeProvider time)
    {
        Session = session;
        ProjectId = projectId;
        _document = document;
        _maxConnections = maxConnections;
        _time = time;
        _lastActivity = time.GetUtcNow();
        _contentWrite = session.Attach(projectId, Live);
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
            _lastActivity = _time.GetUtcNow();
            connection.Send(RoomMessages.SyncMessage(RoomMessages.SyncStep1, _document.StateVector()));
            if (_awareness.Present() is { Count: > 0 } present)
            {
                connection.Send(RoomMessages.AwarenessMessage(present));
            }

            return null;
        }
    }

    /// <summary>Takes <paramref name="connection"/> out; its clients' awareness is removed for the others, as y-protocols removes it.</summary>
    public void Leave(RoomConnection connection)
    {
        lock (_gate)
        {
            if (!_connections.Remove(connection))
            {
                return;
            }

            _lastActivity = _time.GetUtcNow();

            var removed = _awareness.RemoveOwnedBy(connection);
            if (removed.Count > 0)
            {
                Broadcast(RoomMessages.AwarenessMessage(removed), except: null);
            }
        }
    }

    /// <summary>Closes every connection with <paramref name="code"/>; no one joins after.</summary>
    public int Close(int code, string reason)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                _closed = true;
                LeaveDocument();
            }

            foreach (var connection in _connections)
            {
                connection.Close(code, reason);
            }

            return _connections.Count;
        }
    }

    /// <summary>
    /// Closes the room if it has had no client for <paramref name="idle"/> and the project has no
    /// unsaved update: its document goes back to the session. True when it did.
    /// </summary>
    public bool TryUnload(DateTimeOffset now, TimeSpan idle)
    {
        lock (_gate)
        {
            if (_closed || _connections.Count > 0 || now - _lastActivity < idle || Session.HasUnsavedUpdates(ProjectId))
            {
                return false;
            }

            _closed = true;
            LeaveDocument();
            return true;
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
            return _document.AddsNothing(update);
        }
    }

    /// <summary>
    /// Applies a member's update: appended to the project's document (within the organization's
    /// quota), counted as user activity, then relayed to the other connections. A sync step 2
    /// (<paramref name="step2"/>) that adds nothing is none of these. How the project's document took it.
    /// </summary>
    public ProjectAccess Update(RoomConnection connection, ReadOnlySpan<byte> update, bool step2)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return ProjectAccess.NotServing;
            }

            // A client's edits are new by construction; only its sync step 2 may repeat what the room
            // holds, which takes a merge to tell: that merge becomes the document.
            var bytes = update.ToArray();
            var merged = step2 ? _document.With(bytes) : null;
            if (step2 ? merged is null : Demiurge.Yjs.YUpdate.IsEmpty(update))
            {
                return ProjectAccess.Done; // neither a write nor activity
            }

            var now = _time.GetUtcNow();
            var access = Session.Append(ProjectId, bytes, now);
            if (access == ProjectAccess.Done)
            {
                if (merged is not null)
                {
                    _document.Take(merged);
                }

                if (merged is not null || _document.Append(bytes))
                {
                    Session.Resize(ProjectId, OrganizationSession.Base64Length(_document.Bytes));
                }

                _lastActivity = now;
                Session.Touch(now); // user activity, before anyone hears of it
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

    /// <summary>The document for reads of the project while the room is open (base64; null before its first update).</summary>
    private string? Live()
    {
        lock (_gate)
        {
            return _document.Changed ? Convert.ToBase64String(_document.Snapshot()) : null;
        }
    }

    /// <summary>Hands the document back to the session (the caller holds <see cref="_gate"/> and closed the room).</summary>
    private void LeaveDocument() =>
        Session.Unload(ProjectId, _document.Changed ? Convert.ToBase64String(_document.Snapshot()) : null, _contentWrite);

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

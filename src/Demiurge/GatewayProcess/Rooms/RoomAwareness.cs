namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// The room's view of its clients' awareness, kept as y-protocols' <c>Awareness</c> keeps it: per
/// client id, the newest clock and state (the state as JSON text), and which connection speaks for
/// it. Not thread-safe: the room's lock guards it.
/// </summary>
internal sealed class RoomAwareness
{
    private readonly Dictionary<ulong, (ulong Clock, string State, RoomConnection? Owner)> _clients = [];

    /// <summary>The clients with a state, as awareness entries.</summary>
    public List<AwarenessEntry> Present() =>
        [.. _clients.Where(c => c.Value.State != AwarenessEntry.Removed).Select(c => new AwarenessEntry(c.Key, c.Value.Clock, c.Value.State))];

    /// <summary>
    /// Takes the entries y-protocols would take: a newer clock, or a removal at the same clock of a
    /// client that has a state. <paramref name="changed"/> says whether a state was added, removed
    /// or changed, rather than renewed as it was.
    /// </summary>
    public List<AwarenessEntry> Apply(RoomConnection owner, IEnumerable<AwarenessEntry> entries, out bool changed)
    {
        changed = false;
        var taken = new List<AwarenessEntry>();
        foreach (var entry in entries)
        {
            var known = _clients.TryGetValue(entry.ClientId, out var current);
            var present = known && current.State != AwarenessEntry.Removed;
            if (!(current.Clock < entry.Clock || (known && current.Clock == entry.Clock && entry.IsRemoved && present)))
            {
                continue;
            }

            changed |= entry.IsRemoved ? present : !present || current.State != entry.State;
            _clients[entry.ClientId] = (entry.Clock, entry.State, entry.IsRemoved ? null : owner);
            taken.Add(entry);
        }

        return taken;
    }

    /// <summary>Removes the states of the clients <paramref name="owner"/> spoke for (its connection closed): each at its next clock.</summary>
    public List<AwarenessEntry> RemoveOwnedBy(RoomConnection owner)
    {
        var removed = new List<AwarenessEntry>();
        foreach (var (clientId, (clock, state, current)) in _clients.ToList())
        {
            if (current == owner && state != AwarenessEntry.Removed)
            {
                _clients[clientId] = (clock + 1, AwarenessEntry.Removed, null);
                removed.Add(new AwarenessEntry(clientId, clock + 1, AwarenessEntry.Removed));
            }
        }

        return removed;
    }
}

using System.Collections.Concurrent;

namespace Demiurge.Edge;

/// <summary>
/// The embedded edge's host→destinations map. A request's host is looked up as it is, then, with
/// its first label stripped, among the wildcards: at most two dictionary lookups, with no
/// allocation and no lock, whatever the number of routes. Writers take a lock among themselves only.
/// </summary>
internal sealed class EdgeRouteTable
{
    // Exact hosts, and wildcards keyed by the name after "*.", so that a lookup needs no new string.
    private readonly ConcurrentDictionary<string, Entry> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Entry> _wildcards = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _wildcardLookup;
    private readonly Lock _writeLock = new();

    public EdgeRouteTable()
    {
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardLookup = _wildcards.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Host patterns that route somewhere now.</summary>
    public int Count => _exact.Count(r => r.Value.Destinations is not null) + _wildcards.Count(r => r.Value.Destinations is not null);

    /// <summary>
    /// Sets (or, with no destinations, removes) <paramref name="route"/> as of store version
    /// <paramref name="version"/>. Older news than what the table holds is ignored, so the
    /// router's own write and a watcher's poll may arrive in either order.
    /// </summary>
    public void Apply(EdgeRoute route, long version)
    {
        ArgumentNullException.ThrowIfNull(route);
        var (routes, key) = route.Host.StartsWith("*.", StringComparison.Ordinal) ? (_wildcards, route.Host[2..]) : (_exact, route.Host);
        lock (_writeLock)
        {
            if (routes.TryGetValue(key, out var current) && current.Version > version)
            {
                return;
            }

            // A removed route keeps its version, so that a late, older write cannot revive it.
            routes[key] = new Entry(version, route.IsRemoved ? null : new WeightedDestinations(route.Destinations));
        }
    }

    /// <summary>The destinations serving <paramref name="host"/> (a request's host, without port), or null when no route matches.</summary>
    public WeightedDestinations? Find(ReadOnlySpan<char> host)
    {
        host = host.TrimEnd('.');
        if (_exactLookup.TryGetValue(host, out var exact) && exact.Destinations is not null)
        {
            return exact.Destinations;
        }

        var dot = host.IndexOf('.');
        return dot > 0 && _wildcardLookup.TryGetValue(host[(dot + 1)..], out var wildcard) ? wildcard.Destinations : null;
    }

    private sealed record Entry(long Version, WeightedDestinations? Destinations);
}

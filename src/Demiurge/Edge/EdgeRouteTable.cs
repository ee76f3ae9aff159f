using System.Collections.Concurrent;
using Demiurge.Hosting;
using Microsoft.Extensions.Options;

namespace Demiurge.Edge;

/// <summary>
/// The embedded edge's host→gateway map. A request for <c>org-{id}.{domain}</c> or any name
/// under it finds its route by the <c>org-{id}</c> label just before the domain: one dictionary
/// lookup, with no allocation and no lock. Writers take a lock among themselves only.
/// </summary>
internal sealed class EdgeRouteTable
{
    private readonly ConcurrentDictionary<string, Entry> _routes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Lock _writeLock = new();
    private readonly string _suffix;

    public EdgeRouteTable(IOptions<DemiurgeOptions> options)
    {
        _lookup = _routes.GetAlternateLookup<ReadOnlySpan<char>>();
        _suffix = "." + options.Value.Domain.TrimEnd('.');
    }

    /// <summary>Hosts that route somewhere now.</summary>
    public int Count => _routes.Count(r => r.Value.Destination is not null);

    /// <summary>
    /// Sets (or, with a null destination, removes) the route of <paramref name="host"/> as of
    /// store version <paramref name="version"/>. Older news than what the table holds is ignored,
    /// so the router's own write and a watcher's poll may arrive in either order.
    /// </summary>
    public void Apply(string host, Uri? destination, long version)
    {
        lock (_writeLock)
        {
            if (_routes.TryGetValue(host, out var current) && current.Version > version)
            {
                return;
            }

            // A removed route keeps its version, so that a late, older write cannot revive it.
            _routes[host] = new Entry(version, destination);
        }
    }

    /// <summary>The gateway serving <paramref name="host"/> (a request's host, without port), or null.</summary>
    public Uri? Find(ReadOnlySpan<char> host)
    {
        host = host.TrimEnd('.');
        if (host.Length <= _suffix.Length || !host.EndsWith(_suffix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var dot = host[..^_suffix.Length].LastIndexOf('.');
        return _lookup.TryGetValue(host[(dot + 1)..], out var entry) ? entry.Destination : null;
    }

    private sealed record Entry(long Version, Uri? Destination);
}

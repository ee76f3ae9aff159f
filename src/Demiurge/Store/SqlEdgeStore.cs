using System.Text.Json;
using Demiurge.Edge;

namespace Demiurge.Store;

/// <summary>Edge routes (migrations 0003, 0011), a <see cref="ChangeFeed"/> that every edge follows.</summary>
internal sealed class SqlEdgeStore(Database database) : IEdgeStore
{
    private const string Feed = "edge";

    // A route's destinations, as [{"address": "http://…", "weight": 1, "draining": false}].
    private static readonly JsonSerializerOptions s_routeJson = new(JsonSerializerDefaults.Web);

    public Task<long> EdgeRoutesSetAsync(IReadOnlyList<EdgeRoute> routes, CancellationToken cancellationToken) =>
        ChangeFeed.WriteAsync(database, Feed, routes, """
            INSERT INTO edge_routes (host, destinations, version) VALUES (@host, @destinations, @version)
            ON CONFLICT (host) DO UPDATE SET destinations = excluded.destinations, version = excluded.version
            """,
            route => [("@host", route.Host), ("@destinations", route.IsRemoved ? null : JsonSerializer.Serialize(route.Destinations, s_routeJson))],
            cancellationToken);

    public Task<(long Version, IReadOnlyList<EdgeRoute> Changes)> EdgeRoutesChangedAsync(long afterVersion, CancellationToken cancellationToken) =>
        ChangeFeed.ChangedAsync(database, Feed, "SELECT host, destinations FROM edge_routes WHERE version > @after ORDER BY version", afterVersion,
            r => new EdgeRoute(r.GetString(0), r.IsDBNull(1) ? [] : JsonSerializer.Deserialize<EdgeDestination[]>(r.GetString(1), s_routeJson)!),
            cancellationToken);
}

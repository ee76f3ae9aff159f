using Demiurge.Edge;

namespace Demiurge.Store;

/// <summary>Edge routes (migration 0003), a <see cref="ChangeFeed"/> that every edge follows.</summary>
internal sealed class SqlEdgeStore(Database database) : IEdgeStore
{
    private const string Feed = "edge";

    public async Task<long> EdgeRouteSetAsync(string host, Uri? destination, CancellationToken cancellationToken)
    {
        long version = 0;
        await database.WriteAsync(async session =>
        {
            version = await ChangeFeed.NextVersionAsync(session, Feed, cancellationToken);
            await session.ExecuteAsync("""
                INSERT INTO edge_routes (host, destination, version) VALUES (@host, @destination, @version)
                ON CONFLICT (host) DO UPDATE SET destination = excluded.destination, version = excluded.version
                """, cancellationToken, ("@host", host), ("@destination", destination?.ToString()), ("@version", version));
            return true;
        }, null, cancellationToken);
        return version;
    }

    public Task<(long Version, IReadOnlyList<EdgeRoute> Changes)> EdgeRoutesChangedAsync(long afterVersion, CancellationToken cancellationToken) =>
        ChangeFeed.ChangedAsync(database, Feed, "SELECT host, destination FROM edge_routes WHERE version > @after ORDER BY version", afterVersion,
            r => new EdgeRoute(r.GetString(0), r.IsDBNull(1) ? null : new Uri(r.GetString(1))),
            cancellationToken);
}

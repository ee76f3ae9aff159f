namespace Demiurge.Edge;

/// <summary>
/// Publishes routes to the store, where every embedded edge (in this process or a
/// <c>demiurge edge</c> elsewhere) follows them, and to this process's table at once.
/// </summary>
internal sealed class EmbeddedEdgeRouter(IEdgeStore store, EdgeRouteTable table, IOptions<PlatformOptions> options) : IEdgeRouter
{
    public async Task SetRoutesAsync(IReadOnlyList<EdgeRoute> routes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(routes);
        foreach (var route in routes)
        {
            route.Validate(options.Value.Domain);
        }

        var version = await store.EdgeRoutesSetAsync(routes, cancellationToken);
        foreach (var route in routes)
        {
            table.Apply(route, version);
        }
    }

    public Task<IReadOnlyList<EdgeRoute>> ListRoutesAsync(CancellationToken cancellationToken) => store.EdgeRoutesListAsync(cancellationToken);
}

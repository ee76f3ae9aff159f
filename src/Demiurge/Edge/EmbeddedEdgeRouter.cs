using Demiurge.Hosting;
using Microsoft.Extensions.Options;

namespace Demiurge.Edge;

/// <summary>
/// Publishes routes to the store, where every embedded edge (in this process or a
/// <c>demiurge edge</c> elsewhere) follows them, and to this process's table at once.
/// </summary>
internal sealed class EmbeddedEdgeRouter(IEdgeStore store, EdgeRouteTable table, IOptions<DemiurgeOptions> options) : IEdgeRouter
{
    public Task SetRouteAsync(string organizationId, Uri gateway, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        return ApplyAsync(organizationId, gateway, cancellationToken);
    }

    public Task RemoveRouteAsync(string organizationId, CancellationToken cancellationToken) => ApplyAsync(organizationId, null, cancellationToken);

    public async Task<IReadOnlyCollection<string>> ListRoutedOrganizationsAsync(CancellationToken cancellationToken)
    {
        // Every route ever set, the removed ones kept with no destination (so that edges following
        // the versions see the removal): only those with a destination are routed.
        var (_, routes) = await store.EdgeRoutesChangedAsync(0, cancellationToken);
        return routes.Where(r => r.Destination is not null)
            .Select(r => GatewayNames.OrganizationOf(r.Host, options.Value.Domain)).OfType<string>().ToHashSet();
    }

    private async Task ApplyAsync(string organizationId, Uri? gateway, CancellationToken cancellationToken)
    {
        var host = GatewayNames.Hostname(organizationId, options.Value.Domain);
        var version = await store.EdgeRouteSetAsync(host, gateway, cancellationToken);
        table.Apply(host, gateway, version);
    }
}

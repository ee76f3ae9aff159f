using System.Collections.Concurrent;

namespace Demiurge.Edge;

/// <summary>The host→gateway map the embedded edge proxy will forward with (the proxy itself comes in issue 5).</summary>
internal sealed class InMemoryEdgeRouter : IEdgeRouter
{
    private readonly ConcurrentDictionary<string, Uri> _routes = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, Uri> Routes => _routes;

    public Task SetRouteAsync(string organizationId, Uri gateway, CancellationToken cancellationToken)
    {
        _routes[organizationId] = gateway;
        return Task.CompletedTask;
    }

    public Task RemoveRouteAsync(string organizationId, CancellationToken cancellationToken)
    {
        _routes.TryRemove(organizationId, out _);
        return Task.CompletedTask;
    }
}

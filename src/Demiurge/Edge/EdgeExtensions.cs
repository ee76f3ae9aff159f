using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Demiurge.Edge;

internal static class EdgeExtensions
{
    /// <summary>The stage-1 edge the allocation saga publishes routes to.</summary>
    public static IServiceCollection AddEdge(this IServiceCollection services)
    {
        services.TryAddSingleton<IEdgeRouter, InMemoryEdgeRouter>();
        return services;
    }
}

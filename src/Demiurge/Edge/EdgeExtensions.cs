using Demiurge.Edge.Nginx;

namespace Demiurge.Edge;

internal static class EdgeExtensions
{
    /// <summary>
    /// The stage-1 edge routes are published to: the embedded edge (the store and this process's
    /// table, served in process when the role says so) or nginx (this host's, and following the store).
    /// </summary>
    public static IServiceCollection AddEdge(this IServiceCollection services)
    {
        services.TryAddSingleton<EdgeRouteTable>();
        services.TryAddSingleton<EmbeddedEdgeRouter>();
        services.TryAddSingleton<NginxEdgeRouter>();
        services.TryAddSingleton<IEdgeRouter>(provider => provider.GetRequiredService<IOptions<EdgeOptions>>().Value.Provider == EdgeOptions.Nginx
            ? provider.GetRequiredService<NginxEdgeRouter>()
            : provider.GetRequiredService<EmbeddedEdgeRouter>());
        services.TryAddSingleton<EmbeddedEdgeService>();
        services.AddHostedService(provider => provider.GetRequiredService<EmbeddedEdgeService>());
        services.AddHostedService(provider => provider.GetRequiredService<NginxEdgeRouter>());
        return services;
    }
}

using Demiurge.Coordination;
using Demiurge.Reconciliation;

namespace Demiurge.Gateways;

internal static class GatewayExtensions
{
    /// <summary>
    /// The pool: the allocation saga, the reconcilers of gateways, of the pool's size and of
    /// published names, the stop of every worker at shutdown, and the directory of control planes
    /// the workers call.
    /// </summary>
    public static IServiceCollection AddGateways(this IServiceCollection services)
    {
        services.TryAddSingleton<WorkerClient>();
        services.TryAddSingleton<GatewaySettingsPublisher>();
        services.TryAddSingleton<GatewayAllocator>();
        services.AddHttpClient(GatewayAllocator.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(60));
        services.TryAddSingleton<ControlPlaneDirectory>();
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<ControlPlaneDirectory>());
        services.TryAddSingleton<GatewayPortAllocator>();
        services.TryAddSingleton<GatewayRemover>();
        services.TryAddSingleton<GatewayLauncher>();
        services.AddReconciler<GatewayReconciler>();
        services.AddReconciler<PoolAutoscaler>();
        services.AddReconciler<PublishedNamesReconciler>();
        services.AddHostedService<PoolShutdown>();
        return services;
    }
}

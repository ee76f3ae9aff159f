using Demiurge.Coordination;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Demiurge.Gateways;

internal static class GatewayExtensions
{
    /// <summary>The pool: the allocation saga, the pool manager, the reconciler of published names, and the directory of control planes the workers call.</summary>
    public static IServiceCollection AddGateways(this IServiceCollection services)
    {
        services.TryAddSingleton<PoolSignal>();
        services.TryAddSingleton<WorkerClient>();
        services.TryAddSingleton<GatewaySettingsPublisher>();
        services.TryAddSingleton<GatewayAllocator>();
        services.AddHttpClient(GatewayAllocator.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(60));
        services.TryAddSingleton<ControlPlaneDirectory>();
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<ControlPlaneDirectory>());
        services.AddHostedService<PoolManager>();
        services.AddHostedService<PublishedNamesReconciler>();
        return services;
    }
}

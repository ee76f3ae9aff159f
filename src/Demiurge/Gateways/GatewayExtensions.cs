using Demiurge.Dns;
using Demiurge.Edge;
using Demiurge.Runtime;
using Demiurge.Runtime.Process;
using Demiurge.Store;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Demiurge.Gateways;

internal static class GatewayExtensions
{
    /// <summary>The pool: the allocation saga, the pool manager and the embedded DNS, edge and runtime defaults.</summary>
    public static IServiceCollection AddGateways(this IServiceCollection services)
    {
        services.TryAddSingleton<IGatewayStore>(provider => (IGatewayStore)provider.GetRequiredService<IStore>());
        services.TryAddSingleton<IDnsProvider, InMemoryDnsProvider>();
        services.TryAddSingleton<IEdgeRouter, InMemoryEdgeRouter>();
        services.TryAddSingleton<IGatewayRuntime, ProcessGatewayRuntime>();
        services.TryAddSingleton<PoolSignal>();
        services.TryAddSingleton<GatewayAllocator>();
        services.AddHttpClient(GatewayAllocator.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(60));
        services.AddHostedService<PoolManager>();
        return services;
    }
}

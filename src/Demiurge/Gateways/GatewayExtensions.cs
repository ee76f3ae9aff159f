using Demiurge.Store;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Demiurge.Gateways;

internal static class GatewayExtensions
{
    /// <summary>The pool: the allocation saga, and the pool manager.</summary>
    public static IServiceCollection AddGateways(this IServiceCollection services)
    {
        services.TryAddSingleton<IGatewayStore>(provider => (IGatewayStore)provider.GetRequiredService<IStore>());
        services.TryAddSingleton<PoolSignal>();
        services.TryAddSingleton<GatewayAllocator>();
        services.AddHttpClient(GatewayAllocator.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(60));
        services.AddHostedService<PoolManager>();
        return services;
    }
}

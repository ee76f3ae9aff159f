using Demiurge.Runtime.Process;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Demiurge.Runtime;

internal static class RuntimeExtensions
{
    /// <summary>The runtime the pool manager starts gateways on.</summary>
    public static IServiceCollection AddRuntime(this IServiceCollection services)
    {
        services.TryAddSingleton<IGatewayRuntime, ProcessGatewayRuntime>();
        return services;
    }
}

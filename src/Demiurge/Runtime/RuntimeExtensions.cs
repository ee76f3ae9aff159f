using Demiurge.Hosting;
using Demiurge.Runtime.Docker;
using Demiurge.Runtime.Process;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Demiurge.Runtime;

internal static class RuntimeExtensions
{
    /// <summary>The runtime the pool manager starts gateways on, chosen by <c>--runtime</c>.</summary>
    public static IServiceCollection AddRuntime(this IServiceCollection services)
    {
        services.TryAddSingleton<IGatewayRuntime>(provider =>
            provider.GetRequiredService<IOptions<DemiurgeOptions>>().Value.Runtime.Provider == RuntimeOptions.DockerProvider
                ? ActivatorUtilities.CreateInstance<DockerGatewayRuntime>(provider)
                : ActivatorUtilities.CreateInstance<ProcessGatewayRuntime>(provider));
        return services;
    }
}

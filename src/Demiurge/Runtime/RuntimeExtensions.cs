using Demiurge.Runtime.Docker;
using Demiurge.Runtime.Process;

namespace Demiurge.Runtime;

internal static class RuntimeExtensions
{
    /// <summary>The instance driver the pool starts gateways with, chosen by <c>--runtime</c>.</summary>
    public static IServiceCollection AddRuntime(this IServiceCollection services)
    {
        services.TryAddSingleton<IInstanceDriver>(provider =>
            provider.GetRequiredService<IOptions<RuntimeOptions>>().Value.Provider == RuntimeOptions.DockerProvider
                ? ActivatorUtilities.CreateInstance<DockerDriver>(provider)
                : ActivatorUtilities.CreateInstance<ProcessDriver>(provider));
        return services;
    }
}

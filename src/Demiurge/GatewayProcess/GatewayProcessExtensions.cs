using Demiurge.GatewayProcess.Routing;
using Demiurge.GatewayProcess.Users;

namespace Demiurge.GatewayProcess;

internal static class GatewayProcessExtensions
{
    /// <summary>The worker, its control-plane client, the user-token verifier, stage 2's forwarder and the background loop, for the given settings.</summary>
    public static IServiceCollection AddGatewayProcess(this IServiceCollection services, GatewayProcessOptions options)
    {
        services.TryAddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ControlPlaneClient>();
        services.TryAddSingleton<ControlPlaneAuthentication>();
        services.TryAddSingleton<UserTokenVerifier>();
        services.TryAddSingleton<GatewayWorker>();
        services.TryAddSingleton(options.RoomLimits);
        services.TryAddSingleton<Rooms.RoomRegistry>();
        services.TryAddSingleton<GatewayWarmup>();
        services.AddHttpForwarder();
        services.TryAddSingleton<ContainerForwarder>();
        services.AddHostedService<GatewayWorkerService>();
        return services;
    }
}

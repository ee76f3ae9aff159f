using Demiurge.Coordination;
using Demiurge.Events;
using Demiurge.Hosting;
using Demiurge.Identity;
using Demiurge.Runtime;
using Demiurge.Store;
using Microsoft.Extensions.Options;

namespace Demiurge.Gateways;

/// <summary>
/// Starts new workers: a port from <see cref="GatewayPortAllocator"/>, a gateway row in
/// <c>starting</c>, then the worker on the runtime. The worker reports itself ready.
/// </summary>
internal sealed partial class GatewayLauncher(
    IGatewayStore store,
    IGatewayRuntime runtime,
    GatewayPortAllocator ports,
    GatewayRemover remover,
    IOptions<DemiurgeOptions> options,
    ControlPlaneDirectory directory,
    Security.KeyRing keyRing,
    TimeProvider time,
    ILogger<GatewayLauncher> logger) : IDisposable
{
    // A port is chosen and recorded under this lock, so two launches of this process never share one.
    private readonly SemaphoreSlim _choosing = new(1, 1);

    /// <summary>Starts <paramref name="count"/> workers, and returns those that got a port (a full range stops early).</summary>
    public async Task<IReadOnlyList<Gateway>> LaunchAsync(int count, CancellationToken cancellationToken)
    {
        var launched = new List<Gateway>();
        for (var i = 0; i < count && await LaunchAsync(cancellationToken) is { } gateway; i++)
        {
            launched.Add(gateway);
        }

        return launched;
    }

    public void Dispose() => _choosing.Dispose();

    private async Task<Gateway?> LaunchAsync(CancellationToken cancellationToken)
    {
        var token = Tokens.New();
        var gatewayOptions = options.Value.Gateway;
        GatewayLaunch launch;
        Gateway gateway;
        await _choosing.WaitAsync(cancellationToken);
        try
        {
            if (ports.Next(await store.GatewayListAsync(cancellationToken)) is not { } port)
            {
                LogNoPort(logger, ports.Range.ToString());
                return null;
            }

            var gatewayId = Ids.New();
            var now = time.GetUtcNowMilliseconds();
            launch = new GatewayLaunch(gatewayId, port, token, keyRing.PublicKeys, directory.Self, gatewayOptions.InactivityTimeout, gatewayOptions.AutosaveInterval,
                gatewayOptions.OAuthCleanupInterval, gatewayOptions.ContainerPorts);
            gateway = new Gateway(gatewayId, GatewayState.Starting, runtime.Name, launch.Address.ToString().TrimEnd('/'), port, null, now, now, null);
            await store.GatewayCreateAsync(gateway, token,
                new AuditEvent(Ids.New(), GatewayEventKinds.GatewayStarted, null, null, gatewayId, $"port {port}", now), cancellationToken);
        }
        finally
        {
            _choosing.Release();
        }

        try
        {
            var pid = await runtime.StartAsync(launch, cancellationToken);
            await store.GatewaySetPidAsync(gateway.GatewayId, pid, cancellationToken);
            return gateway with { Pid = pid };
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            LogLaunchFailed(logger, exception, gateway.GatewayId);
            await remover.MarkGoneAsync(gateway, "it could not be started: " + exception.Message, cancellationToken);
            return gateway with { State = GatewayState.Gone };
        }
    }

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "No free port for a gateway in {Ports}")]
    private static partial void LogNoPort(ILogger logger, string ports);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Error, Message = "Could not start gateway {GatewayId}")]
    private static partial void LogLaunchFailed(ILogger logger, Exception exception, string gatewayId);
}

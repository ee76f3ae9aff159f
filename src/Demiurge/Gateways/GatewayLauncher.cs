using Demiurge.Coordination;
using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Runtime;

namespace Demiurge.Gateways;

/// <summary>
/// Starts new workers: a port from <see cref="GatewayPortAllocator"/>, a gateway row in
/// <c>starting</c>, then the worker on the driver. The worker reports itself ready.
/// </summary>
internal sealed partial class GatewayLauncher(
    IGatewayStore store,
    IInstanceDriver driver,
    GatewayPortAllocator ports,
    GatewayRemover remover,
    IOptions<PoolOptions> options,
    IOptions<GatewayOptions> gatewayOptions,
    IOptions<PlatformOptions> platform,
    ControlPlaneDirectory directory,
    Security.KeyRing keyRing,
    TimeProvider time,
    ILogger<GatewayLauncher> logger) : IDisposable
{
    // A port is chosen and recorded under this lock, so two launches of this process never share one.
    private readonly SemaphoreSlim _choosing = new(1, 1);

    /// <summary>What bounds the pool, for messages.</summary>
    public string Limits => $"--pool-max {options.Value.Max} and --pool-ports {ports.Range}";

    /// <summary>How many more workers fit beside <paramref name="gateways"/>: under <c>--pool-max</c> live ones, each with a free port.</summary>
    public int Room(IReadOnlyCollection<Gateway> gateways) =>
        Math.Max(0, Math.Min(options.Value.Max - gateways.Count(g => g.IsLive), ports.Free(gateways).Count()));

    /// <summary>
    /// Starts up to <paramref name="count"/> workers, and returns them (one the driver refused is
    /// gone already). It stops early when no more fit (<see cref="Room"/>).
    /// </summary>
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
        var settings = gatewayOptions.Value;
        GatewayLaunch launch;
        Gateway gateway;
        await _choosing.WaitAsync(cancellationToken);
        try
        {
            var gateways = await store.GatewayListAsync(cancellationToken);
            if (Room(gateways) == 0)
            {
                LogFull(logger, Limits);
                return null;
            }

            var port = ports.Next(gateways)!.Value;
            var gatewayId = Ids.New();
            var now = time.GetUtcNowMilliseconds();
            launch = new GatewayLaunch(gatewayId, port, token, keyRing.PublicKeys, directory.Self, Durations.Format(settings.InactivityTimeout),
                Durations.Format(settings.AutosaveInterval), Durations.Format(settings.OAuthCleanupInterval), settings.ContainerPorts.ToString(),
                ConsoleLogging.Resolve(platform.Value.LogFormat), settings.RoomLimits);
            gateway = new Gateway(gatewayId, GatewayState.Starting, driver.Name, launch.Address.ToString().TrimEnd('/'), port, null, now, now, null, driver.Build);
            await store.GatewayCreateAsync(gateway, token,
                new AuditEvent(Ids.New(), GatewayEventKinds.GatewayStarted, null, null, gatewayId, $"port {port}", now), cancellationToken);
        }
        finally
        {
            _choosing.Release();
        }

        try
        {
            var instance = await driver.StartAsync(launch.Spec, cancellationToken);
            // The pid column records that the driver started the instance, and finds a process again.
            var pid = instance.ProcessId ?? throw new InvalidOperationException($"The {driver.Name} driver gave no process id.");
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

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "No more gateways fit within {Limits}")]
    private static partial void LogFull(ILogger logger, string limits);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Error, Message = "Could not start gateway {GatewayId}")]
    private static partial void LogLaunchFailed(ILogger logger, Exception exception, string gatewayId);
}

using System.Data.Common;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Demiurge.Coordination;

/// <summary>
/// The control planes serving the API right now, so that a worker whose control plane dies goes
/// on with another (docs/gateway-protocol.md, "Control planes"). Each instance writes its URL
/// to the store every <see cref="HeartbeatInterval"/> and reads the others'; an instance not
/// heard from for <see cref="Expiry"/> is left out. The leader's pings hand the list to workers.
/// </summary>
internal sealed partial class ControlPlaneDirectory(
    IControlPlaneStore store,
    IOptions<PlatformOptions> options,
    IServer server,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ControlPlaneDirectory> logger) : BackgroundService
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(10);

    // Rows of instances that died long ago are deleted, not merely left out.
    private static readonly TimeSpan s_forgetAfter = TimeSpan.FromHours(1);

    private IReadOnlyList<Uri>? _all;

    /// <summary>What workers call to reach this instance: <c>--advertise-url</c>, else the API's address.</summary>
    public Uri Self => field ??= new Uri(options.Value.AdvertiseUrl ?? server.Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>This instance first, then the other live ones; only this one until the store has answered.</summary>
    public IReadOnlyList<Uri> All => Volatile.Read(ref _all) ?? [Self];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The API's address is known once the server has started.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
        {
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        using var timer = new PeriodicTimer(HeartbeatInterval, time);
        try
        {
            do
            {
                await RefreshAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Leaves the directory, so that workers stop trying this instance at once.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await store.ControlPlaneRemoveAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException or OperationCanceledException)
        {
            // It expires from everyone's list instead.
            LogFailed(logger, exception.Message);
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow();
            await store.ControlPlaneSeenAsync(Self, now, now - s_forgetAfter, cancellationToken);
            var live = await store.ControlPlaneListAsync(now - Expiry, cancellationToken);
            Volatile.Write(ref _all, [Self, .. live.Where(url => url != Self)]);
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException)
        {
            // The list kept is the last one read; the store's outage shows in /readyz.
            LogFailed(logger, exception.Message);
        }
    }

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "Could not update the control-plane directory: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Demiurge.Coordination;
using Demiurge.Events;
using Demiurge.Hosting;
using Demiurge.Identity;
using Demiurge.Runtime;
using Demiurge.Store;
using Microsoft.Extensions.Options;

namespace Demiurge.Gateways;

/// <summary>
/// Keeps the pool: starts workers up to the pool size, replaces the ones that die or stop
/// answering, and scales up while fewer than the minimum are ready. At start-up it finishes
/// what a crash left: sagas half done are undone, gateways whose process is gone are released.
/// With several control planes only the leader does any of this (<see cref="ILeadership"/>).
/// DNS records and routes are kept in line by <see cref="PublishedNamesReconciler"/>.
/// </summary>
internal sealed partial class PoolManager(
    IGatewayStore store,
    IEventStore events,
    ILeadership leadership,
    IGatewayRuntime runtime,
    GatewayAllocator allocator,
    WorkerClient workers,
    GatewaySettingsPublisher settings,
    IOptions<DemiurgeOptions> options,
    PoolSignal signal,
    ControlPlaneDirectory directory,
    Security.KeyRing keyRing,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<PoolManager> logger) : BackgroundService
{
    /// <summary>Consecutive failed pings after which a worker is declared unhealthy.</summary>
    public const int MaxMissedPings = 3;

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_unresponsiveStopGrace = TimeSpan.FromSeconds(2);

    // Touched by the check loop and by the shutdown callback.
    private readonly ConcurrentDictionary<string, int> _missedPings = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await WaitForServerAsync(stoppingToken))
        {
            return;
        }

        lifetime.ApplicationStopping.Register(StopWorkers);
        var interval = options.Value.Pool.CheckInterval;
        await leadership.RunTermsAsync(term => LeadAsync(interval, term), stoppingToken);
    }

    /// <summary>One term as leader: the pool checks, until the term or the process ends.</summary>
    private async Task LeadAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(cancellationToken);
                await signal.WaitAsync(interval, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is System.Data.Common.DbException or HttpRequestException or IOException or InvalidOperationException)
            {
                LogCheckFailed(logger, exception);
                await Task.Delay(interval, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// Undoes the sagas whose control plane died between claim and active. A saga that a live
    /// control plane still runs is not an orphan (its owner holds its liveness lock), so the
    /// leader never races a running saga; with several control planes any of them can die, so
    /// this runs on every pass, not only when a term begins.
    /// </summary>
    private async Task RollBackOrphansAsync(CancellationToken cancellationToken)
    {
        foreach (var allocation in await store.AllocationListOrphanedAsync(cancellationToken))
        {
            await allocator.RollBackAsync(allocation, "the control plane stopped during the saga",
                gatewayAtFault: allocation.Step >= AllocationStep.Handshake, cancellationToken);
        }
    }

    /// <summary>One pass: orphaned sagas, health of every worker, then the pool's size.</summary>
    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        await RollBackOrphansAsync(cancellationToken);
        var gateways = await store.GatewayListAsync(cancellationToken);
        foreach (var gateway in gateways.Where(g => g.State != GatewayState.Gone))
        {
            await CheckWorkerAsync(gateway, cancellationToken);
        }

        gateways = await store.GatewayListAsync(cancellationToken);
        await runtime.RemoveLeftoversAsync(gateways.Where(g => g.State == GatewayState.Gone && g.Runtime == runtime.Name).Select(g => g.GatewayId).ToHashSet(), cancellationToken);
        DemiurgeMetrics.GatewaysCounted(Enum.GetValues<GatewayState>().ToDictionary(s => s.ToText(), s => gateways.Count(g => g.State == s)));
        // While shutting down, StopWorkers marks workers gone: they must not be replaced.
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return;
        }

        var pool = options.Value.Pool;
        var live = gateways.Count(g => g.State is not (GatewayState.Gone or GatewayState.Unhealthy));
        var available = gateways.Count(g => g.State is GatewayState.Ready or GatewayState.Starting);
        var toStart = Math.Max(0, pool.Size - live);
        if (available + toStart < pool.MinReady && live + toStart < pool.Max)
        {
            var added = Math.Min(pool.ScaleStep, pool.Max - live - toStart);
            toStart += added;
            DemiurgeMetrics.PoolScaled(added);
            LogScaled(logger, available, pool.MinReady, added, live + toStart);
            var now = time.GetUtcNowMilliseconds();
            await events.EventAppendAsync(
                new AuditEvent(Ids.New(), GatewayEventKinds.PoolScaled, null, null, null, $"ready {available} < min {pool.MinReady}: +{added}", now), cancellationToken);
        }

        var taken = gateways.Where(g => g.State != GatewayState.Gone).Select(g => g.Port).ToHashSet();
        for (var i = 0; i < toStart; i++)
        {
            if (pool.Ports.Ports.FirstOrDefault(p => !taken.Contains(p) && IsFree(p)) is not (> 0 and var port))
            {
                LogNoPort(logger, pool.Ports.ToString());
                break;
            }

            taken.Add(port);
            await LaunchAsync(port, cancellationToken);
        }
    }

    private async Task CheckWorkerAsync(Gateway gateway, CancellationToken cancellationToken)
    {
        if (gateway.Pid is not { } pid)
        {
            if (time.GetUtcNow() - gateway.CreatedAt > s_startTimeout)
            {
                await MarkGoneAsync(gateway, "it was never started", cancellationToken);
            }

            return;
        }

        if (!await runtime.IsRunningAsync(pid, gateway.GatewayId, cancellationToken))
        {
            await MarkGoneAsync(gateway, "its process exited", cancellationToken);
            return;
        }

        if (gateway.State == GatewayState.Unhealthy
            || (gateway.State == GatewayState.Starting && time.GetUtcNow() - gateway.CreatedAt > s_startTimeout))
        {
            // It does not answer: a short grace, then the kill.
            await runtime.StopAsync(pid, gateway.GatewayId, s_unresponsiveStopGrace, cancellationToken);
            await MarkGoneAsync(gateway, gateway.State == GatewayState.Unhealthy ? "it was unhealthy" : "it never became ready", cancellationToken);
            return;
        }

        if (gateway.State is GatewayState.Ready or GatewayState.Allocated)
        {
            await PingAsync(gateway, cancellationToken);
        }
    }

    private async Task PingAsync(Gateway gateway, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            // The ping also tells the worker which control planes it may call (docs/gateway-protocol.md).
            using var response = await workers.SendAsync(gateway, HttpMethod.Get, "/collab/ping", null, timeout.Token,
                request => request.Headers.Add(GatewayProcess.ControlPlaneClient.ControlPlanesHeader, string.Join(", ", directory.All.Select(url => url.AbsoluteUri))));
            response.EnsureSuccessStatusCode();
            _missedPings.TryRemove(gateway.GatewayId, out _);
            // A serving worker says which revision of its organization's settings it holds: an update it missed is sent again.
            var ping = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(timeout.Token);
            if (ping.TryGetProperty("organization_id", out var organization) && organization.GetString() is { } organizationId
                && ping.TryGetProperty("settings_revision", out var revision) && revision.TryGetInt64(out var held))
            {
                await settings.CatchUpAsync(organizationId, held, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var missed = _missedPings.AddOrUpdate(gateway.GatewayId, 1, (_, count) => count + 1);
            if (missed >= MaxMissedPings)
            {
                _missedPings.TryRemove(gateway.GatewayId, out _);
                LogUnhealthy(logger, gateway.GatewayId, missed);
                await store.GatewayTransitionAsync(gateway.GatewayId, [GatewayState.Ready, GatewayState.Allocated], GatewayState.Unhealthy,
                    NewEvent(GatewayEventKinds.GatewayFailed, gateway.GatewayId, $"missed {missed} pings"), cancellationToken);
            }
        }
    }

    private async Task LaunchAsync(int port, CancellationToken cancellationToken)
    {
        var gatewayId = Ids.New();
        var token = Tokens.New();
        var now = time.GetUtcNowMilliseconds();
        var gatewayOptions = options.Value.Gateway;
        var launch = new GatewayLaunch(gatewayId, port, token, keyRing.PublicKeys, directory.Self, Durations.Format(gatewayOptions.InactivityTimeout),
            Durations.Format(gatewayOptions.AutosaveInterval), Durations.Format(gatewayOptions.OAuthCleanupInterval), gatewayOptions.ContainerPorts.ToString());
        var gateway = new Gateway(gatewayId, GatewayState.Starting, runtime.Name, launch.Address.ToString().TrimEnd('/'), port, null, now, now, null);
        await store.GatewayCreateAsync(gateway, token, NewEvent(GatewayEventKinds.GatewayStarted, gatewayId, $"port {port}"), cancellationToken);
        try
        {
            await store.GatewaySetPidAsync(gatewayId, await runtime.StartAsync(launch, cancellationToken), cancellationToken);
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            LogLaunchFailed(logger, exception, gatewayId);
            await MarkGoneAsync(gateway, "it could not be started: " + exception.Message, cancellationToken);
        }
    }

    /// <summary>A worker is gone: its organization, if any, is released so the next start allocates afresh.</summary>
    private async Task MarkGoneAsync(Gateway gateway, string reason, CancellationToken cancellationToken)
    {
        _missedPings.TryRemove(gateway.GatewayId, out _);
        LogGone(logger, gateway.GatewayId, reason);
        if (await store.AllocationCurrentByGatewayAsync(gateway.GatewayId, cancellationToken) is { } allocation)
        {
            if (allocation.Step == AllocationStep.Active)
            {
                DemiurgeMetrics.Released("gateway_gone");
                await allocator.ReleaseAsync(allocation, "gateway gone: " + reason, GatewayState.Gone, null, cancellationToken);
            }
            else
            {
                await allocator.RollBackAsync(allocation, "the gateway is gone: " + reason, gatewayAtFault: true, cancellationToken);
            }
        }

        await store.GatewayTransitionAsync(gateway.GatewayId,
            [GatewayState.Starting, GatewayState.Ready, GatewayState.Allocating, GatewayState.Allocated, GatewayState.Releasing, GatewayState.Unhealthy],
            GatewayState.Gone, NewEvent(GatewayEventKinds.GatewayGone, gateway.GatewayId, reason), cancellationToken);
    }

    /// <summary>
    /// On shutdown, before the API stops: SIGTERM every worker (each pushes its data to the
    /// still-running API), then mark them gone and release their organizations.
    /// </summary>
    private void StopWorkers()
    {
        // The workers belong to the pool, which only the leader keeps: a follower leaving stops none.
        if (!leadership.IsLeader)
        {
            return;
        }

        var gateways = store.GatewayListAsync(CancellationToken.None).GetAwaiter().GetResult()
            .Where(g => g.State != GatewayState.Gone && g.Pid is not null && g.Runtime == runtime.Name).ToList();
        Task.WhenAll(gateways.Select(async gateway =>
        {
            await runtime.StopAsync(gateway.Pid!.Value, gateway.GatewayId, s_stopGrace, CancellationToken.None);
            await MarkGoneAsync(gateway, "the control plane stopped", CancellationToken.None);
        })).GetAwaiter().GetResult();
    }

    private async Task<bool> WaitForServerAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return !cancellationToken.IsCancellationRequested;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private AuditEvent NewEvent(string kind, string gatewayId, string? detail) =>
        new(Ids.New(), kind, null, null, gatewayId, detail, time.GetUtcNowMilliseconds());

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Scaling the pool: {Ready} ready or starting is below the minimum of {MinReady}; adding {Added}, {Target} live")]
    private static partial void LogScaled(ILogger logger, int ready, int minReady, int added, int target);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Gateway {GatewayId} is gone: {Reason}")]
    private static partial void LogGone(ILogger logger, string gatewayId, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Gateway {GatewayId} missed {Missed} pings and is unhealthy")]
    private static partial void LogUnhealthy(ILogger logger, string gatewayId, int missed);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "No free port for a gateway in {Ports}")]
    private static partial void LogNoPort(ILogger logger, string ports);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Error, Message = "Could not start gateway {GatewayId}")]
    private static partial void LogLaunchFailed(ILogger logger, Exception exception, string gatewayId);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Error, Message = "Pool check failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}

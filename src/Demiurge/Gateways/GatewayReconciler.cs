using System.Collections.Concurrent;
using System.Net.Http.Json;
using Demiurge.Coordination;
using Demiurge.Events;
using Demiurge.Reconciliation;
using Demiurge.Runtime;

namespace Demiurge.Gateways;

/// <summary>
/// One gateway per pass: a saga it holds whose control plane died is undone; an idle worker of
/// an older build (<see cref="IInstanceDriver.Build"/>) is retired, while a serving one waits for
/// its release; a worker whose process exited, or that never started, is gone; one that stopped
/// answering (or never became ready) is stopped and gone; a ready or serving one is pinged. A
/// gateway that goes asks the <see cref="PoolAutoscaler"/> for a replacement at once.
/// </summary>
internal sealed partial class GatewayReconciler(
    IGatewayStore store,
    IInstanceDriver driver,
    GatewayAllocator allocator,
    GatewayRemover remover,
    WorkerClient workers,
    GatewaySettingsPublisher settings,
    ControlPlaneDirectory directory,
    ReconcileSignal signal,
    IOptions<PoolOptions> options,
    TimeProvider time,
    ILogger<GatewayReconciler> logger) : IReconciler
{
    public const string Kind = "gateway";

    /// <summary>Consecutive failed pings after which a worker is declared unhealthy.</summary>
    public const int MaxMissedPings = 3;

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_unresponsiveStopGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_retireGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_pingTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, int> _missedPings = new();

    string IReconciler.Kind => Kind;

    public TimeSpan ResyncInterval { get; } = options.Value.CheckInterval;

    public async Task<IReadOnlyCollection<string>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await store.GatewayListAsync(cancellationToken)).Where(g => g.State != GatewayState.Gone).Select(g => g.GatewayId)];

    public async Task ReconcileAsync(string id, CancellationToken cancellationToken)
    {
        if (await store.GatewayGetAsync(id, cancellationToken) is not { } gateway || gateway.State == GatewayState.Gone)
        {
            _missedPings.TryRemove(id, out _);
            return;
        }

        if (await RollBackOrphanAsync(gateway, cancellationToken))
        {
            return;
        }

        if (await RetireOutdatedAsync(gateway, cancellationToken))
        {
            return;
        }

        if (gateway.Instance is not { } instance)
        {
            // A launch under way records the pid; one that never does is given up on.
            if (time.GetUtcNow() - gateway.CreatedAt > s_startTimeout)
            {
                await GoneAsync(gateway, "it was never started", cancellationToken);
            }

            return;
        }

        if (!await driver.IsRunningAsync(instance, cancellationToken))
        {
            await GoneAsync(gateway, "its process exited", cancellationToken);
            return;
        }

        if (Unresponsive(gateway) is { } reason)
        {
            // It does not answer: a short grace, then the kill.
            await remover.StopAsync(gateway, s_unresponsiveStopGrace, reason, cancellationToken);
            Replace(gateway);
            return;
        }

        if (gateway.State is GatewayState.Ready or GatewayState.Allocated)
        {
            await PingAsync(gateway, cancellationToken);
        }
    }

    /// <summary>
    /// Undoes the saga this gateway holds if its control plane died between claim and active. A
    /// saga that a live control plane still runs is not an orphan (its owner holds its liveness
    /// lock), so the leader never races a running saga. The gateway is passed again right after.
    /// </summary>
    private async Task<bool> RollBackOrphanAsync(Gateway gateway, CancellationToken cancellationToken)
    {
        if (await store.AllocationCurrentByGatewayAsync(gateway.GatewayId, cancellationToken) is not { Step: < AllocationStep.Active }
            || (await store.AllocationListOrphanedAsync(cancellationToken)).FirstOrDefault(a => a.GatewayId == gateway.GatewayId) is not { } orphan)
        {
            return false;
        }

        await allocator.RollBackAsync(orphan, "the control plane stopped during the saga", gatewayAtFault: orphan.Step >= AllocationStep.Handshake, cancellationToken);
        signal.Enqueue(Kind, gateway.GatewayId);
        return true;
    }

    /// <summary>
    /// An idle worker of another build than the driver's leaves the pool: it is first taken out of
    /// the claimable set (ready to unhealthy, conditionally, so that no saga can claim it meanwhile),
    /// then stopped. A serving worker is left alone; its release makes it idle.
    /// </summary>
    private async Task<bool> RetireOutdatedAsync(Gateway gateway, CancellationToken cancellationToken)
    {
        if (gateway.State != GatewayState.Ready || gateway.Runtime != driver.Name || gateway.Build == driver.Build
            || !await store.GatewayTransitionAsync(gateway.GatewayId, [GatewayState.Ready], GatewayState.Unhealthy,
                new AuditEvent(Ids.New(), GatewayEventKinds.GatewayOutdated, null, null, gateway.GatewayId, $"build {gateway.Build ?? "unknown"}, now {driver.Build}", time.GetUtcNowMilliseconds()),
                cancellationToken))
        {
            return false;
        }

        LogOutdated(logger, gateway.GatewayId, gateway.Build ?? "unknown", driver.Build);
        await remover.StopAsync(gateway, s_retireGrace, "its build is outdated", cancellationToken);
        Replace(gateway);
        return true;
    }

    private string? Unresponsive(Gateway gateway) => gateway.State switch
    {
        GatewayState.Unhealthy => "it was unhealthy",
        GatewayState.Starting when time.GetUtcNow() - gateway.CreatedAt > s_startTimeout => "it never became ready",
        _ => null,
    };

    private async Task GoneAsync(Gateway gateway, string reason, CancellationToken cancellationToken)
    {
        await remover.MarkGoneAsync(gateway, reason, cancellationToken);
        Replace(gateway);
    }

    private void Replace(Gateway gateway)
    {
        _missedPings.TryRemove(gateway.GatewayId, out _);
        signal.Enqueue(PoolAutoscaler.Kind, PoolAutoscaler.PoolId);
    }

    private async Task PingAsync(Gateway gateway, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_pingTimeout);
            // The ping also tells the worker which control planes it may call (docs/gateway-protocol.md).
            using var response = await workers.SendAsync(gateway, HttpMethod.Get, Protocol.GatewayPaths.Ping, null, timeout.Token,
                request => request.Headers.Add(Protocol.GatewayHeaders.ControlPlanes, string.Join(", ", directory.All.Select(url => url.AbsoluteUri))));
            response.EnsureSuccessStatusCode();
            _missedPings.TryRemove(gateway.GatewayId, out _);
            // A serving worker says which revision of its organization's settings it holds: an update it missed is sent again.
            var ping = await response.Content.ReadFromJsonAsync<Protocol.PingResponse>(Protocol.ProtocolJson.Options, timeout.Token);
            if (ping is { OrganizationId: { } organizationId, SettingsRevision: { } held })
            {
                await settings.CatchUpAsync(organizationId, held, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or System.Text.Json.JsonException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var missed = _missedPings.AddOrUpdate(gateway.GatewayId, 1, (_, count) => count + 1);
            if (missed >= MaxMissedPings)
            {
                _missedPings.TryRemove(gateway.GatewayId, out _);
                LogUnhealthy(logger, gateway.GatewayId, missed);
                await store.GatewayTransitionAsync(gateway.GatewayId, [GatewayState.Ready, GatewayState.Allocated], GatewayState.Unhealthy,
                    new AuditEvent(Ids.New(), GatewayEventKinds.GatewayFailed, null, null, gateway.GatewayId, $"missed {missed} pings", time.GetUtcNowMilliseconds()), cancellationToken);
                signal.Enqueue(Kind, gateway.GatewayId);
            }
        }
    }

    [LoggerMessage(EventId = 3107, Level = LogLevel.Information, Message = "Gateway {GatewayId} runs build {Build}, not the current {Current}: retiring it while it is idle")]
    private static partial void LogOutdated(ILogger logger, string gatewayId, string build, string current);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Gateway {GatewayId} missed {Missed} pings and is unhealthy")]
    private static partial void LogUnhealthy(ILogger logger, string gatewayId, int missed);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Demiurge.Dns;
using Demiurge.Edge;
using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Reconciliation;

namespace Demiurge.Gateways;

/// <summary>
/// The allocation saga: claim → DNS → route → handshake → active, each step journaled in the
/// store. A failed step undoes the finished ones in reverse order; undoing is idempotent, so
/// the start-up reconciler can repeat it for sagas a crash left half done.
/// </summary>
internal sealed partial class GatewayAllocator(
    IGatewayStore store,
    IEventStore events,
    IDnsProvider dns,
    IEdgeRouter edge,
    WorkerClient workers,
    IOptions<PlatformOptions> platform,
    IOptions<DnsOptions> dnsOptions,
    IOptions<GatewayOptions> options,
    ReconcileSignal reconcile,
    TimeProvider time,
    ILogger<GatewayAllocator> logger)
{
    public const string HttpClientName = "gateways";

    private static readonly TimeSpan s_handshakeTokenLifetime = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, Lazy<Task<AllocationResult>>> _inFlight = new();

    /// <summary>
    /// Allocates a gateway to the organization, or returns its current one. Concurrent calls
    /// for one organization share one saga; the saga is not cancelled by one caller leaving.
    /// </summary>
    public async Task<AllocationResult> StartAsync(string organizationId, string actorUserId, CancellationToken cancellationToken)
    {
        var saga = _inFlight.GetOrAdd(organizationId, id => new Lazy<Task<AllocationResult>>(() => RunAsync(id, actorUserId)));
        // Forget the saga when it ends, whether or not anyone still waits for it: a later start
        // must run afresh, never get an old result.
        _ = saga.Value.ContinueWith(_ => _inFlight.TryRemove(KeyValuePair.Create(organizationId, saga)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await saga.Value.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Ends a current allocation: the route and the DNS records go, the allocation token is
    /// revoked, and the gateway moves to <paramref name="gatewayState"/>.
    /// </summary>
    /// <remarks>
    /// The allocation is ended first, conditionally, and only the call that ended it takes the
    /// route and records down: a release acting on a stale read must never remove what belongs
    /// to the organization's next allocation. Not cancellable once begun.
    /// </remarks>
    public async Task<bool> ReleaseAsync(Allocation allocation, string outcome, GatewayState gatewayState, string? actorUserId, CancellationToken cancellationToken)
    {
        var ended = await store.AllocationEndAsync(allocation.AllocationId, outcome, gatewayState, time.GetUtcNowMilliseconds(),
            NewEvent(GatewayEventKinds.AllocationReleased, actorUserId, allocation, outcome), CancellationToken.None);
        if (ended)
        {
            await UndoExternalStepsAsync(allocation.OrganizationId, CancellationToken.None);
            LogReleased(logger, allocation.AllocationId, allocation.OrganizationId, allocation.GatewayId, outcome);
        }

        return ended;
    }

    /// <summary>Undoes an unfinished saga (after a failure, or a crash found at start-up).</summary>
    public async Task RollBackAsync(Allocation allocation, string reason, bool gatewayAtFault, CancellationToken cancellationToken)
    {
        var ended = await store.AllocationEndAsync(allocation.AllocationId, "rolled_back: " + reason,
            gatewayAtFault ? GatewayState.Unhealthy : GatewayState.Ready, time.GetUtcNowMilliseconds(),
            NewEvent(GatewayEventKinds.AllocationRolledBack, null, allocation, reason), CancellationToken.None);
        if (ended)
        {
            await UndoExternalStepsAsync(allocation.OrganizationId, CancellationToken.None);
            DemiurgeMetrics.AllocationFinished("rolled_back", null);
            LogRolledBack(logger, allocation.AllocationId, allocation.OrganizationId, allocation.Step.ToString(), reason);
        }
    }

    private async Task<AllocationResult> RunAsync(string organizationId, string actorUserId)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNowMilliseconds();
        var claim = await store.AllocationClaimAsync(organizationId, Ids.New(), now,
            new AuditEvent(Ids.New(), GatewayEventKinds.AllocationClaimed, actorUserId, organizationId, null, null, now), CancellationToken.None);
        if (claim.Allocation is null)
        {
            DemiurgeMetrics.PoolExhausted();
            DemiurgeMetrics.AllocationFinished("exhausted", null);
            reconcile.Enqueue(PoolAutoscaler.Kind, PoolAutoscaler.PoolId);
            await events.EventAppendAsync(new AuditEvent(Ids.New(), GatewayEventKinds.PoolExhausted, actorUserId, organizationId, null, null, now), CancellationToken.None);
            LogExhausted(logger, organizationId);
            return AllocationResult.Failed(AllocationFailure.PoolExhausted, "No gateway is ready; more are starting.");
        }

        if (claim.Existing)
        {
            return await AwaitExistingAsync(claim.Allocation);
        }

        var allocation = claim.Allocation;
        var gateway = claim.Gateway!;
        var step = "dns";
        try
        {
            using var timeout = new CancellationTokenSource(options.Value.HandshakeTimeout);
            await dns.SetOrganizationAsync(organizationId, platform.Value, dnsOptions.Value, timeout.Token);
            await JournalAsync(allocation, AllocationStep.Dns);

            step = "route";
            await edge.SetRouteAsync(organizationId, new Uri(gateway.Address), platform.Value, timeout.Token);
            await JournalAsync(allocation, AllocationStep.Route);

            step = "handshake";
            var handshakeToken = Tokens.New();
            await store.AllocationSetHandshakeAsync(allocation.AllocationId, Tokens.Hash(handshakeToken), time.GetUtcNowMilliseconds() + s_handshakeTokenLifetime, CancellationToken.None);
            await JournalAsync(allocation, AllocationStep.Handshake);
            await HandshakeAsync(gateway, handshakeToken, timeout.Token);

            step = "activate";
            if (!await store.GatewayTransitionAsync(gateway.GatewayId, [GatewayState.Allocating], GatewayState.Allocated,
                NewEvent(GatewayEventKinds.AllocationActive, actorUserId, allocation, gateway.GatewayId), CancellationToken.None))
            {
                throw new SagaStepException("The gateway left the allocating state during the handshake.");
            }

            await JournalAsync(allocation, AllocationStep.Active);
            var elapsed = time.GetElapsedTime(started);
            DemiurgeMetrics.AllocationFinished("allocated", elapsed);
            LogAllocated(logger, allocation.AllocationId, organizationId, gateway.GatewayId, elapsed.TotalMilliseconds);
            return AllocationResult.Allocated(allocation with { Step = AllocationStep.Active }, gateway with { State = GatewayState.Allocated });
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Whatever failed, the finished steps are undone: an unexpected error must not leave
            // the organization holding a half-made allocation.
            var reason = $"{step} failed: {exception.Message}";
            await RollBackAsync(allocation, reason, gatewayAtFault: step is "handshake" or "activate", CancellationToken.None);
            return AllocationResult.Failed(AllocationFailure.RolledBack, $"Allocation failed at the {step} step and was undone: {exception.Message}");
        }
    }

    private async Task JournalAsync(Allocation allocation, AllocationStep step)
    {
        if (!await store.AllocationAdvanceAsync(allocation.AllocationId, step, CancellationToken.None))
        {
            throw new SagaStepException("The allocation was ended while its saga ran.");
        }
    }

    private async Task HandshakeAsync(Gateway gateway, string handshakeToken, CancellationToken cancellationToken)
    {
        using var response = await workers.SendAsync(gateway, HttpMethod.Post, Protocol.GatewayPaths.Start, Protocol.ProtocolJson.Content(new Protocol.CollabStartRequest(handshakeToken)), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new SagaStepException($"the gateway answered {(int)response.StatusCode}: {body}");
        }
    }

    /// <summary>Another saga owns the organization's allocation: wait for it to become active or end.</summary>
    private async Task<AllocationResult> AwaitExistingAsync(Allocation allocation)
    {
        var deadline = time.GetUtcNow() + options.Value.HandshakeTimeout;
        while (true)
        {
            var current = await store.AllocationGetAsync(allocation.AllocationId, CancellationToken.None);
            if (current is { Step: AllocationStep.Active, EndedAt: null })
            {
                var gateway = await store.GatewayGetAsync(current.GatewayId, CancellationToken.None);
                return AllocationResult.Allocated(current, gateway!);
            }

            if (current is null || current.EndedAt is not null || time.GetUtcNow() > deadline)
            {
                return AllocationResult.Failed(AllocationFailure.Busy, "The organization's gateway is being allocated or released; try again.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, CancellationToken.None);
        }
    }

    /// <summary>
    /// The saga's external steps in reverse: route, then DNS. Both are idempotent. The allocation
    /// has ended already, so a provider that fails here (PowerDNS down, say) is logged rather than
    /// thrown: a leftover route or record points at nothing the organization still holds, and
    /// <see cref="PublishedNamesReconciler"/> removes it once the provider is back.
    /// </summary>
    private async Task UndoExternalStepsAsync(string organizationId, CancellationToken cancellationToken)
    {
        foreach (var (step, undo) in new (string, Func<Task>)[]
        {
            ("route", () => edge.RemoveRouteAsync(organizationId, platform.Value, cancellationToken)),
            ("dns", () => dns.RemoveOrganizationAsync(organizationId, platform.Value, cancellationToken)),
        })
        {
            try
            {
                await undo();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogUndoFailed(logger, exception, organizationId, step);
            }
        }
    }

    private AuditEvent NewEvent(string kind, string? actorUserId, Allocation allocation, string? detail) =>
        new(Ids.New(), kind, actorUserId, allocation.OrganizationId, allocation.AllocationId, detail, time.GetUtcNowMilliseconds());

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Allocated gateway {GatewayId} to organization {OrganizationId} (allocation {AllocationId}) in {ElapsedMs:0.0} ms")]
    private static partial void LogAllocated(ILogger logger, string allocationId, string organizationId, string gatewayId, double elapsedMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Rolled back allocation {AllocationId} of organization {OrganizationId} after step {Step}: {Reason}")]
    private static partial void LogRolledBack(ILogger logger, string allocationId, string organizationId, string step, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Pool exhausted: no ready gateway for organization {OrganizationId}")]
    private static partial void LogExhausted(ILogger logger, string organizationId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Could not undo the {Step} step for organization {OrganizationId}; it is left for the reconciler to remove")]
    private static partial void LogUndoFailed(ILogger logger, Exception exception, string organizationId, string step);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Released allocation {AllocationId} of organization {OrganizationId} from gateway {GatewayId}: {Outcome}")]
    private static partial void LogReleased(ILogger logger, string allocationId, string organizationId, string gatewayId, string outcome);
}

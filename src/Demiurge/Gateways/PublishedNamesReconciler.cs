using Demiurge.Dns;
using Demiurge.Edge;
using Demiurge.Events;
using Demiurge.Reconciliation;

namespace Demiurge.Gateways;

/// <summary>
/// Keeps the published names (DNS records and edge routes) in line with the allocations, as one
/// entity (<see cref="AllId"/>) of the <see cref="ReconcileScheduler"/>: when a term begins and
/// then every <see cref="PoolOptions.ReconcileInterval"/>. An organization whose allocation is active gets
/// back what it lost (nginx's sites folder wiped, PowerDNS's rows lost); an organization with no
/// current allocation loses what an undo left behind (its provider was down). Names of an
/// organization whose saga runs are left to the saga.
/// </summary>
internal sealed partial class PublishedNamesReconciler(
    IGatewayStore store,
    IEventStore events,
    IDnsProvider dns,
    IEdgeRouter edge,
    IOptions<PlatformOptions> platform,
    IOptions<DnsOptions> dnsOptions,
    IOptions<PoolOptions> options,
    TimeProvider time,
    ILogger<PublishedNamesReconciler> logger) : IReconciler
{
    public const string Kind = "names";

    /// <summary>The one id: each pass compares every published name with every allocation.</summary>
    public const string AllId = "all";

    private readonly Names[] _names =
    [
        new("dns", ct => dns.ListPublishedOrganizationsAsync(platform.Value, ct), (organizationId, _, ct) => dns.SetOrganizationAsync(organizationId, platform.Value, dnsOptions.Value, ct), (organizationId, ct) => dns.RemoveOrganizationAsync(organizationId, platform.Value, ct)),
        new("route", ct => edge.ListRoutedOrganizationsAsync(platform.Value, ct), (organizationId, gateway, ct) => edge.SetRouteAsync(organizationId, gateway, platform.Value, ct), (organizationId, ct) => edge.RemoveRouteAsync(organizationId, platform.Value, ct)),
    ];

    // Set when a term begins, cleared by the first pass of the term that succeeds.
    private volatile bool _republishAll;

    string IReconciler.Kind => Kind;

    public TimeSpan ResyncInterval { get; } = options.Value.ReconcileInterval;

    public Task<IReadOnlyCollection<string>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyCollection<string>>([AllId]);

    public void BeginTerm() => _republishAll = true;

    public async Task ReconcileAsync(string id, CancellationToken cancellationToken)
    {
        await PassAsync(_republishAll, cancellationToken);
        _republishAll = false;
    }

    /// <summary>
    /// One pass over both providers, each on its own: one that fails (PowerDNS down, say) is
    /// logged and leaves the other's pass whole. When a term begins every active allocation is
    /// published again, not only those found missing: the last leader may have stopped halfway.
    /// </summary>
    private async Task PassAsync(bool republishAll, CancellationToken cancellationToken)
    {
        var current = await store.AllocationListCurrentAsync(cancellationToken);
        var allocatedGateways = (await store.GatewayListAsync(cancellationToken)).Where(g => g.State == GatewayState.Allocated).ToDictionary(g => g.GatewayId);
        var active = current
            .Where(a => a.Step == AllocationStep.Active && allocatedGateways.ContainsKey(a.GatewayId))
            .Select(a => (Allocation: a, Gateway: new Uri(allocatedGateways[a.GatewayId].Address)))
            .ToList();

        var allocated = current.Select(a => a.OrganizationId).ToHashSet();
        foreach (var names in _names)
        {
            IReadOnlyCollection<string> published;
            try
            {
                published = await names.ListAsync(cancellationToken);
            }
            catch (Exception exception) when (IsFailure(exception, cancellationToken))
            {
                LogListFailed(logger, exception, names.Kind);
                continue;
            }

            foreach (var organizationId in published.Where(o => !allocated.Contains(o)))
            {
                await TryAsync(names, organizationId, () => RemoveAsync(names, organizationId, cancellationToken), cancellationToken);
            }

            foreach (var (allocation, gateway) in active.Where(a => republishAll || !published.Contains(a.Allocation.OrganizationId)))
            {
                var missing = !published.Contains(allocation.OrganizationId);
                await TryAsync(names, allocation.OrganizationId, () => RestoreAsync(names, allocation, gateway, missing, cancellationToken), cancellationToken);
            }
        }
    }

    /// <remarks>
    /// The allocations were read before the provider's list: a saga may have claimed the
    /// organization and published its names in between. So its current allocation is read again
    /// right before removing, and any there is (at any step) wins. A saga that claims between
    /// this read and the removal still loses the names it has just published; that race is
    /// narrow and does not last: once the saga is active, the next pass finds its names missing
    /// and restores them.
    /// </remarks>
    private async Task RemoveAsync(Names names, string organizationId, CancellationToken cancellationToken)
    {
        if (await store.AllocationCurrentByOrganizationAsync(organizationId, cancellationToken) is not null)
        {
            return;
        }

        await names.RemoveAsync(organizationId, cancellationToken);
        LogRemoved(logger, names.Kind, organizationId);
        DemiurgeMetrics.NamesReconciled("removed", names.Kind);
        await events.EventAppendAsync(
            new AuditEvent(Ids.New(), GatewayEventKinds.NamesRemoved, null, organizationId, null, $"{names.Kind}: no current allocation", time.GetUtcNowMilliseconds()),
            cancellationToken);
    }

    /// <remarks>
    /// Read again for the same reason as in <see cref="RemoveAsync"/>. A release that ends the
    /// allocation after this read leaves names behind, which the next pass removes.
    /// </remarks>
    private async Task RestoreAsync(Names names, Allocation allocation, Uri gateway, bool missing, CancellationToken cancellationToken)
    {
        if (await store.AllocationGetAsync(allocation.AllocationId, cancellationToken) is not { EndedAt: null })
        {
            return;
        }

        await names.SetAsync(allocation.OrganizationId, gateway, cancellationToken);
        if (!missing)
        {
            return;
        }

        LogRestored(logger, names.Kind, allocation.OrganizationId, allocation.AllocationId);
        DemiurgeMetrics.NamesReconciled("restored", names.Kind);
        await events.EventAppendAsync(
            new AuditEvent(Ids.New(), GatewayEventKinds.NamesRestored, null, allocation.OrganizationId, allocation.AllocationId, $"{names.Kind}: missing for an active allocation", time.GetUtcNowMilliseconds()),
            cancellationToken);
    }

    // One organization that fails (nginx refuses its file, say) must not hold back the others.
    private async Task TryAsync(Names names, string organizationId, Func<Task> action, CancellationToken cancellationToken)
    {
        try
        {
            await action();
        }
        catch (Exception exception) when (IsFailure(exception, cancellationToken))
        {
            LogOrganizationFailed(logger, exception, names.Kind, organizationId);
        }
    }

    // A provider may fail in its own ways (HTTP, files, nginx, PowerDNS): all are a failure of
    // that provider, except running out of memory and this pass being cancelled.
    private static bool IsFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is not OutOfMemoryException && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    /// <summary>One provider's names, seen through the calls the reconciler needs.</summary>
    private sealed record Names(
        string Kind,
        Func<CancellationToken, Task<IReadOnlyCollection<string>>> ListAsync,
        Func<string, Uri, CancellationToken, Task> SetAsync,
        Func<string, CancellationToken, Task> RemoveAsync);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Removed the leftover {Names} of organization {OrganizationId}: it has no current allocation")]
    private static partial void LogRemoved(ILogger logger, string names, string organizationId);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Restored the missing {Names} of organization {OrganizationId} (allocation {AllocationId})")]
    private static partial void LogRestored(ILogger logger, string names, string organizationId, string allocationId);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "Could not list the published {Names}; they are reconciled on a later pass")]
    private static partial void LogListFailed(ILogger logger, Exception exception, string names);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Error, Message = "Could not reconcile the {Names} of organization {OrganizationId}; it is tried again on the next pass")]
    private static partial void LogOrganizationFailed(ILogger logger, Exception exception, string names, string organizationId);
}

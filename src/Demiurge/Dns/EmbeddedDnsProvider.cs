using Demiurge.Dns.Server;

namespace Demiurge.Dns;

/// <summary>
/// Publishes record sets for the embedded server: written to the store (which every
/// <c>demiurge dns</c> process follows), then applied to this process's served zone at once.
/// </summary>
internal sealed class EmbeddedDnsProvider(IDnsStore store, ServedZone zone, IOptions<PlatformOptions> options) : IDnsProvider
{
    public async Task SetRecordSetsAsync(IReadOnlyList<DnsRecordSet> sets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sets);
        foreach (var set in sets)
        {
            set.Validate(options.Value.Domain);
        }

        await store.DnsRecordSetsApplyAsync(sets, cancellationToken);
        await zone.SyncAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<DnsRecordSet>> ListRecordSetsAsync(CancellationToken cancellationToken)
    {
        // Every set ever written, the deleted ones kept with no values (so that servers following
        // the versions see the deletion): only those with values are published.
        var (_, sets) = await store.DnsRecordSetsChangedAsync(0, cancellationToken);
        return [.. sets.Where(s => !s.IsDeleted)];
    }
}

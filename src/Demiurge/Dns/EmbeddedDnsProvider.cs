using Demiurge.Dns.Server;
using Demiurge.Hosting;
using Microsoft.Extensions.Options;

namespace Demiurge.Dns;

/// <summary>
/// Publishes organizations' names for the embedded server: written to the store (which every
/// <c>demiurge dns</c> process follows), then applied to this process's served zone at once.
/// </summary>
internal sealed class EmbeddedDnsProvider(IDnsStore store, ServedZone zone, IOptions<DemiurgeOptions> options) : IDnsProvider
{
    public Task SetOrganizationAsync(string organizationId, CancellationToken cancellationToken) =>
        ApplyAsync(DnsZoneRecords.Organization(organizationId, options.Value), cancellationToken);

    public Task RemoveOrganizationAsync(string organizationId, CancellationToken cancellationToken) =>
        ApplyAsync(DnsZoneRecords.Organization(organizationId, options.Value, remove: true), cancellationToken);

    public async Task<IReadOnlyCollection<string>> ListPublishedOrganizationsAsync(CancellationToken cancellationToken)
    {
        // Every set ever written, the deleted ones kept with no values (so that servers following
        // the versions see the deletion): only those with values are published.
        var (_, sets) = await store.DnsRecordSetsChangedAsync(0, cancellationToken);
        return sets.Where(s => !s.IsDeleted)
            .Select(s => GatewayNames.OrganizationOf(s.Name, options.Value.Domain)).OfType<string>().ToHashSet();
    }

    private async Task ApplyAsync(IReadOnlyList<DnsRecordSet> changes, CancellationToken cancellationToken)
    {
        await store.DnsRecordSetsApplyAsync(changes, cancellationToken);
        await zone.SyncAsync(cancellationToken);
    }
}

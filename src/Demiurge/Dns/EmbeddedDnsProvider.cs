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

    private async Task ApplyAsync(IReadOnlyList<DnsRecordSet> changes, CancellationToken cancellationToken)
    {
        await store.DnsRecordSetsApplyAsync(changes, cancellationToken);
        await zone.SyncAsync(cancellationToken);
    }
}

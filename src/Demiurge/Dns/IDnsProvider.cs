namespace Demiurge.Dns;

/// <summary>
/// Publishes record sets (A, AAAA, CNAME, TXT) for any name in the zone: an organization's
/// names, an app's, a verification TXT. Idempotent, so undo and reconcile can repeat a call.
/// </summary>
internal interface IDnsProvider
{
    /// <summary>
    /// Replaces each set (name and type) with its values; a set with no values is deleted. The
    /// sets land together or not at all (one store transaction, one PowerDNS PATCH).
    /// </summary>
    /// <exception cref="ArgumentException">A set is not valid (<see cref="DnsRecordSet.Validate"/>); none is published.</exception>
    Task SetRecordSetsAsync(IReadOnlyList<DnsRecordSet> sets, CancellationToken cancellationToken);

    /// <summary>
    /// The sets published now, those set here among them; PowerDNS also lists the zone's own
    /// (SOA, NS, the apex, <c>ganymede</c>, <c>ns</c>). For the reconciler.
    /// </summary>
    Task<IReadOnlyList<DnsRecordSet>> ListRecordSetsAsync(CancellationToken cancellationToken);
}

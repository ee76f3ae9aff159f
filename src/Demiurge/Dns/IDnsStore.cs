namespace Demiurge.Dns;

/// <summary>
/// The published record sets. Every change takes the zone's next version (its SOA serial), so
/// servers stay current by asking for what changed since the version they have.
/// </summary>
internal interface IDnsStore
{
    /// <summary>Replaces each set (a set with no values is deleted) in one transaction; returns the new version.</summary>
    Task<long> DnsRecordSetsApplyAsync(IReadOnlyList<DnsRecordSet> changes, CancellationToken cancellationToken);

    /// <summary>
    /// The sets changed after <paramref name="afterVersion"/>, deleted ones with no values, and the
    /// current version. After version 0 that is every set ever written.
    /// </summary>
    Task<(long Version, IReadOnlyList<DnsRecordSet> Changes)> DnsRecordSetsChangedAsync(long afterVersion, CancellationToken cancellationToken);
}

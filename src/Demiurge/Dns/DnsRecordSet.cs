using Demiurge.Dns.Server;

namespace Demiurge.Dns;

/// <summary>
/// The values of one name and type, as PowerDNS's rrsets: <c>org-x.demiurge.localhost A 127.0.0.1</c>.
/// No values means the set is deleted.
/// </summary>
/// <param name="Name">Lower case, without the trailing dot; <c>*.</c> in front for a wildcard.</param>
/// <param name="Type">A, AAAA, CNAME, TXT or NS.</param>
/// <param name="Ttl">Seconds resolvers may cache the answer.</param>
/// <param name="Values">The record data in presentation form (an address, a name, a text).</param>
internal sealed record DnsRecordSet(string Name, string Type, int Ttl, IReadOnlyList<string> Values)
{
    /// <summary>The types a provider publishes for callers; NS and SOA are the zone's own.</summary>
    public static readonly IReadOnlyList<string> PublishedTypes = ["A", "AAAA", "CNAME", "TXT"];

    public bool IsDeleted => Values.Count == 0;

    /// <summary>
    /// Checks the set before a provider publishes it: a lower-case name in the zone of
    /// <paramref name="domain"/>, one of <see cref="PublishedTypes"/>, a TTL that is not negative,
    /// and values the type allows (addresses of its family, one name for a CNAME, texts).
    /// </summary>
    /// <exception cref="ArgumentException">Something above does not hold.</exception>
    public void Validate(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (Name.Any(char.IsAsciiLetterUpper) || Name.EndsWith('.') || !DnsName.IsAtOrBelow(Name, domain.TrimEnd('.').ToLowerInvariant()) || DnsName.ToWire(Name) is null)
        {
            throw new ArgumentException($"'{Name}' is not a lower-case name in {domain}.");
        }

        if (!PublishedTypes.Contains(Type) || Ttl < 0)
        {
            throw new ArgumentException($"{Name} {Type}: the type must be one of {string.Join(", ", PublishedTypes)}, and the TTL not negative.");
        }

        if (!IsDeleted && ZoneRecordSet.TryCreate(this, out var error) is null)
        {
            throw new ArgumentException($"{Name} {Type}: {error}.");
        }
    }
}

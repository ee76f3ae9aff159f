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
    public bool IsDeleted => Values.Count == 0;
}

namespace Demiurge.Dns.Server;

/// <summary>What the zone says about a question, before it is written as a reply.</summary>
/// <param name="Code">NOERROR (an answer, or NODATA when it is empty), NXDOMAIN or REFUSED.</param>
/// <param name="Answers">The answer section: the records, after any CNAMEs that led to them.</param>
/// <param name="Authority">The zone's SOA for negative answers (RFC 2308), so resolvers know how long to cache them.</param>
internal sealed record DnsAnswer(DnsResponseCode Code, IReadOnlyList<OwnedRecordSet> Answers, OwnedRecordSet? Authority)
{
    /// <summary>A question for a name outside the zone: this server is no one's resolver.</summary>
    public static readonly DnsAnswer Refused = new(DnsResponseCode.Refused, [], null);
}

namespace Demiurge.Dns.Server;

/// <summary>A query as read from the wire; <see cref="Error"/> says why it cannot be answered from the zone.</summary>
/// <param name="Id">Copied into the reply.</param>
/// <param name="Opcode">Only QUERY (0) is implemented.</param>
/// <param name="RecursionDesired">Copied into the reply.</param>
/// <param name="Error">FORMERR, NOTIMP, BADVERS, or NOERROR when the question can be looked up.</param>
/// <param name="Name">The question's name, lower-case presentation form; empty when there is no question.</param>
/// <param name="NameWire">The question's name as sent (original case, uncompressed), echoed in the reply; empty when there is no question.</param>
/// <param name="Type">The question's type.</param>
/// <param name="Class">The question's class; only IN (1) is served.</param>
/// <param name="EdnsSize">The UDP payload size the client advertised in its OPT record (at least 512); null without EDNS.</param>
internal sealed record DnsQuery(ushort Id, int Opcode, bool RecursionDesired, DnsResponseCode Error, string Name, byte[] NameWire, DnsType Type, ushort Class, int? EdnsSize)
{
    public const ushort ClassIn = 1;
}

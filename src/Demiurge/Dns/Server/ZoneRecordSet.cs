using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Demiurge.Dns.Server;

/// <summary>The records of one name and type as the server writes them.</summary>
internal sealed record ZoneRecordSet(DnsType Type, uint Ttl, IReadOnlyList<DnsRecordData> Records)
{
    /// <summary>The CNAME's target, which the server follows within the zone.</summary>
    public string Target => Records[0].Names[0];

    /// <summary>
    /// Encodes a stored record set, or says why it cannot be served (the store may hold what
    /// another process wrote; one bad set must not stop the zone from loading).
    /// </summary>
    public static ZoneRecordSet? TryCreate(DnsRecordSet set, out string? error)
    {
        error = null;
        if (!Enum.TryParse<DnsType>(set.Type, ignoreCase: false, out var type) || type is not (DnsType.A or DnsType.AAAA or DnsType.CNAME or DnsType.TXT or DnsType.NS))
        {
            error = $"type {set.Type} is not served";
            return null;
        }

        if (type == DnsType.CNAME && set.Values.Count != 1)
        {
            error = "a CNAME set holds exactly one name";
            return null;
        }

        var records = new List<DnsRecordData>(set.Values.Count);
        foreach (var value in set.Values)
        {
            var data = type switch
            {
                DnsType.A => Address(value, AddressFamily.InterNetwork),
                DnsType.AAAA => Address(value, AddressFamily.InterNetworkV6),
                DnsType.TXT => Text(value),
                _ => DnsName.ToWire(value.TrimEnd('.')) is null ? null : DnsRecordData.Name(value.TrimEnd('.').ToLowerInvariant()),
            };
            if (data is null)
            {
                error = $"'{value}' is not a valid {type} value";
                return null;
            }

            records.Add(data);
        }

        return new ZoneRecordSet(type, (uint)Math.Max(0, set.Ttl), records);
    }

    private static DnsRecordData? Address(string value, AddressFamily family) =>
        IPAddress.TryParse(value, out var address) && address.AddressFamily == family ? DnsRecordData.Raw(address.GetAddressBytes()) : null;

    // A TXT record is a sequence of character-strings of at most 255 bytes each (RFC 1035 3.3.14).
    private static DnsRecordData? Text(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > 60_000)
        {
            return null;
        }

        var data = new List<byte>(bytes.Length + (bytes.Length / 255) + 1);
        var offset = 0;
        do
        {
            var length = Math.Min(255, bytes.Length - offset);
            data.Add((byte)length);
            data.AddRange(bytes.AsSpan(offset, length));
            offset += length;
        }
        while (offset < bytes.Length);
        return DnsRecordData.Raw([.. data]);
    }
}

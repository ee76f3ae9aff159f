namespace Demiurge.Dns;

/// <summary>DNS for organizations' names (section <c>Demiurge:Dns</c>).</summary>
public sealed class DnsOptions
{
    public const string Embedded = "embedded";
    public const string PowerDns = "powerdns";

    /// <summary><c>embedded</c> (Demiurge's own authoritative server) or <c>powerdns</c>.</summary>
    public string Provider { get; set; } = Embedded;

    /// <summary>UDP and TCP port of the embedded DNS server; 0 picks a free one.</summary>
    public int Port { get; set; } = 8053;
}

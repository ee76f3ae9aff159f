namespace Demiurge.Dns.PowerDns;

/// <summary>PowerDNS refused a change or could not be reached; the message says which and why.</summary>
internal sealed class PowerDnsException(string message, Exception? innerException = null) : Exception(message, innerException);

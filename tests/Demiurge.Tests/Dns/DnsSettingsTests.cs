using Demiurge.Dns;

namespace Demiurge.Tests.Dns;

/// <summary>DNS settings: every problem listed at once, PowerDNS's settings required only for PowerDNS.</summary>
public sealed class DnsSettingsTests
{
    [Fact]
    public void Validate_Defaults_NoErrors()
    {
        var errors = new List<string>();

        DnsSettings.Validate(new DnsOptions(), errors);

        Assert.Empty(errors);
    }

    [Fact]
    public void Validate_BadAddressesAndPowerDnsWithoutUrlOrKey_EveryProblemNamed()
    {
        var errors = new List<string>();

        DnsSettings.Validate(new DnsOptions { Provider = DnsOptions.PowerDns, Address = "localhost", EdgeAddresses = "127.0.0.1, nope", PowerDnsUrl = "ftp://x", PowerDnsTimeout = "soon", PowerDnsServerId = "a/b" }, errors);

        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("--dns-address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--dns-edge-addresses", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--powerdns-url (DEMIURGE_POWERDNS_URL, Demiurge:Dns:PowerDnsUrl)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--powerdns-api-key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--powerdns-server-id", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--powerdns-timeout", StringComparison.Ordinal));
    }

    [Fact]
    public void EdgeAddressList_BothFamilies_Parsed()
    {
        var addresses = new DnsOptions { EdgeAddresses = " 127.0.0.1 ,::1," }.EdgeAddressList();

        Assert.Equal(["127.0.0.1", "::1"], addresses.Select(a => a.ToString()));
    }
}

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

        DnsSettings.Validate(new DnsOptions { Provider = DnsOptions.PowerDns, Address = "localhost", EdgeAddresses = "127.0.0.1, nope", PowerDnsUrl = "ftp://x", PowerDnsTimeout = TimeSpan.Zero, PowerDnsServerId = "a/b" }, errors);

        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("--dns-address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--dns-edge-addresses", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--powerdns-url (DEMIURGE_POWERDNS_URL, Demiurge:Dns:PowerDnsUrl)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--powerdns-api-key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--powerdns-server-id", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--powerdns-timeout", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 256, 16, "--dns-tcp-idle-timeout")]
    [InlineData(-1, 256, 16, "--dns-tcp-idle-timeout")]
    [InlineData(10, 0, 1, "--dns-tcp-connections ")]
    [InlineData(10, 8, 16, "--dns-tcp-connections-per-source")]
    [InlineData(10, 8, 0, "--dns-tcp-connections-per-source")]
    public void Validate_BadTcpLimits_Named(int idleSeconds, int connections, int perSource, string flag)
    {
        var errors = new List<string>();

        DnsSettings.Validate(new DnsOptions { TcpIdleTimeout = TimeSpan.FromSeconds(idleSeconds), TcpConnections = connections, TcpConnectionsPerSource = perSource }, errors);

        Assert.Single(errors);
        Assert.StartsWith(flag, errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void TcpLimits_Set_Parsed()
    {
        var limits = new DnsOptions { TcpIdleTimeout = TimeSpan.FromMilliseconds(1500), TcpConnections = 64, TcpConnectionsPerSource = 4 }.TcpLimits();

        Assert.Equal(new Demiurge.Dns.Server.DnsTcpLimits(64, 4, TimeSpan.FromMilliseconds(1500)), limits);
    }

    [Fact]
    public void EdgeAddressList_BothFamilies_Parsed()
    {
        var addresses = new DnsOptions { EdgeAddresses = " 127.0.0.1 ,::1," }.EdgeAddressList();

        Assert.Equal(["127.0.0.1", "::1"], addresses.Select(a => a.ToString()));
    }
}

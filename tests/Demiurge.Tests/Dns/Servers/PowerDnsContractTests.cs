using System.Net;
using Demiurge.Dns;

namespace Demiurge.Tests.Dns.Servers;

/// <summary>The DNS contract on the PowerDNS adapter and a real pdns_server.</summary>
public sealed class PowerDnsContractTests(PowerDnsServer powerDns) : DnsContractTests, IClassFixture<PowerDnsServer>, IDisposable
{
    private readonly PowerDnsProviders _providers = new();

    private protected override IDnsProvider Provider => field ??= _providers.Create(powerDns.ApiUrl, PowerDnsServer.ApiKey);

    protected override IPEndPoint Server => powerDns.DnsEndPoint;

    public void Dispose() => _providers.Dispose();
}

using System.Net;
using Demiurge.Dns;

namespace Demiurge.Tests.Dns.Servers;

/// <summary>The DNS contract on the embedded provider and server.</summary>
public sealed class EmbeddedDnsContractTests(EmbeddedDnsServerFixture server) : DnsContractTests, IClassFixture<EmbeddedDnsServerFixture>
{
    private protected override IDnsProvider Provider => server.Provider;

    protected override IPEndPoint Server => server.EndPoint;
}

using System.Net;
using Demiurge.Dns;
using Demiurge.Gateways;

namespace Demiurge.Tests.Dns.Servers;

/// <summary>
/// What every DNS provider must do, checked with <c>dig</c> against the server that answers for
/// it: the embedded provider with our server, and the PowerDNS adapter with pdns_server.
/// </summary>
public abstract class DnsContractTests
{
    protected const string Zone = EmbeddedDnsServerFixture.Zone;

    private protected abstract IDnsProvider Provider { get; }

    protected abstract IPEndPoint Server { get; }

    private static string NewOrganization() => Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task SetOrganization_NameAndEveryNameBelow_AnswerTheEdgeAddresses()
    {
        var organization = NewOrganization();

        await Provider.SetOrganizationAsync(organization, EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);
        var name = await Dig.QueryAsync(Server, $"org-{organization}.{Zone}", "A");
        var below = await Dig.QueryAsync(Server, $"anything.org-{organization}.{Zone}", "A");
        var belowV6 = await Dig.QueryAsync(Server, $"uc-1.org-{organization}.{Zone}", "AAAA", "+tcp");

        Assert.Equal(("NOERROR", "127.0.0.1"), (name.Status, Assert.Single(name.Answer).Data));
        Assert.Contains("aa", name.Flags);
        Assert.Equal(($"anything.org-{organization}.{Zone}.", "127.0.0.1"), (Assert.Single(below.Answer).Name, below.Answer[0].Data));
        Assert.Equal(["::1"], belowV6.Values("AAAA"));
    }

    [Fact]
    public async Task RemoveOrganization_AfterSet_NxDomainWithSoa()
    {
        var organization = NewOrganization();
        await Provider.SetOrganizationAsync(organization, EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);

        await Provider.RemoveOrganizationAsync(organization, EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);
        var name = await Dig.QueryAsync(Server, $"org-{organization}.{Zone}", "A");
        var below = await Dig.QueryAsync(Server, $"anything.org-{organization}.{Zone}", "A");

        Assert.Equal("NXDOMAIN", name.Status);
        Assert.Equal("NXDOMAIN", below.Status);
        Assert.Equal("SOA", Assert.Single(below.Authority).Type);
    }

    [Fact]
    public async Task SetOrganization_Twice_SameSingleAnswer()
    {
        var organization = NewOrganization();

        await Provider.SetOrganizationAsync(organization, EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);
        await Provider.SetOrganizationAsync(organization, EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);
        var result = await Dig.QueryAsync(Server, $"org-{organization}.{Zone}", "A");

        Assert.Equal(["127.0.0.1"], result.Values("A"));
    }

    [Fact]
    public async Task RemoveOrganization_Unknown_SucceedsAndLeavesOthers()
    {
        var kept = NewOrganization();
        await Provider.SetOrganizationAsync(kept, EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);

        await Provider.RemoveOrganizationAsync(NewOrganization(), EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);
        await Provider.RemoveOrganizationAsync(NewOrganization(), EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);
        var result = await Dig.QueryAsync(Server, $"x.org-{kept}.{Zone}", "A");

        Assert.Equal(["127.0.0.1"], result.Values("A"));
    }

    [Fact]
    public async Task ListPublishedOrganizations_AfterSetAndRemove_HoldsExactlyThePublishedOnes()
    {
        var kept = NewOrganization();
        var removed = NewOrganization();
        await Provider.SetOrganizationAsync(kept, EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);
        await Provider.SetOrganizationAsync(removed, EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);
        var before = await Provider.ListPublishedOrganizationsAsync(EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);

        await Provider.RemoveOrganizationAsync(removed, EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);
        var after = await Provider.ListPublishedOrganizationsAsync(EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);

        Assert.Contains(kept, before);
        Assert.Contains(removed, before);
        Assert.Contains(kept, after);
        Assert.DoesNotContain(removed, after);
        Assert.DoesNotContain(NewOrganization(), after);
    }

    [Fact]
    public async Task Zone_Apex_SoaAndNsAnswered()
    {
        await Provider.SetOrganizationAsync(NewOrganization(), EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);

        var soa = await Dig.QueryAsync(Server, Zone, "SOA");
        var ns = await Dig.QueryAsync(Server, Zone, "NS");

        Assert.StartsWith($"ns.{Zone}. hostmaster.{Zone}. ", Assert.Single(soa.Answer).Data, StringComparison.Ordinal);
        Assert.Equal([$"ns.{Zone}."], ns.Values("NS"));
    }
}

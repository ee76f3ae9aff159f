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

        await Provider.SetOrganizationAsync(organization, EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None);
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
        await Provider.SetOrganizationAsync(organization, EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None);

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

        await Provider.SetOrganizationAsync(organization, EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None);
        await Provider.SetOrganizationAsync(organization, EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None);
        var result = await Dig.QueryAsync(Server, $"org-{organization}.{Zone}", "A");

        Assert.Equal(["127.0.0.1"], result.Values("A"));
    }

    [Fact]
    public async Task RemoveOrganization_Unknown_SucceedsAndLeavesOthers()
    {
        var kept = NewOrganization();
        await Provider.SetOrganizationAsync(kept, EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None);

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
        await Provider.SetOrganizationAsync(kept, EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None);
        await Provider.SetOrganizationAsync(removed, EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None);
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
    public async Task SetRecordSets_AnyNameEachType_Answered()
    {
        var app = $"shop-{NewOrganization()}.acme.apps.{Zone}";
        var alias = $"www-{NewOrganization()}.{Zone}";
        var verification = $"_verify-{NewOrganization()}.{Zone}";

        await Provider.SetRecordSetsAsync(
        [
            new DnsRecordSet(app, "A", 60, ["127.0.0.2", "127.0.0.3"]),
            new DnsRecordSet(app, "AAAA", 60, ["::2"]),
            new DnsRecordSet(alias, "CNAME", 60, [app]),
            new DnsRecordSet(verification, "TXT", 60, ["token=abc \"quoted\""]),
        ], CancellationToken.None);
        var a = await Dig.QueryAsync(Server, app, "A");
        var aaaa = await Dig.QueryAsync(Server, app, "AAAA");
        var cname = await Dig.QueryAsync(Server, alias, "A");
        var txt = await Dig.QueryAsync(Server, verification, "TXT");
        var listed = await Provider.ListRecordSetsAsync(CancellationToken.None);

        Assert.Equal(["127.0.0.2", "127.0.0.3"], a.Values("A").Order(StringComparer.Ordinal));
        Assert.Equal(["::2"], aaaa.Values("AAAA"));
        Assert.Equal([$"{app}."], cname.Values("CNAME"));
        Assert.Equal(["127.0.0.2", "127.0.0.3"], cname.Values("A").Order(StringComparer.Ordinal));
        Assert.Equal(["\"token=abc \\\"quoted\\\"\""], txt.Values("TXT"));
        Assert.Equal([app], Assert.Single(listed, s => s.Name == alias && s.Type == "CNAME").Values);
        Assert.Equal(["token=abc \"quoted\""], Assert.Single(listed, s => s.Name == verification).Values);
    }

    [Fact]
    public async Task SetRecordSets_NoValues_DeletesTheSetOnly()
    {
        var name = $"app-{NewOrganization()}.{Zone}";
        await Provider.SetRecordSetsAsync([new DnsRecordSet(name, "A", 60, ["127.0.0.2"]), new DnsRecordSet(name, "TXT", 60, ["kept"])], CancellationToken.None);

        await Provider.SetRecordSetsAsync([new DnsRecordSet(name, "A", 60, [])], CancellationToken.None);
        var a = await Dig.QueryAsync(Server, name, "A");
        var txt = await Dig.QueryAsync(Server, name, "TXT");

        Assert.Equal(("NOERROR", 0), (a.Status, a.Answer.Count));
        Assert.Equal(["\"kept\""], txt.Values("TXT"));
        Assert.DoesNotContain(await Provider.ListRecordSetsAsync(CancellationToken.None), s => s.Name == name && s.Type == "A");
    }

    [Theory]
    [InlineData("elsewhere.example.com", "A", "127.0.0.2")]
    [InlineData("UPPER.zone.test", "A", "127.0.0.2")]
    [InlineData("app.zone.test", "A", "::2")]
    [InlineData("app.zone.test", "MX", "10 mail.zone.test")]
    [InlineData("app.zone.test", "CNAME", "not a name")]
    public async Task SetRecordSets_InvalidSet_RefusedAndNothingPublished(string name, string type, string value)
    {
        var good = $"good-{NewOrganization()}.{Zone}";
        // Something published first, so the zone exists: PowerDNS refuses names of a zone it does not have.
        await Provider.SetRecordSetsAsync([new DnsRecordSet($"other-{NewOrganization()}.{Zone}", "A", 60, ["127.0.0.3"])], CancellationToken.None);

        await Assert.ThrowsAsync<ArgumentException>(() => Provider.SetRecordSetsAsync([new DnsRecordSet(good, "A", 60, ["127.0.0.2"]), new DnsRecordSet(name, type, 60, [value])], CancellationToken.None));

        Assert.Equal("NXDOMAIN", (await Dig.QueryAsync(Server, good, "A")).Status);
    }

    [Fact]
    public async Task Zone_Apex_SoaAndNsAnswered()
    {
        await Provider.SetOrganizationAsync(NewOrganization(), EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None);

        var soa = await Dig.QueryAsync(Server, Zone, "SOA");
        var ns = await Dig.QueryAsync(Server, Zone, "NS");

        Assert.StartsWith($"ns.{Zone}. hostmaster.{Zone}. ", Assert.Single(soa.Answer).Data, StringComparison.Ordinal);
        Assert.Equal([$"ns.{Zone}."], ns.Values("NS"));
    }
}

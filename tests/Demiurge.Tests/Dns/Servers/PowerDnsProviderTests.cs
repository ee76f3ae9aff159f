using System.Net;
using System.Net.Sockets;
using Demiurge.Dns;
using Demiurge.Dns.PowerDns;
using Demiurge.Gateways;
using Demiurge.Tests.Gateways;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Dns.Servers;

/// <summary>The PowerDNS adapter when PowerDNS is down or says no, alone and inside the allocation saga.</summary>
public sealed class PowerDnsProviderTests(PowerDnsServer powerDns) : IClassFixture<PowerDnsServer>, IDisposable
{
    private readonly PowerDnsProviders _providers = new();

    [Fact]
    public async Task SetOrganization_PowerDnsDown_ClearErrorNamingTheAddress()
    {
        var url = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        var provider = _providers.Create(url, PowerDnsServer.ApiKey, timeout: TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<PowerDnsException>(() => provider.SetOrganizationAsync("down", EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None));

        Assert.Contains("did not answer", error.Message, StringComparison.Ordinal);
        Assert.Contains(url.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetOrganization_WrongApiKey_RefusedWithTheStatus()
    {
        var provider = _providers.Create(powerDns.ApiUrl, "not-the-key");

        var error = await Assert.ThrowsAsync<PowerDnsException>(() => provider.SetOrganizationAsync("key", EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None));

        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetOrganization_UnknownServerId_RefusedWithTheStatus()
    {
        var provider = _providers.Create(powerDns.ApiUrl, PowerDnsServer.ApiKey, serverId: "nowhere");

        var error = await Assert.ThrowsAsync<PowerDnsException>(() => provider.SetOrganizationAsync("server", EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None));

        Assert.Contains("404", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetOrganization_ZoneMissing_CreatedWithTheStaticRecords()
    {
        await _providers.Create(powerDns.ApiUrl, PowerDnsServer.ApiKey).SetOrganizationAsync("first", EmbeddedDnsServerFixture.ZoneOptions(), EmbeddedDnsServerFixture.ZoneOptions().Dns, CancellationToken.None);

        var apex = await Dig.QueryAsync(powerDns.DnsEndPoint, EmbeddedDnsServerFixture.Zone, "A");
        var api = await Dig.QueryAsync(powerDns.DnsEndPoint, $"ganymede.{EmbeddedDnsServerFixture.Zone}", "AAAA");

        Assert.Equal(["127.0.0.1"], apex.Values("A"));
        Assert.Equal(["::1"], api.Values("AAAA"));
    }

    [Fact]
    public async Task ListPublishedOrganizations_ZoneMissing_NoneAndNoZoneCreated()
    {
        var domain = $"z{Guid.NewGuid():N}.test";
        var provider = _providers.Create(powerDns.ApiUrl, PowerDnsServer.ApiKey, domain: domain);

        var published = await provider.ListPublishedOrganizationsAsync(EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None);
        var soa = await Dig.QueryAsync(powerDns.DnsEndPoint, domain, "SOA");

        Assert.Empty(published);
        Assert.NotEqual("NOERROR", soa.Status);
    }

    [Fact]
    public async Task ListPublishedOrganizations_UnknownServerId_RefusedRatherThanNone()
    {
        var provider = _providers.Create(powerDns.ApiUrl, PowerDnsServer.ApiKey, serverId: "nowhere");

        var error = await Assert.ThrowsAsync<PowerDnsException>(() => provider.ListPublishedOrganizationsAsync(EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None));

        Assert.Contains("404", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListPublishedOrganizations_PowerDnsDown_ClearErrorNamingTheAddress()
    {
        var url = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        var provider = _providers.Create(url, PowerDnsServer.ApiKey, timeout: TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<PowerDnsException>(() => provider.ListPublishedOrganizationsAsync(EmbeddedDnsServerFixture.ZoneOptions(), CancellationToken.None));

        Assert.Contains("did not answer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PowerDnsDown_AllocationRolledBackAndGatewayBackInThePool()
    {
        await using var pool = new PoolFixture();
        pool.Api.ExtraSettings["Demiurge:Dns:Provider"] = DnsOptions.PowerDns;
        pool.Api.ExtraSettings["Demiurge:Dns:PowerDnsUrl"] = $"http://127.0.0.1:{ClosedPort()}";
        pool.Api.ExtraSettings["Demiurge:Dns:PowerDnsApiKey"] = PowerDnsServer.ApiKey;
        pool.Api.ExtraSettings["Demiurge:Dns:PowerDnsTimeout"] = "2s";
        await pool.InitializeAsync();
        var (_, gatewayId, _) = await pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await pool.NewOrganizationAsync();

        using var response = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "allocation-failed");
        Assert.Contains("PowerDNS", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await pool.Store.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None));
        Assert.Equal(GatewayState.Ready, (await pool.Store.GatewayGetAsync(gatewayId, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Start_PowerDnsUp_OrganizationResolvesThroughPdns()
    {
        await using var pool = new PoolFixture();
        pool.Api.ExtraSettings["Demiurge:Dns:Provider"] = DnsOptions.PowerDns;
        pool.Api.ExtraSettings["Demiurge:Dns:PowerDnsUrl"] = powerDns.ApiUrl.ToString();
        pool.Api.ExtraSettings["Demiurge:Dns:PowerDnsApiKey"] = PowerDnsServer.ApiKey;
        await pool.InitializeAsync();
        await pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await pool.NewOrganizationAsync();

        using var response = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);
        var result = await Dig.QueryAsync(powerDns.DnsEndPoint, $"uc-1.org-{organizationId}.demiurge.localhost", "A");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["127.0.0.1"], result.Values("A"));
    }

    public void Dispose() => _providers.Dispose();

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

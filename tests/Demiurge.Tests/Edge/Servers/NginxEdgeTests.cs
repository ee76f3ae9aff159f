using System.Security.Cryptography.X509Certificates;
using Demiurge.Edge;
using Demiurge.Gateways;
using Demiurge.Edge.Nginx;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Edge.Servers;

/// <summary>The edge contract against a real nginx, plus what only it does: refusals restored, reloads coalesced.</summary>
public sealed class NginxEdgeTests(NginxFixture fixture) : EdgeContractTests, IClassFixture<NginxFixture>
{
    internal override IEdgeRouter Router => fixture.Router;

    protected override Uri HttpUrl => new($"http://127.0.0.1:{fixture.Port}/");

    protected override TestBackend BackendA => fixture.BackendA;

    protected override TestBackend BackendB => fixture.BackendB;

    protected override bool ResetsIdleConnectionsOnChange => true;

    protected override int Flips => 10;

    protected override Task RoutesSettledAsync() => fixture.WorkersSettledAsync();

    // Port 0 passes every check of ours but not nginx's: "invalid port in upstream".
    private static readonly Uri s_refused = new("http://127.0.0.1:0/");

    [Fact]
    public async Task SetRoute_NginxRefusesTheChange_RestoresTheLastGoodFileAndSaysWhy()
    {
        var organization = NewOrganization();
        using var client = new EdgeClient();
        await Router.SetRouteAsync(organization, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);
        var file = Path.Combine(fixture.SitesDir, NginxSite.FileName(Hostname(organization)));
        var good = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);

        var exception = await Assert.ThrowsAsync<NginxException>(() => Router.SetRouteAsync(organization, s_refused, TestOptions, TestContext.Current.CancellationToken));

        Assert.Contains("invalid port in upstream", exception.Message, StringComparison.Ordinal);
        Assert.Contains(NginxSite.FileName(Hostname(organization)), exception.Message, StringComparison.Ordinal);
        Assert.Equal(good, await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
        await client.EventuallyAsync(Url(Hostname(organization)), BackendA.Name);
    }

    [Fact]
    public async Task SetRoute_NginxRefusesANewOrganization_LeavesNoFile()
    {
        var organization = NewOrganization();

        await Assert.ThrowsAsync<NginxException>(() => Router.SetRouteAsync(organization, s_refused, TestOptions, TestContext.Current.CancellationToken));

        Assert.False(File.Exists(Path.Combine(fixture.SitesDir, NginxSite.FileName(Hostname(organization)))));
        Assert.Empty(Directory.GetFiles(fixture.SitesDir, "*.tmp"));
    }

    [Fact]
    public async Task SetRoute_BurstOfConcurrentChanges_FarFewerReloadsAndAllLand()
    {
        const int Changes = 40;
        var organizations = Enumerable.Range(0, Changes).Select(_ => NewOrganization()).ToList();
        using var client = new EdgeClient();
        var reloadsBefore = fixture.Reloads;

        await Task.WhenAll(organizations.Select((o, i) => Router.SetRouteAsync(o, i % 2 == 0 ? BackendA.Url : BackendB.Url, TestOptions, TestContext.Current.CancellationToken)));

        var reloads = fixture.Reloads - reloadsBefore;
        Assert.InRange(reloads, 1, Changes / 8);
        for (var i = 0; i < Changes; i++)
        {
            await client.EventuallyAsync(Url(Hostname(organizations[i])), i % 2 == 0 ? BackendA.Name : BackendB.Name);
        }
    }

    [Fact]
    public async Task SetRoute_BatchWithOneRefusedChange_TheGoodChangesStillLand()
    {
        var good = Enumerable.Range(0, 10).Select(_ => NewOrganization()).ToList();
        var bad = NewOrganization();
        using var client = new EdgeClient();

        var goodTasks = good.Select(o => Router.SetRouteAsync(o, BackendA.Url, TestOptions, TestContext.Current.CancellationToken)).ToList();
        var badTask = Router.SetRouteAsync(bad, s_refused, TestOptions, TestContext.Current.CancellationToken);
        goodTasks.AddRange(good.Select(o => Router.SetRouteAsync($"{o[..8]}-x", BackendB.Url, TestOptions, TestContext.Current.CancellationToken)));

        await Assert.ThrowsAsync<NginxException>(() => badTask);
        await Task.WhenAll(goodTasks);
        Assert.False(File.Exists(Path.Combine(fixture.SitesDir, NginxSite.FileName(Hostname(bad)))));
        foreach (var organization in good)
        {
            await client.EventuallyAsync(Url(Hostname(organization)), BackendA.Name);
            await client.EventuallyAsync(Url(Hostname($"{organization[..8]}-x")), BackendB.Name);
        }
    }

    [Fact]
    public async Task SetRoute_NginxRefusesForAFileNotOurs_RefusesEveryChangeAndLeavesNoFile()
    {
        var broken = Path.Combine(fixture.SitesDir, "zz-operator.conf");
        await File.WriteAllTextAsync(broken, "this is not nginx configuration;\n", TestContext.Current.CancellationToken);
        try
        {
            var organizations = new[] { NewOrganization(), NewOrganization(), NewOrganization() };

            var changes = organizations.Select(o => Router.SetRouteAsync(o, BackendA.Url, TestOptions, TestContext.Current.CancellationToken)).ToList();

            foreach (var change in changes)
            {
                var exception = await Assert.ThrowsAsync<NginxException>(() => change);
                Assert.Contains("zz-operator.conf", exception.Message, StringComparison.Ordinal);
            }

            // The store's echo of each refused change reaches this router's follower too, which
            // may try it again (and restore the last good file) after the callers heard of the
            // refusal: no file of theirs is left once the follower is quiet, two looks a second apart.
            var files = organizations.Select(o => Path.Combine(fixture.SitesDir, NginxSite.FileName(Hostname(o)))).ToList();
            for (var wait = 0; wait < 10 && (files.Any(File.Exists) || await AnyAfterAsync(files)); wait++)
            {
                await Task.Delay(500, TestContext.Current.CancellationToken);
            }

            Assert.All(files, f => Assert.False(File.Exists(f)));
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public async Task Store_RouteWrittenByAnotherControlPlane_ReachesThisNginx()
    {
        var host = $"elsewhere-{NewOrganization()[..8]}.{Domain}";
        using var client = new EdgeClient();

        await fixture.Store.Edge.EdgeRoutesSetAsync([EdgeRoute.To(host, BackendB.Url)], TestContext.Current.CancellationToken);
        await client.EventuallyAsync(Url(host), BackendB.Name);

        await fixture.Store.Edge.EdgeRoutesSetAsync([EdgeRoute.Removed(host)], TestContext.Current.CancellationToken);
        await client.EventuallyAsync(Url(host), null);
        Assert.False(File.Exists(Path.Combine(fixture.SitesDir, NginxSite.FileName(host))));
    }

    [Fact]
    public async Task SetRoutes_UpstreamOnlyWhenMoreThanOneDestinationTakesRequests()
    {
        var host = $"up-{NewOrganization()[..8]}.{Domain}";
        var file = Path.Combine(fixture.SitesDir, NginxSite.FileName(host));

        await Router.SetRoutesAsync([EdgeRoute.To(host, BackendA.Url)], TestContext.Current.CancellationToken);
        var single = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
        await Router.SetRoutesAsync([new EdgeRoute(host, [new(BackendA.Url, 3), new(BackendB.Url, 1)])], TestContext.Current.CancellationToken);
        var weighted = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
        await Router.SetRoutesAsync([new EdgeRoute(host, [new(BackendA.Url, 3, Draining: true), new(BackendB.Url, 1)])], TestContext.Current.CancellationToken);
        var draining = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);

        Assert.DoesNotContain("upstream", single, StringComparison.Ordinal);
        Assert.Contains($"server {BackendA.Url.Authority} weight=3;", weighted, StringComparison.Ordinal);
        Assert.Contains($"server {BackendB.Url.Authority} weight=1;", weighted, StringComparison.Ordinal);
        Assert.DoesNotContain("upstream", draining, StringComparison.Ordinal);
        Assert.DoesNotContain(BackendA.Url.Authority, draining, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_OrganizationAndContainerNames_OneWildcardOfTheLocalAuthority()
    {
        var organization = NewOrganization();
        await Router.SetRouteAsync(organization, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(fixture.CertificateAuthorityPath, TestContext.Current.CancellationToken));

        var thumbprints = new List<string>();
        foreach (var host in new[] { Hostname(organization), $"uc-{Guid.NewGuid():N}.{Hostname(organization)}" })
        {
            using var client = new EdgeClient(ca);
            var body = await client.EventuallyAsync(new Uri($"https://{host}:{fixture.HttpsPort}/"), BackendA.Name);

            Assert.Equal("https", body!.Value.GetProperty("headers").GetProperty("x-forwarded-proto").GetString());
            Assert.Equal($"*.{Hostname(organization)}", client.LastCertificate!.GetNameInfo(X509NameType.DnsName, forIssuer: false));
            thumbprints.Add(client.LastCertificate.Thumbprint);
        }

        Assert.Single(thumbprints.Distinct());
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("a b")]
    [InlineData("a;b")]
    [InlineData("../etc")]
    public async Task SetRoute_IdUnsafeForNginx_IsRefusedBeforeAnyFileIsWritten(string organizationId)
    {
        var before = Directory.GetFiles(fixture.SitesDir).Length;

        await Assert.ThrowsAsync<ArgumentException>(() => Router.SetRouteAsync(organizationId, BackendA.Url, TestOptions, TestContext.Current.CancellationToken));

        Assert.Equal(before, Directory.GetFiles(fixture.SitesDir).Length);
    }

    private static async Task<bool> AnyAfterAsync(IReadOnlyList<string> files)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        return files.Any(File.Exists);
    }
}

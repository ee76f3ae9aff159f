using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Demiurge.Edge;
using Demiurge.Gateways;
using Demiurge.Store.Sqlite;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Edge.Servers;

/// <summary>The edge contract against the embedded edge, plus what only it does: TLS, HTTP/2, problem details, following the store.</summary>
public sealed class EmbeddedEdgeTests(EmbeddedEdgeFixture fixture) : EdgeContractTests, IClassFixture<EmbeddedEdgeFixture>
{
    internal override IEdgeRouter Router => fixture.Router;

    protected override Uri HttpUrl => fixture.Edge.HttpUrl;

    protected override TestBackend BackendA => fixture.BackendA;

    protected override TestBackend BackendB => fixture.BackendB;

    protected override bool ResetsIdleConnectionsOnChange => false;

    protected override int Flips => 100;

    private string CaPath => Path.Combine(fixture.DataDir.Path, EdgeHost.FolderName, LocalCertificateAuthority.CertificateFileName);

    private Uri HttpsUrl(string host, string path = "/") => new($"https://{host}:{fixture.Edge.HttpsUrl.Port}{path}");

    [Fact]
    public async Task Https_Http2WithAlpn_ReachesGatewayAsHttps()
    {
        var organization = NewOrganization();
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(CaPath, TestContext.Current.CancellationToken));
        using var client = new EdgeClient(ca);
        await Router.SetRouteAsync(organization, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);

        using var request = new HttpRequestMessage(HttpMethod.Get, HttpsUrl(Hostname(organization), "/over/tls"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await client.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(BackendA.Name, body.GetProperty("backend").GetString());
        Assert.Equal("https", body.GetProperty("headers").GetProperty("x-forwarded-proto").GetString());
        Assert.Equal("/over/tls", body.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Https_OrganizationAndContainerNames_OneWildcardChainingToTheLocalAuthority()
    {
        var organization = NewOrganization();
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(CaPath, TestContext.Current.CancellationToken));
        await Router.SetRouteAsync(organization, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);

        var thumbprints = new List<string>();
        foreach (var host in new[] { Hostname(organization), $"uc-{Guid.NewGuid():N}.{Hostname(organization)}" })
        {
            // A client of its own per name, so each request makes its own TLS handshake.
            using var client = new EdgeClient(ca);
            var (status, _) = await client.GetAsync(HttpsUrl(host));

            Assert.Equal(HttpStatusCode.Created, status);
            var certificate = client.LastCertificate!;
            Assert.Equal(ca.Subject, certificate.Issuer);
            Assert.Equal($"*.{Hostname(organization)}", certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false));
            Assert.True(certificate.MatchesHostname(host));
            thumbprints.Add(certificate.Thumbprint);
        }

        Assert.Single(thumbprints.Distinct());
    }

    [Fact]
    public async Task Https_ManyNamesOfOneOrganization_OneCertificateIssued()
    {
        var organization = NewOrganization();
        await Router.SetRouteAsync(organization, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);
        var authority = fixture.Edge.Services.GetRequiredService<LocalCertificateAuthority>();
        var issuedBefore = authority.IssuedTotal;

        var thumbprints = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            using var certificate = await HandshakeAsync($"uc-{Guid.NewGuid():N}.{Hostname(organization).ToUpperInvariant()}");
            thumbprints.Add(certificate.Thumbprint);
        }

        Assert.Single(thumbprints);
        Assert.Equal(issuedBefore + 1, authority.IssuedTotal);
        Assert.InRange(authority.CachedCount, 1, authority.CacheCapacity);
    }

    [Fact]
    public async Task Https_RandomNamesOutsideTheDomainOrUnrouted_MintNothing()
    {
        var authority = fixture.Edge.Services.GetRequiredService<LocalCertificateAuthority>();
        using var domainCertificate = await HandshakeAsync(Domain);
        var issuedBefore = authority.IssuedTotal;

        var random = new Random(10);
        var names = Enumerable.Range(0, 100).SelectMany(i => new[]
        {
            $"host-{random.Next()}.example.com",
            $"{Hostname(NewOrganization())}",
            $"uc-{i}.{Hostname(NewOrganization())}",
            $"name-{random.Next()}.{Domain}",
            $"{Domain}.evil-{i}.test",
        });
        foreach (var name in names)
        {
            using var certificate = await HandshakeAsync(name);
            Assert.Equal(domainCertificate.Thumbprint, certificate.Thumbprint);
        }

        Assert.Equal(issuedBefore, authority.IssuedTotal);
    }

    [Fact]
    public async Task Https_ApexAndApiName_EachTheirOwnCertificate()
    {
        using var apex = await HandshakeAsync(Domain);
        using var api = await HandshakeAsync($"ganymede.{Domain}");

        Assert.True(apex.MatchesHostname(Domain));
        Assert.False(apex.MatchesHostname($"ganymede.{Domain}"));
        Assert.True(api.MatchesHostname($"ganymede.{Domain}"));
        Assert.NotEqual(apex.Thumbprint, api.Thumbprint);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task LocalAuthority_KeyIsPrivateAndTheAuthoritySurvivesARestart()
    {
        var organization = NewOrganization();
        await Router.SetRouteAsync(organization, BackendA.Url, TestOptions, TestContext.Current.CancellationToken);
        var keyPath = Path.Combine(fixture.DataDir.Path, EdgeHost.FolderName, LocalCertificateAuthority.KeyFileName);
        var before = await File.ReadAllTextAsync(CaPath, TestContext.Current.CancellationToken);
        using var ca = X509Certificate2.CreateFromPem(before);

        // A second edge on the same data directory, as after a restart.
        await using var restarted = EdgeHost.Create(fixture.Configuration, fixture.Store.Edge, new EdgeRouteTable());
        await restarted.StartAsync(TestContext.Current.CancellationToken);
        using var client = new EdgeClient(ca);
        var (status, _) = await client.GetAsync(new Uri($"https://{Hostname(organization)}:{restarted.HttpsUrl.Port}/"));
        await restarted.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(before, await File.ReadAllTextAsync(CaPath, TestContext.Current.CancellationToken));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
    }

    [Fact]
    public async Task Request_UnknownHost_GetsProblem404()
    {
        using var client = new EdgeClient();
        var host = Hostname(NewOrganization());

        using var response = await client.Http.GetAsync(Url(host), TestContext.Current.CancellationToken);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "edge-unknown-host");
        Assert.Contains(host, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_DeadGateway_GetsProblem502()
    {
        var organization = NewOrganization();
        using var client = new EdgeClient();
        await Router.SetRouteAsync(organization, new Uri($"http://127.0.0.1:{FreePorts.Tcp()}/"), TestOptions, TestContext.Current.CancellationToken);

        using var response = await client.Http.GetAsync(Url(Hostname(organization)), TestContext.Current.CancellationToken);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "edge-bad-gateway");
        Assert.Contains(Hostname(organization), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandaloneEdge_RouteWrittenByAnotherProcessesStore_IsServed()
    {
        using var dataDir = new TempDirectory();
        await using var role = Demiurge.Hosting.Roles.Edge(EmbeddedEdgeFixture.Flags(dataDir.Path), new Dictionary<string, string>());
        await role.StartAsync(TestContext.Current.CancellationToken);
        var edge = role.Services.GetRequiredService<EmbeddedEdgeService>().Host!;
        await using var writer = Stores.Sqlite(Path.Combine(dataDir.Path, Demiurge.Store.StoreExtensions.DatabaseFileName));
        var organization = NewOrganization();
        using var client = new EdgeClient();
        var url = new Uri($"http://uc-1.{Hostname(organization)}:{edge.HttpUrl.Port}/");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(url)).Status);

        var wildcard = $"*.{Hostname(organization)}";
        await writer.Edge.EdgeRoutesSetAsync([EdgeRoute.To(wildcard, BackendB.Url)], TestContext.Current.CancellationToken);
        await client.EventuallyAsync(url, BackendB.Name);

        await writer.Edge.EdgeRoutesSetAsync([EdgeRoute.Removed(wildcard)], TestContext.Current.CancellationToken);
        await client.EventuallyAsync(url, null);
        await role.StopAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A bare TLS handshake with <paramref name="serverName"/> as SNI; the certificate the edge chose.</summary>
    private async Task<X509Certificate2> HandshakeAsync(string serverName)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fixture.Edge.HttpsUrl.Port, TestContext.Current.CancellationToken);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            // Any certificate: the test looks at which one the edge chose, not whether it validates.
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
        }, TestContext.Current.CancellationToken);
        return new X509Certificate2(tls.RemoteCertificate!);
    }
}

using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Demiurge.Edge;
using Demiurge.Edge.Nginx;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Edge.Servers;

/// <summary>
/// <c>demiurge edge --edge nginx</c> as a process of its own beside a real nginx: an edge host
/// that converges to the routes in the store, whoever writes them.
/// </summary>
public sealed class EdgeCommandNginxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task EdgeNginx_RoutesInTheStore_ThisNginxConvergesToThemOverHttpAndTls()
    {
        using var folder = new TempDirectory();
        var dataDir = Directory.CreateDirectory(Path.Combine(folder.Path, "data")).FullName;
        await using var nginx = await NginxServer.StartAsync(Directory.CreateDirectory(Path.Combine(folder.Path, "nginx")).FullName);
        await using var backend = await TestBackend.StartAsync("gateway");
        await using var store = Stores.Sqlite(Path.Combine(dataDir, StoreExtensions.DatabaseFileName));
        await store.Database.MigrateAsync(Ct);
        // Before the edge starts: a route it must pick up, and the file of a route the store no longer has.
        var early = $"org-{Guid.NewGuid()}.{EdgeContractTests.TestDomain}";
        await store.Edge.EdgeRoutesSetAsync([EdgeRoute.To(early, backend.Url)], Ct);
        var stale = Path.Combine(nginx.SitesDir, NginxSite.FileName($"org-{Guid.NewGuid()}.{EdgeContractTests.TestDomain}"));
        await File.WriteAllTextAsync(stale, "# a site of a route removed while the edge was down\n", Ct);

        await using var edge = DemiurgeProcess.Start(
        [
            "edge", "--data-dir", dataDir, "--domain", EdgeContractTests.TestDomain, "--edge", "nginx",
            "--edge-http-port", nginx.Port.ToString(CultureInfo.InvariantCulture), "--edge-https-port", nginx.HttpsPort.ToString(CultureInfo.InvariantCulture),
            "--edge-nginx-binary", nginx.Binary, "--edge-nginx-prefix", nginx.Folder, "--edge-nginx-config", nginx.Config, "--edge-nginx-sites-dir", nginx.SitesDir,
        ]);
        Assert.Equal(nginx.SitesDir, await edge.WaitForOutputAsync("Sites:"));
        using var client = new EdgeClient();

        await client.EventuallyAsync(new Uri($"http://{early}:{nginx.Port}/"), backend.Name);
        Assert.False(File.Exists(stale));

        var host = $"org-{Guid.NewGuid()}.{EdgeContractTests.TestDomain}";
        await store.Edge.EdgeRoutesSetAsync([EdgeRoute.To(host, backend.Url), EdgeRoute.To($"*.{host}", backend.Url)], Ct);
        await client.EventuallyAsync(new Uri($"http://uc-1.{host}:{nginx.Port}/"), backend.Name);
        using (var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(EdgeHost.CertificateAuthorityFile(dataDir), Ct)))
        using (var tls = new EdgeClient(ca))
        {
            await tls.EventuallyAsync(new Uri($"https://{host}:{nginx.HttpsPort}/"), backend.Name);
            Assert.Equal($"*.{host}", tls.LastCertificate!.GetNameInfo(X509NameType.DnsName, forIssuer: false));
        }

        await store.Edge.EdgeRoutesSetAsync([EdgeRoute.Removed(host), EdgeRoute.Removed($"*.{host}")], Ct);
        await client.EventuallyAsync(new Uri($"http://{host}:{nginx.Port}/"), null);
        Assert.False(File.Exists(Path.Combine(nginx.SitesDir, NginxSite.FileName(host))));

        edge.Signal(DemiurgeProcess.SigTerm);
        Assert.Equal(0, await edge.WaitForExitAsync());
    }
}

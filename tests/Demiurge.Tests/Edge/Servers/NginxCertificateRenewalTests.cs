using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Demiurge.Edge;
using Demiurge.Edge.Nginx;
using Demiurge.Hosting;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Demiurge.Tests.Edge.Servers;

/// <summary>
/// nginx's certificates renewed without a site changing, on a real nginx with a moved clock:
/// the local authority's before they expire, and an operator's when its file is replaced.
/// </summary>
public sealed class NginxCertificateRenewalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task LocalAuthority_CertificateNearsExpiry_RenewedAndServedWithoutASiteChange()
    {
        await using var edge = await Edge.StartAsync(operatorCertificates: false);
        var host = Edge.NewHost();
        await edge.Router.SetRoutesAsync([EdgeRoute.To(host, edge.Backend.Url)], Ct);
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(EdgeHost.CertificateAuthorityFile(edge.Options.DataDir), Ct));
        using var first = await edge.ServedAsync(host, ca, c => true);
        var reloads = edge.Nginx.Reloads;

        // Nothing is due 90 days before expiry: a check renews nothing and does not reload.
        Assert.Equal(0, await edge.Router.RenewCertificatesAsync(Ct));
        Assert.Equal(reloads, edge.Nginx.Reloads);

        // 61 days on, 29 are left: the next timed check issues it again and reloads nginx.
        edge.Time.Advance(TimeSpan.FromDays(61));
        using var renewed = await edge.ServedAsync(host, ca, c => c.Thumbprint != first.Thumbprint, advance: true);

        Assert.Equal(first.Subject, renewed.Subject);
        Assert.True(renewed.NotAfter > first.NotAfter.AddDays(60), $"{renewed.NotAfter:O} is not 61 days past {first.NotAfter:O}.");
        Assert.True(edge.Nginx.Reloads > reloads);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task OperatorCertificate_ReplacedOnDisk_ServedAfterTheNextCheckAndABrokenOneRefused()
    {
        await using var edge = await Edge.StartAsync(operatorCertificates: true);
        var host = Edge.NewHost();
        using var issuer = LocalCertificateAuthority.LoadOrCreate(Path.Combine(edge.Folder.Path, "operator-ca"), TimeProvider.System);
        var name = Demiurge.Common.HostNames.CertificateNameOf(host, EdgeContractTests.TestDomain);
        using var original = issuer.CertificateFor(name);
        await edge.WriteOperatorCertificateAsync(name, original);
        await edge.Router.SetRoutesAsync([EdgeRoute.To(host, edge.Backend.Url)], Ct);
        using (var served = await edge.ServedAsync(host, issuer.Certificate, c => true))
        {
            Assert.Equal(original.Thumbprint, served.Thumbprint);
        }

        // A broken file: nginx refuses it and serves on with the certificate it has.
        var (certificatePath, _) = edge.OperatorPaths(name);
        await File.WriteAllTextAsync(certificatePath, "not a certificate\n", Ct);
        var refusal = await Assert.ThrowsAsync<NginxException>(() => edge.Router.RenewCertificatesAsync(Ct));
        Assert.Contains(Path.GetFileName(certificatePath), refusal.Message, StringComparison.Ordinal);
        using (var served = await edge.ServedAsync(host, issuer.Certificate, c => true))
        {
            Assert.Equal(original.Thumbprint, served.Thumbprint);
        }

        // Replaced with a good one: the next timed check picks it up.
        using var replacement = issuer.CertificateFor(name, renewBefore: TimeSpan.FromDays(365));
        Assert.NotEqual(original.Thumbprint, replacement.Thumbprint);
        await edge.WriteOperatorCertificateAsync(name, replacement);
        using var renewed = await edge.ServedAsync(host, issuer.Certificate, c => c.Thumbprint == replacement.Thumbprint, advance: true);
        Assert.Equal(replacement.Thumbprint, renewed.Thumbprint);
    }

    /// <summary>A real nginx, a backend and the nginx router on a fake clock, in a folder of their own.</summary>
    private sealed class Edge : IAsyncDisposable
    {
        private Stores _store = null!;

        public TempDirectory Folder { get; } = new();

        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        public NginxServer Nginx { get; private set; } = null!;

        public TestBackend Backend { get; private set; } = null!;

        public DemiurgeOptions Options { get; private set; } = null!;

        internal NginxEdgeRouter Router { get; private set; } = null!;

        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
        public static async Task<Edge> StartAsync(bool operatorCertificates)
        {
            var edge = new Edge();
            edge.Nginx = await NginxServer.StartAsync(edge.Folder.Path);
            edge.Backend = await TestBackend.StartAsync("a");
            var certificates = operatorCertificates ? Directory.CreateDirectory(Path.Combine(edge.Folder.Path, "operator-certs")).FullName : null;
            edge.Options = new DemiurgeOptions { Domain = EdgeContractTests.TestDomain, DataDir = edge.Folder.Path, Edge = edge.Nginx.EdgeOptions(certificates) };
            edge._store = Stores.Sqlite(Path.Combine(edge.Folder.Path, StoreExtensions.DatabaseFileName));
            await edge._store.Database.MigrateAsync(Ct);
            edge.Router = new NginxEdgeRouter(edge._store.Edge, Microsoft.Extensions.Options.Options.Create<Demiurge.Common.PlatformOptions>(edge.Options), Microsoft.Extensions.Options.Options.Create(edge.Options.Edge), edge.Time, NullLogger<NginxEdgeRouter>.Instance);
            await edge.Router.StartAsync(Ct);
            return edge;
        }

        public static string NewHost() => $"org-{Guid.NewGuid()}.{EdgeContractTests.TestDomain}";

        public (string Certificate, string Key) OperatorPaths(string name)
        {
            var file = Path.Combine(Options.Edge.NginxCertificatesDir!, name.Replace('*', '_'));
            return (file + ".crt", file + ".key");
        }

        public async Task WriteOperatorCertificateAsync(string name, X509Certificate2 certificate)
        {
            var (certificatePath, keyPath) = OperatorPaths(name);
            using var key = certificate.GetECDsaPrivateKey()!;
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem(), Ct);
            await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem(), Ct);
        }

        /// <summary>
        /// Polls nginx's TLS port with <paramref name="host"/> as SNI until it serves a certificate that
        /// chains to <paramref name="root"/> at the fake clock's time and passes <paramref name="wanted"/>
        /// (nginx applies a reload a moment after the signal); with <paramref name="advance"/>, each
        /// poll also moves the clock by one check interval, so a timed check is due.
        /// </summary>
        public async Task<X509Certificate2> ServedAsync(string host, X509Certificate2 root, Func<X509Certificate2, bool> wanted, bool advance = false)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            string last = "nothing";
            while (DateTime.UtcNow < deadline)
            {
                if (advance)
                {
                    Time.Advance(NginxEdgeRouter.CertificateCheckInterval);
                }

                try
                {
                    var certificate = await HandshakeAsync(host, root);
                    if (wanted(certificate))
                    {
                        return certificate;
                    }

                    last = $"{certificate.Subject} {certificate.Thumbprint}";
                    certificate.Dispose();
                }
                catch (Exception exception) when (exception is IOException or SocketException or System.Security.Authentication.AuthenticationException)
                {
                    last = exception.Message;
                }

                await Task.Delay(100, Ct);
            }

            throw new TimeoutException($"nginx did not serve the expected certificate for {host}; last: {last}");
        }

        private async Task<X509Certificate2> HandshakeAsync(string host, X509Certificate2 root)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Nginx.HttpsPort), Ct);
            await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(root);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    // The clock has moved: a renewed certificate is valid from the fake now on.
                    chain.ChainPolicy.VerificationTime = Time.GetUtcNow().UtcDateTime;
                    using var leaf = new X509Certificate2(certificate!);
                    return chain.Build(leaf);
                },
            }, Ct);
            return new X509Certificate2(tls.RemoteCertificate!);
        }

        public async ValueTask DisposeAsync()
        {
            await Router.StopAsync(CancellationToken.None);
            Router.Dispose();
            await _store.DisposeAsync();
            await Nginx.DisposeAsync();
            await Backend.DisposeAsync();
            Folder.Dispose();
        }
    }
}

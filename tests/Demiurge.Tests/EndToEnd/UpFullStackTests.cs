using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Demiurge.Tests.Dns.Servers;
using Demiurge.Tests.GatewayProcess.Routing;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.EndToEnd;

/// <summary>
/// Everything <c>demiurge up</c> runs, together, as a user meets it: the organization's name
/// resolves in the embedded DNS, the embedded edge routes it to the allocated gateway over HTTP
/// and TLS (with a certificate from the local authority), and a user container's name reaches
/// the container through the edge and stage 2, WebSockets included.
/// </summary>
public sealed partial class UpFullStackTests
{
    private const string Token = "full-stack-admin-token-0123";
    private const string Domain = "demiurge.localhost";

    [Fact]
    public async Task Up_AllocatedOrganization_ResolvesRoutesOverHttpAndTls_AndReachesItsContainerThroughBothStages()
    {
        using var dataDir = new TempDirectory();
        await using var backend = await TestBackend.StartAsync();
        var backendPort = backend.Url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var up = DemiurgeProcess.Start(
        [
            "up", "--data-dir", dataDir.Path, "--api-port", "0", "--admin-token", Token, "--pool-ports", PortBlocks.Next(),
            "--pool-size", "1", "--pool-min-ready", "0", "--pool-max", "1", "--gateway-inactivity-timeout", "off",
            "--container-ports", $"{backendPort}-{backendPort}",
        ]);
        var api = new Uri(await up.WaitForOutputAsync("API:"));
        var dns = IPEndPoint.Parse((await up.WaitForOutputAsync("DNS:")).Split(' ')[0]);
        await up.WaitForOutputAsync("Press Ctrl-C");
        var edgeHttpPort = Port(up.StandardOutput.Single(l => l.Contains("Edge:", StringComparison.Ordinal)));
        var httpsLine = up.StandardOutput.Single(l => l.Contains("https://", StringComparison.Ordinal));
        var edgeHttpsPort = Port(httpsLine);
        var authorityPath = TrustPath().Match(httpsLine).Groups[1].Value;
        using var admin = new HttpClient { BaseAddress = api };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", Token);

        using var createdOrganization = await admin.PostAsJsonAsync("/orgs", new { name = "Full stack" });
        var organizationId = (await createdOrganization.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organization_id").GetString()!;
        var hostname = $"org-{organizationId}.{Domain}";
        using var started = await StartGatewayAsync(admin, organizationId);
        var allocation = await started.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(hostname, allocation.GetProperty("gateway_hostname").GetString());

        // DNS: the organization's name and every name under it point at the edge.
        Assert.Equal(["127.0.0.1"], (await Dig.QueryAsync(dns, hostname, "A")).Values("A"));
        Assert.Equal(["127.0.0.1"], (await Dig.QueryAsync(dns, $"uc-x.{hostname}", "A")).Values("A"));

        // Edge over plain HTTP and over TLS (HTTP/2), each reaching the gateway by the organization's
        // name, whose health endpoint is for operators on its own address only.
        using var http = new HttpClient(ToLoopback());
        using var ping = await http.GetAsync(new Uri($"http://{hostname}:{edgeHttpPort}/collab/ping"));
        var refused = await Problems.AssertProblemAsync(ping, HttpStatusCode.NotFound, "not-found");
        Assert.Contains("own address", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var authority = X509CertificateLoader.LoadCertificateFromFile(authorityPath);
        using var https = new HttpClient(ToLoopback(authority)) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var securePing = await https.GetAsync(new Uri($"https://{hostname}:{edgeHttpsPort}/collab/ping"));
        await Problems.AssertProblemAsync(securePing, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpVersion.Version20, securePing.Version);

        // A container: created at the gateway by a member, registered with its own token, then
        // reached by its name through the edge and stage 2.
        var containerId = Guid.NewGuid().ToString();
        var containerHost = $"uc-{containerId}.{hostname}";
        using var create = new HttpRequestMessage(HttpMethod.Post, new Uri($"https://{hostname}:{edgeHttpsPort}/containers"))
        {
            Content = JsonContent.Create(new { container_id = containerId, redirect_uris = new[] { $"https://{containerHost}/oauth/callback" } }),
        };
        create.Headers.Authorization = new("Bearer", Token);
        using var created = await https.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var containerToken = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("container_token").GetString()!;
        using var register = new HttpRequestMessage(HttpMethod.Put, new Uri($"https://{hostname}:{edgeHttpsPort}/containers/{containerId}/endpoint"))
        {
            Content = JsonContent.Create(new { url = backend.Url.ToString() }),
        };
        register.Headers.Authorization = new("Bearer", containerToken);
        using var registered = await https.SendAsync(register);
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);

        using var viaBothStages = await https.GetAsync(new Uri($"https://{containerHost}:{edgeHttpsPort}/lab?x=1"));
        var echo = await TestBackend.EchoOfAsync(viaBothStages);
        Assert.Equal("/lab", echo.GetProperty("path").GetString());
        Assert.Equal($"{containerHost}:{edgeHttpsPort}", echo.GetProperty("headers").GetProperty("host").GetString());
        Assert.Equal("https", echo.GetProperty("headers").GetProperty("x-forwarded-proto").GetString());

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{containerHost}:{edgeHttpPort}/kernel"), new HttpMessageInvoker(ToLoopback()), CancellationToken.None);
        await socket.SendAsync("hello through both stages"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var buffer = new byte[256];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("hello through both stages", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);

        // Released: the name stops resolving and the edge stops routing it.
        using var release = await admin.PostAsync(new Uri($"/gateways/{allocation.GetProperty("gateway_id").GetString()}/release", UriKind.Relative), null);
        Assert.True(release.IsSuccessStatusCode, $"release: {(int)release.StatusCode}");
        await WaitUntilAsync(async () => (await Dig.QueryAsync(dns, hostname, "A")).Status == "NXDOMAIN");
        using var gone = await http.GetAsync(new Uri($"http://{hostname}:{edgeHttpPort}/collab/ping"));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.DoesNotContain("own address", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal); // the edge's answer now, not the gateway's
    }

    private static async Task<HttpResponseMessage> StartGatewayAsync(HttpClient admin, string organizationId)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await admin.PostAsJsonAsync("/gateway/start", new { organization_id = organizationId });
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 100)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return response;
            }

            response.Dispose();
            await Task.Delay(200);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 100 && !await condition(); attempt++)
        {
            await Task.Delay(100);
        }

        Assert.True(await condition());
    }

    /// <summary>
    /// A client that connects every name to loopback, as <c>curl --resolve</c> does: the names
    /// stay in the URL (Host header and SNI) and TLS is checked against <paramref name="authority"/>.
    /// </summary>
    private static SocketsHttpHandler ToLoopback(X509Certificate2? authority = null) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (authority is null || certificate is not X509Certificate2 presented || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(presented);
            },
        },
    };

    private static int Port(string line) => int.Parse(PortOf().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"localhost:(\d+)")]
    private static partial Regex PortOf();

    [GeneratedRegex(@"\(trust (.+)\)")]
    private static partial Regex TrustPath();
}

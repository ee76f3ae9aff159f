using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Demiurge.Tests.Edge.Servers;

/// <summary>
/// An HTTP client for an edge on loopback that uses real organization names in its URLs (so Host
/// and SNI are what a browser sends) while every connection goes to 127.0.0.1, never to DNS.
/// With a trusted root it accepts only certificates that chain to it and name the host.
/// </summary>
public sealed class EdgeClient : IDisposable
{
    private readonly SocketsHttpHandler _handler;

    public EdgeClient(X509Certificate2? trustedRoot = null)
    {
        _handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (trustedRoot is not null)
        {
            _handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                LastCertificate = new X509Certificate2(certificate!);
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(trustedRoot);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && chain.Build(LastCertificate);
            };
        }

        Http = new HttpClient(_handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Http { get; }

    /// <summary>The handler, for WebSocket connections through the same loopback redirection.</summary>
    public HttpMessageInvoker Invoker => new(_handler, disposeHandler: false);

    /// <summary>The server certificate of the last TLS handshake.</summary>
    public X509Certificate2? LastCertificate { get; private set; }

    /// <summary>GETs <paramref name="url"/>; the backend's JSON answer, or null with the status when the edge answered itself.</summary>
    public async Task<(HttpStatusCode Status, JsonElement? Body)> GetAsync(Uri url)
    {
        using var response = await Http.GetAsync(url);
        if (response.StatusCode != HttpStatusCode.Created || response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return (response.StatusCode, null);
        }

        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Polls until <paramref name="url"/> is answered by <paramref name="backend"/> (or, when null, by nobody: 404); nginx applies a reload a moment after the signal.</summary>
    public async Task<JsonElement?> EventuallyAsync(Uri url, string? backend)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            HttpStatusCode? status = null;
            JsonElement? body = null;
            try
            {
                (status, body) = await GetAsync(url);
            }
            catch (HttpRequestException)
            {
                // nginx's retiring workers close kept-alive connections after a reload; poll on.
            }

            var matches = backend is null
                ? status == HttpStatusCode.NotFound
                : body?.GetProperty("backend").GetString() == backend;
            if (matches || DateTime.UtcNow > deadline)
            {
                Assert.True(matches, $"{url} answered {(int?)status} {body} instead of {backend ?? "404"}.");
                return body;
            }

            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
        LastCertificate?.Dispose();
    }
}

using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Demiurge.GatewayProcess.Routing;

/// <summary>
/// Stage 2's transport: YARP's <see cref="IHttpForwarder"/> (HTTP/1.1, HTTP/2, WebSockets) with
/// one connection pool to every container, shared by all requests. Failures come back as a
/// <see cref="ForwarderError"/>, not exceptions.
/// </summary>
internal sealed class ContainerForwarder : IDisposable
{
    /// <summary>
    /// A request, or an upgraded WebSocket, with no bytes either way for this long is cut (YARP's
    /// default), so a container that hangs cannot hold a request, and the organization, forever.
    /// </summary>
    public static readonly TimeSpan ActivityTimeout = TimeSpan.FromSeconds(100);

    private static readonly ForwarderRequestConfig s_requestConfig = new() { ActivityTimeout = ActivityTimeout };

    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;

    public ContainerForwarder(IHttpForwarder forwarder)
    {
        _forwarder = forwarder;
        // As YARP recommends for a forwarder's client: no proxy, redirects, cookies or decompression
        // of its own; the browser and the container deal with those. Containers are on loopback:
        // a connection that takes seconds will not come.
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        });
    }

    public ValueTask<ForwarderError> SendAsync(HttpContext context, string destination) =>
        _forwarder.SendAsync(context, destination, _client, s_requestConfig, ForwardedHeadersTransformer.Instance);

    public void Dispose() => _client.Dispose();
}

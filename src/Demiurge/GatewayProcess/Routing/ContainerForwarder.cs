using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
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
    private readonly ForwardedHeadersTransformer _transformer;

    public ContainerForwarder(IHttpForwarder forwarder, IOptions<GatewayProcessOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _forwarder = forwarder;
        _transformer = new ForwardedHeadersTransformer("demiurge-gateway-" + options.Value.GatewayId);
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

    /// <summary>
    /// Whether this gateway forwarded the request already. A container can register any loopback
    /// port, the gateway's or the edge's included, and the Host is kept: without this check one
    /// request would go round until the gateway ran out of connections.
    /// </summary>
    public bool IsLoop(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _transformer.HasForwarded(context.Request.Headers.Via);
    }

    public ValueTask<ForwarderError> SendAsync(HttpContext context, string destination) =>
        _forwarder.SendAsync(context, destination, _client, s_requestConfig, _transformer);

    public void Dispose() => _client.Dispose();
}

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
    private readonly ForwardedHeadersTransformer _transformer;

    public ContainerForwarder(IHttpForwarder forwarder, IOptions<GatewayProcessOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _forwarder = forwarder;
        _transformer = new ForwardedHeadersTransformer("demiurge-gateway-" + options.Value.GatewayId);
        _client = ForwarderClient.Create();
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

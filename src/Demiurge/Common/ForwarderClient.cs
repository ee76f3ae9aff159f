using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Demiurge.Common;

/// <summary>The HTTP client of our forwarders: the edge's (stage 1) and the gateway's to its containers (stage 2).</summary>
internal static class ForwarderClient
{
    /// <summary>
    /// As YARP recommends for a forwarder's client: no proxy, redirects, cookies or decompression of
    /// its own (the browser and the destination deal with those), traces propagated, and a short
    /// connect timeout: destinations are on this network, a connection that takes seconds will not come.
    /// </summary>
    public static HttpMessageInvoker Create() => new(new SocketsHttpHandler
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

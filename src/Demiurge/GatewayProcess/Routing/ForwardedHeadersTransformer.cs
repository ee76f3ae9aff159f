using System.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Demiurge.GatewayProcess.Routing;

/// <summary>
/// What a container sees of a request: everything the client sent, its original Host (its
/// public name, which apps such as Jupyter compare with Origin), and the X-Forwarded-* headers.
/// The gateway is the second hop: it appends to X-Forwarded-For, and keeps the edge's
/// X-Forwarded-Proto and X-Forwarded-Host, which describe the browser's request (the edge may
/// have ended TLS), setting them only when a request reached the gateway directly.
/// </summary>
internal sealed class ForwardedHeadersTransformer : HttpTransformer
{
    public static readonly ForwardedHeadersTransformer Instance = new();

    private ForwardedHeadersTransformer()
    {
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(proxyRequest);

        // The base copies every header, Host included.
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var request = httpContext.Request;
        var headers = proxyRequest.Headers;
        if (httpContext.Connection.RemoteIpAddress is { } client)
        {
            var chain = request.Headers["X-Forwarded-For"].ToString();
            headers.Remove("X-Forwarded-For");
            headers.TryAddWithoutValidation("X-Forwarded-For", chain.Length == 0 ? client.ToString() : $"{chain}, {client}");
        }

        AddIfAbsent(headers, "X-Forwarded-Proto", request.Scheme);
        AddIfAbsent(headers, "X-Forwarded-Host", request.Host.Value ?? "");
    }

    private static void AddIfAbsent(HttpRequestHeaders headers, string name, string value)
    {
        if (!headers.Contains(name))
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }
}

using System.Net.Http.Headers;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace Demiurge.GatewayProcess.Routing;

/// <summary>
/// What a container sees of a request: everything the client sent, its original Host (its
/// public name, which apps such as Jupyter compare with Origin), and the X-Forwarded-* headers.
/// The gateway is the second hop: it appends to X-Forwarded-For, and keeps the edge's
/// X-Forwarded-Proto and X-Forwarded-Host, which describe the browser's request (the edge may
/// have ended TLS), setting them only when a request reached the gateway directly. It adds
/// this gateway to Via (RFC 9110, 7.6.3), which is how <see cref="ContainerRoutingMiddleware"/>
/// recognizes a request that has come round to it again.
/// </summary>
internal sealed class ForwardedHeadersTransformer(string pseudonym) : HttpTransformer
{
    /// <summary>This gateway's name in Via.</summary>
    public string Pseudonym { get; } = pseudonym;

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
        headers.Via.Add(new ViaHeaderValue(Version(request.Protocol), Pseudonym));
    }

    /// <summary>Whether this gateway is already in <paramref name="via"/>: the request has looped.</summary>
    public bool HasForwarded(StringValues via)
    {
        foreach (var entry in via)
        {
            // Each element is "protocol pseudonym [comment]", and a header may carry several.
            foreach (var element in (entry ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = element.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && parts[1] == Pseudonym)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string Version(string protocol) => protocol switch
    {
        "HTTP/2" => "2",
        "HTTP/3" => "3",
        "HTTP/1.0" => "1.0",
        _ => "1.1",
    };

    private static void AddIfAbsent(HttpRequestHeaders headers, string name, string value)
    {
        if (!headers.Contains(name))
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }
}

using System.Net.Http.Headers;
using Demiurge.ApiKeys;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace Demiurge.GatewayProcess.Routing;

/// <summary>
/// What a container sees of a request: what the client sent, its original Host (its public
/// name, which apps such as Jupyter compare with Origin), and the X-Forwarded-* headers.
/// The gateway is the second hop: it appends to X-Forwarded-For, and keeps the edge's
/// X-Forwarded-Proto and X-Forwarded-Host, which describe the browser's request (the edge may
/// have ended TLS), setting them only when a request reached the gateway directly. Both edges
/// set these three themselves and never pass a client's on; X-Real-IP and Forwarded, which no
/// edge of ours sets, are the client's own words, so the gateway replaces them with the
/// connection's address. It adds this gateway to Via (RFC 9110, 7.6.3), which is how
/// <see cref="ContainerRoutingMiddleware"/> recognizes a request that has come round to it again.
/// </summary>
/// <remarks>
/// Containers are run by members, so a Demiurge token the browser sends along (a user's bearer
/// token or an API key, in Authorization or in <c>?token=</c>) never reaches them: with it a
/// container could act as that user. A container's own credentials (Jupyter's <c>?token=</c>, say) go through.
/// </remarks>
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
        if (headers.Authorization is { } authorization && IsDemiurgeToken(authorization.Parameter)
            && authorization.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            headers.Authorization = null;
        }

        // Left unset, the forwarder builds the address from the request's path and query.
        if (request.QueryString.Value is { Length: > 1 } original && WithoutDemiurgeToken(original) is { } query)
        {
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, request.Path, query.Length == 0 ? QueryString.Empty : new QueryString("?" + query));
        }

        headers.Remove("X-Real-IP");
        headers.Remove("Forwarded");
        if (httpContext.Connection.RemoteIpAddress is { } client)
        {
            var chain = request.Headers["X-Forwarded-For"].ToString();
            headers.Remove("X-Forwarded-For");
            headers.TryAddWithoutValidation("X-Forwarded-For", chain.Length == 0 ? client.ToString() : $"{chain}, {client}");
            headers.TryAddWithoutValidation("X-Real-IP", client.ToString());
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

    /// <summary>A user token or an API key: either acts as its user on the control plane.</summary>
    private static bool IsDemiurgeToken(string? value) =>
        value is not null && (value.StartsWith(Tokens.Prefix, StringComparison.Ordinal) || value.StartsWith(ApiKeyTokens.Prefix, StringComparison.Ordinal));

    /// <summary>The query (given with its '?', returned without) less its <c>token</c> parameters that hold a Demiurge token; null when it has none.</summary>
    private static string? WithoutDemiurgeToken(string query)
    {
        var parts = query[1..].Split('&');
        var kept = parts.Where(part =>
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            return equals < 0 || !Uri.UnescapeDataString(part[..equals]).Equals("token", StringComparison.Ordinal)
                || !IsDemiurgeToken(Uri.UnescapeDataString(part[(equals + 1)..].Replace('+', ' ')));
        }).ToArray();
        return kept.Length == parts.Length ? null : string.Join('&', kept);
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

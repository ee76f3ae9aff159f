using System.Security.Cryptography;
using Demiurge.Protocol;

namespace Demiurge.GatewayProcess;

/// <summary>
/// Tells the control plane's calls from anyone else's: a valid <see cref="ControlPlaneSignature"/>
/// by one of the keys this worker was started with, for this worker, this request and now.
/// Nothing stored anywhere lets a reader forge one.
/// </summary>
internal sealed class ControlPlaneAuthentication(IOptions<GatewayProcessOptions> options, TimeProvider time)
{
    /// <summary>Largest body a signed call carries (a handshake token, the organization's settings).</summary>
    private const int MaxBodyBytes = 1024 * 1024;

    public async Task<bool> IsControlPlaneAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (!request.Headers.TryGetValue(Protocol.GatewayHeaders.Signature, out var header))
        {
            return false;
        }

        byte[] body = [];
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            if (request.ContentLength > MaxBodyBytes)
            {
                return false;
            }

            request.EnableBuffering(MaxBodyBytes);
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            request.Body.Position = 0;
            body = buffer.ToArray();
        }

        var pathAndQuery = request.PathBase + request.Path + request.QueryString;
        return ControlPlaneSignature.Verify(header.ToString(), options.Value.ControlPlaneKeys, options.Value.GatewayId, request.Method, pathAndQuery,
            time.GetUtcNow(), body, request.Headers.TryGetValue(Protocol.GatewayHeaders.ControlPlanes, out var list) ? list.ToString() : null);
    }

    /// <summary>
    /// Middleware after routing: an endpoint marked with <see cref="ControlPlaneOnly"/> is reached
    /// only by the control plane; anyone else gets 401 problem+json. It runs before the endpoint
    /// binds the body, which the signature covers.
    /// </summary>
    public static async Task RequireAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetEndpoint()?.Metadata.GetMetadata<ControlPlaneOnly>() is null
            || await context.RequestServices.GetRequiredService<ControlPlaneAuthentication>().IsControlPlaneAsync(context))
        {
            await next(context);
            return;
        }

        await ApiProblems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Authentication required",
            "Only the control plane may call this: its calls carry a valid Demiurge-Signature.", "unauthorized");
    }
}

/// <summary>Endpoint metadata: only the control plane may call it (see <see cref="ControlPlaneAuthentication.RequireAsync"/>).</summary>
internal sealed class ControlPlaneOnly
{
    public static readonly ControlPlaneOnly Instance = new();
}

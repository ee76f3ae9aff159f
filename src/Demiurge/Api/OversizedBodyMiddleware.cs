using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Demiurge.Api;

/// <summary>
/// Refuses a body whose Content-Length is over the endpoint's limit (its
/// <see cref="IRequestSizeLimitMetadata"/>, else <paramref name="defaultLimit"/>) with a 413
/// problem, before anything reads it. Left to Kestrel, such a body is refused when first read
/// and the connection closed with megabytes still unread, which the client sees as a reset
/// instead of the answer. Here the limit is lifted for this request only, so that Kestrel drains
/// what the client is still sending (for at most its drain timeout) once the 413 is written.
/// A chunked body has no length to check: Kestrel's limit still cuts it when it is read.
/// </summary>
internal sealed class OversizedBodyMiddleware(RequestDelegate next, long defaultLimit)
{
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } metadata ? metadata.MaxRequestBodySize : defaultLimit;
        if (context.Request.ContentLength is not { } length || limit is null || length <= limit
            || context.Features.Get<IHttpMaxRequestBodySizeFeature>() is not { IsReadOnly: false } bodySize)
        {
            return next(context);
        }

        bodySize.MaxRequestBodySize = null;
        return ApiProblems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
            $"The request body is {length} bytes; {context.Request.Method} {context.Request.Path} accepts at most {limit}.", "too-large");
    }
}

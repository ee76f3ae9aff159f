using Microsoft.AspNetCore.Mvc;

namespace Demiurge.Api;

/// <summary>
/// RFC 9457 problem details with stable <c>type</c> URNs, so clients can branch on the kind
/// of error without parsing titles.
/// </summary>
internal static class ApiProblems
{
    public const string TypePrefix = "urn:demiurge:problem:";

    public static ProblemHttpResult NotFound(string what, string id) =>
        Problem(StatusCodes.Status404NotFound, $"{what} not found", $"{what} '{id}' does not exist or is not visible to you.", "not-found");

    public static ProblemHttpResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", type: TypePrefix + "conflict", extensions: extensions);

    public static ProblemHttpResult Forbidden(string detail) =>
        Problem(StatusCodes.Status403Forbidden, "Forbidden", detail, "forbidden");

    /// <summary>
    /// 413 <c>storage-quota-exceeded</c>: a write would take the organization's stored data over its
    /// quota. Answered by the gateway to a document write and by the control plane to a push.
    /// </summary>
    public static ProblemHttpResult StorageQuotaExceeded(long quotaBytes, long usedBytes, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Storage quota exceeded", type: TypePrefix + "storage-quota-exceeded",
            extensions: new Dictionary<string, object?> { ["quota_bytes"] = quotaBytes, ["used_bytes"] = usedBytes });

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Problem(int status, string title, string detail, string type) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypePrefix + type);

    /// <summary>Writes a problem outside an endpoint (authentication, exception handling).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, string type)
    {
        context.Response.StatusCode = status;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = TypePrefix + type },
        });
    }

    /// <summary>Fills what every problem carries: a type for bare status codes, and the request id.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem is HttpValidationProblemDetails validation)
        {
            // Field names as the client wrote them: "Data.YjsState" is "data.yjs_state".
            var errors = validation.Errors.ToDictionary(e => SnakeCasePath(e.Key), e => e.Value);
            validation.Errors.Clear();
            foreach (var (field, messages) in errors)
            {
                validation.Errors[field] = messages;
            }

            problem.Type = TypePrefix + "validation";
            problem.Title = "The request is not valid";
            problem.Detail ??= "One or more fields are invalid; see errors.";
        }
        else if (problem.Type is null or "about:blank" || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
        {
            problem.Type = TypePrefix + (problem.Status switch
            {
                StatusCodes.Status400BadRequest => "bad-request",
                StatusCodes.Status404NotFound => "not-found",
                StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
                StatusCodes.Status413PayloadTooLarge => "too-large",
                StatusCodes.Status415UnsupportedMediaType => "unsupported-media-type",
                _ => $"http-{problem.Status}",
            });
        }

        if (problem.Status == StatusCodes.Status404NotFound && problem.Detail is null)
        {
            problem.Detail = $"No endpoint answers {context.HttpContext.Request.Method} {context.HttpContext.Request.Path}.";
        }
        else if (problem.Status == StatusCodes.Status405MethodNotAllowed && problem.Detail is null)
        {
            problem.Detail = $"{context.HttpContext.Request.Path} does not accept {context.HttpContext.Request.Method}.";
        }
        else if (problem.Status == StatusCodes.Status413PayloadTooLarge && problem.Detail is null)
        {
            // The request's own limit: the gateway's differs from the API's, and endpoints may set theirs.
            var limit = context.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? ApiJson.MaxRequestBodyBytes;
            problem.Detail = $"The request body is larger than the {limit} bytes this endpoint accepts.";
        }
        else if (problem.Status == StatusCodes.Status415UnsupportedMediaType && problem.Detail is null)
        {
            problem.Detail = $"Send the body as application/json, not '{context.HttpContext.Request.ContentType}'.";
        }

        if (problem.Extensions.Remove("traceId", out var traceId))
        {
            problem.Extensions["trace_id"] = traceId;
        }

        problem.Extensions["request_id"] = context.HttpContext.TraceIdentifier;
    }

    private static string SnakeCasePath(string path) =>
        string.Join('.', path.Split('.').Select(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName));
}

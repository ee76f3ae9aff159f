using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Demiurge.Api;

/// <summary>
/// Turns exceptions into problem details. Bad input (unreadable JSON, wrong media type, an
/// oversized body) becomes a 4xx that says what was wrong; anything else is a logged 500.
/// </summary>
internal sealed partial class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException bad)
        {
            var (title, type) = bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => ("Request body too large", "too-large"),
                StatusCodes.Status415UnsupportedMediaType => ("Unsupported media type", "unsupported-media-type"),
                _ => ("Malformed request", "malformed"),
            };
            await ApiProblems.WriteAsync(httpContext, bad.StatusCode, title, Describe(bad), type);
            return true;
        }

        LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        await ApiProblems.WriteAsync(httpContext, StatusCodes.Status500InternalServerError, "Internal error",
            "The server failed to handle this request. Quote the request_id when reporting it.", "internal");
        return true;
    }

    private static string Describe(BadHttpRequestException exception) => exception.InnerException switch
    {
        JsonException { Path: { } path } json when json.Message.Contains("could not be converted", StringComparison.Ordinal) =>
            $"The value at {path} has the wrong JSON type for that field.",
        JsonException json => $"The body is not valid JSON for this endpoint: {json.Message}",
        BadHttpRequestException inner => inner.Message,
        _ when exception.StatusCode == StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
        _ => exception.Message,
    };

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}

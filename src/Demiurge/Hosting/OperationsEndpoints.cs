using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scalar.AspNetCore;

namespace Demiurge.Hosting;

/// <summary>Health, readiness, metrics and API documentation. None of them needs a token; health and metrics are not rate-limited.</summary>
internal static class OperationsEndpoints
{
    public const string ReadyTag = HealthTags.Ready;

    public static void MapOperationsEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealthAsync })
            .AllowAnonymous().DisableRateLimiting().WithTags("Operations");
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteHealthAsync })
            .AllowAnonymous().DisableRateLimiting().WithTags("Operations");
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous().DisableRateLimiting();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options.WithTitle("Demiurge API").WithOpenApiRoutePattern("/openapi/{documentName}.json"))
            .AllowAnonymous();
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new Dictionary<string, object>
        {
            ["status"] = report.Status.ToString().ToLowerInvariant(),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString().ToLowerInvariant()),
        };
        // What a check says besides its status, e.g. "leadership": "leader" or "follower".
        var details = report.Entries.Where(e => e.Value.Description is not null).ToDictionary(e => e.Key, e => e.Value.Description!);
        if (details.Count > 0)
        {
            body["details"] = details;
        }

        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }
}

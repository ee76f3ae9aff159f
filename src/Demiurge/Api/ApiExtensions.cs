using Microsoft.AspNetCore.Http.Json;
using Microsoft.OpenApi;
using OpenTelemetry.Metrics;

namespace Demiurge.Api;

internal static class ApiExtensions
{
    /// <summary>The authentication scheme of every API of ours: a bearer token in <c>Authorization</c>.</summary>
    public const string BearerScheme = "Bearer";

    /// <summary>snake_case JSON that refuses unknown fields, problem details for every error, and validation.</summary>
    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(options => ApiJson.Configure(options.SerializerOptions));
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ApiProblems.Customize);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddValidation();
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Demiurge control plane";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A user token (dmg_..., e.g. the admin token printed by 'demiurge up') or an API key (dmk_..., from POST /tokens).",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] });
            return Task.CompletedTask;
        }));
        return services;
    }

    /// <summary>Prometheus metrics for HTTP and the domain.</summary>
    public static IHostApplicationBuilder AddMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddMeter(DemiurgeMetrics.MeterName)
            .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0));
        return builder;
    }

    /// <summary>Echoes the request id that logs and problem details carry, so a client can quote it.</summary>
    public static IApplicationBuilder UseRequestIdHeader(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.Headers["X-Request-Id"] = context.TraceIdentifier;
            return next(context);
        });
}

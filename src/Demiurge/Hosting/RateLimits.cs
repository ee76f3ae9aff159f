using System.Globalization;
using System.Threading.RateLimiting;
using Demiurge.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Demiurge.Hosting;

/// <summary>
/// A fixed window of requests per caller on the API: per bearer token for authenticated callers,
/// per source address for the rest (a wrong token counts against its address). The gateways'
/// own protocol, health and metrics are not limited (<c>DisableRateLimiting</c> on their endpoints).
/// </summary>
internal static class RateLimits
{
    public static readonly Setting Requests = new("RateLimit:Requests", typeof(string), "API requests per window per caller (bearer token, else source address), or off.", Name: "RateLimit");
    public static readonly Setting Window = new("RateLimit:Window", typeof(string), "The window the rate limit counts in (e.g. 10s).");

    public static readonly IReadOnlyList<Setting> All = [Requests, Window];

    /// <summary>The permits per window, or null when the limit is off; for options that passed <see cref="Validate"/>.</summary>
    public static (int Permits, TimeSpan Window)? Parse(RateLimitOptions options) =>
        options.Requests == Durations.Off
            ? null
            : (int.Parse(options.Requests, NumberStyles.None, CultureInfo.InvariantCulture), Durations.ParseOrDefault(options.Window, TimeSpan.Zero));

    public static void Validate(RateLimitOptions options, List<string> errors)
    {
        if (options.Requests != Durations.Off
            && !(int.TryParse(options.Requests, NumberStyles.None, CultureInfo.InvariantCulture, out var permits) && permits > 0))
        {
            errors.Add($"{Requests.Describe()} '{options.Requests}' is not a positive whole number of requests, or off.");
        }

        if (!Durations.TryParse(options.Window, out var window) || window is not { } value || value < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{Window.Describe()} '{options.Window}' is not a duration of at least 1s, such as 10s or 1m.");
        }
    }

    public static IServiceCollection AddRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<DemiurgeOptions>>((limiter, options) =>
        {
            limiter.OnRejected = RejectAsync;
            if (Parse(options.Value.RateLimit) is not { } limit)
            {
                return;
            }

            var window = new FixedWindowRateLimiterOptions { PermitLimit = limit.Permits, Window = limit.Window, QueueLimit = 0 };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetFixedWindowLimiter(PartitionKey(context), _ => window));
        });
        return services;
    }

    /// <summary>The caller: its token's hash once authenticated, else the connection's address.</summary>
    private static string PartitionKey(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && BearerHeader.Token(context.Request.Headers.Authorization.ToString()) is { } token
            ? "token:" + Tokens.Hash(token)
            : "address:" + context.Connection.RemoteIpAddress;

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var limit = Parse(context.RequestServices.GetRequiredService<IOptions<DemiurgeOptions>>().Value.RateLimit)!.Value;
        // A fixed window's refusal names the whole window: a client that waits that long is let in.
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : limit.Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ApiProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"More than {limit.Permits} requests in {Durations.Format(limit.Window)} from this caller; retry after {seconds} s.", "rate-limited");
    }
}

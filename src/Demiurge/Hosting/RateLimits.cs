using System.Globalization;
using System.Threading.RateLimiting;
using Demiurge.Identity;
using Microsoft.AspNetCore.RateLimiting;

namespace Demiurge.Hosting;

/// <summary>
/// A fixed window of requests per caller on the API: per bearer token for authenticated callers,
/// per source address for the rest (a wrong token counts against its address). The gateways'
/// own protocol, health and metrics are not limited (<c>DisableRateLimiting</c> on their endpoints).
/// </summary>
internal static class RateLimits
{
    public static readonly Setting Requests = new("RateLimit:Requests", typeof(int?), "API requests per window per caller (bearer token, else source address), or off.", Name: "RateLimit");
    public static readonly Setting Window = new("RateLimit:Window", typeof(TimeSpan), "The window the rate limit counts in (e.g. 10s).");

    public static readonly IReadOnlyList<Setting> All = [Requests, Window];

    public static void Validate(RateLimitOptions options, List<string> errors)
    {
        if (options.Requests is <= 0)
        {
            errors.Add($"{Requests.Describe()} '{options.Requests}' is not a positive whole number of requests, or off.");
        }

        if (options.Window < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{Window.Describe()} '{Durations.Format(options.Window)}' is not a duration of at least 1s, such as 10s or 1m.");
        }
    }

    public static IServiceCollection AddRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<DemiurgeOptions>>((limiter, options) =>
        {
            limiter.OnRejected = RejectAsync;
            var limit = options.Value.RateLimit;
            if (limit.Requests is not { } permits)
            {
                return;
            }

            var window = new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = limit.Window, QueueLimit = 0 };
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
        var limit = context.RequestServices.GetRequiredService<IOptions<DemiurgeOptions>>().Value.RateLimit;
        // A fixed window's refusal names the whole window: a client that waits that long is let in.
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : limit.Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ApiProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"More than {limit.Requests} requests in {Durations.Format(limit.Window)} from this caller; retry after {seconds} s.", "rate-limited");
    }
}

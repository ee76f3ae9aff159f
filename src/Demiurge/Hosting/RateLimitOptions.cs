namespace Demiurge.Hosting;

/// <summary>Limits on API requests per caller (section <c>Demiurge:RateLimit</c>).</summary>
public sealed class RateLimitOptions
{
    public const string DefaultRequests = "10000";
    public const string DefaultWindow = "10s";

    /// <summary>Requests a caller may make per <see cref="Window"/>, or <c>off</c>.</summary>
    public string Requests { get; set; } = DefaultRequests;

    /// <summary>The fixed window the limit counts in, e.g. <c>10s</c>.</summary>
    public string Window { get; set; } = DefaultWindow;
}

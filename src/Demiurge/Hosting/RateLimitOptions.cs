namespace Demiurge.Hosting;

/// <summary>Limits on API requests per caller (section <c>Demiurge:RateLimit</c>).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests a caller may make per <see cref="Window"/>; null (<c>off</c>) for no limit.</summary>
    public int? Requests { get; set; } = 10_000;

    /// <summary>The fixed window the limit counts in, e.g. <c>10s</c>.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);
}

namespace Demiurge.Common;

internal static class TimeProviderExtensions
{
    /// <summary>Now, at the millisecond precision the store keeps, so a fresh object equals its reloaded self.</summary>
    public static DateTimeOffset GetUtcNowMilliseconds(this TimeProvider time) =>
        DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
}

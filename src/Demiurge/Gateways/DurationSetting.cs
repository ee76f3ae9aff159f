using Demiurge.Hosting;

namespace Demiurge.Gateways;

internal static class DurationSetting
{
    /// <summary>A validated duration setting, or <paramref name="fallback"/> when it is off.</summary>
    public static TimeSpan Resolve(string text, TimeSpan fallback) =>
        Durations.TryParse(text, out var duration) && duration is { } value ? value : fallback;
}

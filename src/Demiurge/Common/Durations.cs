namespace Demiurge.Common;

/// <summary>
/// Durations as operators write them in flags and settings: a whole number and a unit
/// (<c>500ms</c>, <c>3s</c>, <c>5m</c>, <c>1h</c>), or <c>off</c> where a duration can be disabled.
/// </summary>
/// <remarks>
/// The syntax is deliberately small: no fractions, signs, spaces, upper case or day units, so
/// that a value reads the same to everyone ("5M" is not five minutes, nor five months).
/// </remarks>
internal static class Durations
{
    /// <summary>The spelling of a disabled duration.</summary>
    public const string Off = "off";

    /// <summary>How error messages describe the syntax.</summary>
    public const string Syntax = "a whole number followed by ms, s, m or h (e.g. 500ms, 3s, 5m, 1h)";

    /// <summary>
    /// Parses <paramref name="text"/>. <paramref name="duration"/> is null for <c>off</c>; callers
    /// for which a duration cannot be disabled refuse that null themselves.
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan? duration)
    {
        duration = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text == Off)
        {
            return true;
        }

        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            return false;
        }

        long unitTicks;
        switch (text[digits..])
        {
            case "ms":
                unitTicks = TimeSpan.TicksPerMillisecond;
                break;
            case "s":
                unitTicks = TimeSpan.TicksPerSecond;
                break;
            case "m":
                unitTicks = TimeSpan.TicksPerMinute;
                break;
            case "h":
                unitTicks = TimeSpan.TicksPerHour;
                break;
            default:
                return false;
        }

        if (!long.TryParse(text.AsSpan(0, digits), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || value > long.MaxValue / unitTicks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks(value * unitTicks);
        return true;
    }

    /// <summary>Writes <paramref name="duration"/> in the largest unit that holds it exactly; null is <c>off</c>.</summary>
    public static string Format(TimeSpan? duration)
    {
        if (duration is not { } value)
        {
            return Off;
        }

        var ticks = value.Ticks;
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        return ticks switch
        {
            _ when ticks % TimeSpan.TicksPerHour == 0 && ticks != 0 => (ticks / TimeSpan.TicksPerHour).ToString(invariant) + "h",
            _ when ticks % TimeSpan.TicksPerMinute == 0 && ticks != 0 => (ticks / TimeSpan.TicksPerMinute).ToString(invariant) + "m",
            _ when ticks % TimeSpan.TicksPerSecond == 0 => (ticks / TimeSpan.TicksPerSecond).ToString(invariant) + "s",
            _ => ((long)value.TotalMilliseconds).ToString(invariant) + "ms",
        };
    }
}

using System.ComponentModel;
using System.Globalization;

namespace Demiurge.Runtime.Docker;

/// <summary>
/// A container's memory limit in Docker's own spelling: a whole number with an optional k, m or g
/// (powers of 1024), such as <c>512m</c>. Parsed once, when the options are bound.
/// </summary>
[TypeConverter(typeof(SettingValueConverter<DockerMemory>))]
public readonly record struct DockerMemory(long Bytes) : ISettingValue<DockerMemory>
{
    /// <summary>How error messages describe the syntax.</summary>
    public static string Syntax => "a size such as 512m or 1g (a whole number with k, m or g, powers of 1024)";

    public static bool TryParse(string? text, out DockerMemory value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim().ToLowerInvariant();
        var shift = trimmed[^1] switch { 'k' => 10, 'm' => 20, 'g' => 30, _ => 0 };
        var digits = shift == 0 ? trimmed : trimmed[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0 || number > long.MaxValue >> shift)
        {
            return false;
        }

        value = new DockerMemory(number << shift);
        return true;
    }

    /// <summary>In the largest unit that holds it exactly, as Docker writes it.</summary>
    public override string ToString() => Bytes switch
    {
        _ when Bytes % (1L << 30) == 0 => (Bytes >> 30).ToString(CultureInfo.InvariantCulture) + "g",
        _ when Bytes % (1L << 20) == 0 => (Bytes >> 20).ToString(CultureInfo.InvariantCulture) + "m",
        _ when Bytes % (1L << 10) == 0 => (Bytes >> 10).ToString(CultureInfo.InvariantCulture) + "k",
        _ => Bytes.ToString(CultureInfo.InvariantCulture),
    };
}

using System.ComponentModel;
using System.Globalization;

namespace Demiurge.Common;

/// <summary>
/// A size as operators write it in flags and settings: a whole number and a binary unit
/// (<c>512KiB</c>, <c>256MiB</c>, <c>2GiB</c>) or plain bytes (<c>1048576</c>). Parsed once,
/// when the options are bound (<see cref="SettingValueConverter{T}"/>).
/// </summary>
/// <remarks>
/// Only binary units, so that a value reads the same to everyone: "256MB" is refused rather
/// than guessed at.
/// </remarks>
[TypeConverter(typeof(SettingValueConverter<ByteSize>))]
public readonly record struct ByteSize(long Bytes) : ISettingValue<ByteSize>
{
    /// <summary>How error messages describe the syntax.</summary>
    public static string Syntax => "a whole number of bytes, or one followed by KiB, MiB or GiB (e.g. 256MiB)";

    public static ByteSize FromMebibytes(long mebibytes) => new(mebibytes * 1024 * 1024);

    public static bool TryParse(string? text, out ByteSize size)
    {
        size = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        long unit = text[digits..] switch
        {
            "" => 1,
            "KiB" => 1L << 10,
            "MiB" => 1L << 20,
            "GiB" => 1L << 30,
            _ => 0,
        };
        if (digits == 0 || unit == 0
            || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > long.MaxValue / unit)
        {
            return false;
        }

        size = new ByteSize(value * unit);
        return true;
    }

    /// <summary>In the largest binary unit that holds it exactly.</summary>
    public override string ToString() => Bytes switch
    {
        0 => "0",
        _ when Bytes % (1L << 30) == 0 => (Bytes >> 30).ToString(CultureInfo.InvariantCulture) + "GiB",
        _ when Bytes % (1L << 20) == 0 => (Bytes >> 20).ToString(CultureInfo.InvariantCulture) + "MiB",
        _ when Bytes % (1L << 10) == 0 => (Bytes >> 10).ToString(CultureInfo.InvariantCulture) + "KiB",
        _ => Bytes.ToString(CultureInfo.InvariantCulture),
    };
}

using System.ComponentModel;
using System.Globalization;

namespace Demiurge.Common;

/// <summary>An inclusive range of loopback ports, written <c>first-last</c>; parsed once, when the options are bound.</summary>
[TypeConverter(typeof(SettingValueConverter<PortRange>))]
public readonly record struct PortRange(int First, int Last) : ISettingValue<PortRange>
{
    /// <summary>How error messages describe the syntax.</summary>
    public static string Syntax => "a port range such as 7100-7199 (first-last)";

    public static bool TryParse(string? text, out PortRange range)
    {
        range = default;
        var parts = text?.Split('-', 2, StringSplitOptions.TrimEntries);
        if (parts is not [var first, var last]
            || !int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            || !int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var to)
            || from is < 1 or > 65535 || to is < 1 or > 65535 || from > to)
        {
            return false;
        }

        range = new PortRange(from, to);
        return true;
    }

    public IEnumerable<int> Ports => Enumerable.Range(First, Last - First + 1);

    public bool Contains(int port) => port >= First && port <= Last;

    public bool Overlaps(PortRange other) => First <= other.Last && other.First <= Last;

    /// <summary>As it is written and parsed: <c>first-last</c>.</summary>
    public override string ToString() => FormattableString.Invariant($"{First}-{Last}");
}

using System.ComponentModel;
using System.Globalization;
using System.Text;

namespace Demiurge.Hosting;

/// <summary>
/// One configuration value, reachable three ways that are all derived from its key:
/// <c>Demiurge:DataDir</c> in appsettings.json, <c>DEMIURGE_DATA_DIR</c> in the environment
/// and <c>--data-dir</c> on the command line (later sources win).
/// <paramref name="Name"/>, when given, replaces the key in the flag and the variable, so that
/// <c>Edge:Provider</c> is <c>--edge</c> and <c>DEMIURGE_EDGE</c>.
/// </summary>
internal sealed record Setting(string Key, Type Type, string Description, string? Name = null)
{
    public string ConfigurationKey => $"{DemiurgeOptions.SectionName}:{Key}";

    public string Flag => "--" + Words('-').ToLowerInvariant();

    public string EnvironmentVariable => "DEMIURGE_" + Words('_').ToUpperInvariant();

    /// <summary>How error messages name the setting, in all three spellings.</summary>
    public string Describe() => $"{Flag} ({EnvironmentVariable}, {ConfigurationKey})";

    /// <summary>Null when <paramref name="value"/> converts to the setting's type, else why not.</summary>
    public string? TypeError(string value)
    {
        var converter = TypeDescriptor.GetConverter(Type);
        try
        {
            _ = converter.ConvertFromString(null, CultureInfo.InvariantCulture, value);
            return null;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or NotSupportedException || exception.InnerException is FormatException or OverflowException)
        {
            return $"{Describe()}: '{value}' is not a valid {FriendlyTypeName()}.";
        }
    }

    private string FriendlyTypeName() =>
        Type == typeof(int) ? "whole number" : Type == typeof(ByteSize) ? $"size ({ByteSize.Syntax})" : Type.Name.ToLowerInvariant();

    /// <summary>Splits "Pool:MinReady" into "pool", "min", "ready" joined by <paramref name="separator"/>.</summary>
    private string Words(char separator)
    {
        var builder = new StringBuilder();
        foreach (var c in Name ?? Key)
        {
            if (c == ':')
            {
                builder.Append(separator);
                continue;
            }

            // A new word starts at a capital after a lower-case letter or digit, so "OAuth" stays one word.
            if (char.IsUpper(c) && builder.Length > 0 && (char.IsLower(builder[^1]) || char.IsDigit(builder[^1])))
            {
                builder.Append(separator);
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}

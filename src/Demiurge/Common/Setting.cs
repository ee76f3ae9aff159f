using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Demiurge.Common;

/// <summary>
/// One configuration value, reachable three ways that are all derived from its key:
/// <c>Demiurge:DataDir</c> in appsettings.json, <c>DEMIURGE_DATA_DIR</c> in the environment
/// and <c>--data-dir</c> on the command line (later sources win).
/// <paramref name="Name"/>, when given, replaces the key in the flag and the variable, so that
/// <c>Edge:Provider</c> is <c>--edge</c> and <c>DEMIURGE_EDGE</c>.
/// </summary>
internal sealed record Setting(string Key, Type Type, string Description, string? Name = null)
{
    /// <summary>The configuration section every setting lives in.</summary>
    public const string SectionName = "Demiurge";

    public string ConfigurationKey => $"{SectionName}:{Key}";

    public string Flag => "--" + Words('-').ToLowerInvariant();

    public string EnvironmentVariable => "DEMIURGE_" + Words('_').ToUpperInvariant();

    /// <summary>How error messages name the setting, in all three spellings.</summary>
    public string Describe() => $"{Flag} ({EnvironmentVariable}, {ConfigurationKey})";

    /// <summary>Null when <paramref name="value"/> converts to the setting's type, else why not.</summary>
    public string? TypeError(string value) => Converts(value) ? null : $"{Describe()}: '{value}' is not {Syntax()}.";

    /// <summary>
    /// <paramref name="value"/> as the configuration binder reads it into <see cref="Type"/>: a duration
    /// in .NET's own spelling, and <c>off</c> as nothing (null). For values that passed <see cref="TypeError"/>.
    /// </summary>
    public string Bindable(string value) =>
        value == Durations.Off && IsOptional ? string.Empty
        : ValueType == typeof(TimeSpan) && Durations.TryParse(value, out var duration) ? duration!.Value.ToString("c", CultureInfo.InvariantCulture)
        : value;

    /// <summary>True when <c>off</c> is a value: a nullable type, null meaning off.</summary>
    private bool IsOptional => Nullable.GetUnderlyingType(Type) is not null;

    private Type ValueType => Nullable.GetUnderlyingType(Type) ?? Type;

    private bool Converts(string value)
    {
        if (value == Durations.Off && IsOptional)
        {
            return true;
        }

        if (ValueType == typeof(TimeSpan))
        {
            return Durations.TryParse(value, out var duration) && duration is not null;
        }

        try
        {
            _ = TypeDescriptor.GetConverter(ValueType).ConvertFromString(null, CultureInfo.InvariantCulture, value);
            return true;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or NotSupportedException || exception.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private string Syntax()
    {
        var syntax = ValueType == typeof(int) ? "a valid whole number"
            : ValueType == typeof(double) ? "a valid number"
            // An ISettingValue<T> (a size, a port range) describes its own syntax.
            : ValueType.GetProperty(nameof(ByteSize.Syntax), BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is string own ? own
            : ValueType == typeof(TimeSpan) ? $"a duration: {Durations.Syntax}"
            : $"a valid {ValueType.Name.ToLowerInvariant()}";
        return IsOptional ? $"{syntax}, or {Durations.Off}" : syntax;
    }

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

    /// <summary>Adds an error unless <paramref name="port"/> is a TCP/UDP port or 0 (any free one).</summary>
    public void ValidatePort(int port, List<string> errors)
    {
        if (port is < 0 or > 65535)
        {
            errors.Add($"{Describe()} must be between 0 and 65535, not {port}.");
        }
    }

    /// <summary>Adds an error unless <paramref name="duration"/> is longer than zero.</summary>
    public void ValidatePositive(TimeSpan duration, List<string> errors)
    {
        if (duration <= TimeSpan.Zero)
        {
            errors.Add($"{Describe()} must be longer than zero, not {Durations.Format(duration)}.");
        }
    }
}

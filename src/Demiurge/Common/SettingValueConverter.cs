using System.ComponentModel;
using System.Globalization;

namespace Demiurge.Common;

/// <summary>Lets the configuration binder, and the settings table's type check, read an <see cref="ISettingValue{TSelf}"/>.</summary>
internal sealed class SettingValueConverter<T> : TypeConverter
    where T : ISettingValue<T>
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text
            ? T.TryParse(text, out var parsed) ? parsed : throw new FormatException($"'{text}' is not {T.Syntax}.")
            : base.ConvertFrom(context, culture, value);
}

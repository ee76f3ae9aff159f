using System.ComponentModel;
using System.Globalization;

namespace Demiurge.Hosting;

/// <summary>Lets the configuration binder, and <see cref="Setting.TypeError"/>, read a <see cref="ByteSize"/>.</summary>
internal sealed class ByteSizeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text
            ? ByteSize.TryParse(text, out var size) ? size : throw new FormatException($"'{text}' is not {ByteSize.Syntax}.")
            : base.ConvertFrom(context, culture, value);
}

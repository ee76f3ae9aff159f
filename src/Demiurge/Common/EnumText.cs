namespace Demiurge.Common;

/// <summary>
/// An enum value as text: its name in lower case, the one spelling the API, the audit details
/// and the store all use (<c>ready</c>, <c>owner</c>, <c>retiring</c>).
/// </summary>
internal static class EnumText
{
    public static string ToText<TEnum>(this TEnum value)
        where TEnum : struct, Enum => value.ToString().ToLowerInvariant();

    public static TEnum Parse<TEnum>(string text)
        where TEnum : struct, Enum => Enum.Parse<TEnum>(text, ignoreCase: true);
}

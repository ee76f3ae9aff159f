using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;

namespace Demiurge.Organizations;

/// <summary>
/// A name people read (an organization's, a project's): printable text that neither starts nor
/// ends with white space, checked code point by code point (<see cref="Rune"/>), so that an
/// emoji or a CJK Extension B character, two UTF-16 units each, counts as the one character it is.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
internal sealed class PrintableNameAttribute : ValidationAttribute
{
    public const string Message = "The name must be printable text that does not start or end with white space: no control, format, private-use or unassigned characters, line or paragraph separators, or invalid UTF-16.";

    public PrintableNameAttribute()
        : base(Message)
    {
    }

    public override bool IsValid(object? value) => value switch
    {
        null => true, // [Required] says whether it may be missing
        string name => IsPrintable(name),
        _ => false,
    };

    public static bool IsPrintable(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            return false;
        }

        var rest = name.AsSpan();
        var first = true;
        var last = default(Rune);
        while (!rest.IsEmpty)
        {
            // A lone surrogate (category Cs in UTF-16) is not text at all.
            if (Rune.DecodeFromUtf16(rest, out var rune, out var length) != OperationStatus.Done || !IsAllowed(rune) || (first && Rune.IsWhiteSpace(rune)))
            {
                return false;
            }

            first = false;
            last = rune;
            rest = rest[length..];
        }

        return !Rune.IsWhiteSpace(last);
    }

    private static bool IsAllowed(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        // Control characters (tab, newline, escape sequences) do not belong in a one-line name.
        UnicodeCategory.Control => false,
        // Format characters are invisible: bidi overrides reorder what is shown (spoofing), zero
        // widths make two names look alike. The joiners are kept: ZWJ builds emoji sequences
        // (👩‍💻) and ZWNJ is needed to spell words in Persian and Indic scripts.
        UnicodeCategory.Format => rune.Value is 0x200C or 0x200D,
        // Private-use characters show differently on each machine, or not at all.
        UnicodeCategory.PrivateUse => false,
        // Unassigned code points (noncharacters included) may later become anything; a character
        // newer than .NET's Unicode tables waits for a runtime that knows it.
        UnicodeCategory.OtherNotAssigned => false,
        // U+2028 and U+2029 break lines in JavaScript and in logs as a newline would.
        UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
        _ => true,
    };
}

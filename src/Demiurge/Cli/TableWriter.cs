using System.Text;
using System.Text.Json;

namespace Demiurge.Cli;

/// <summary>Prints API answers for people: arrays of objects as aligned columns, objects as key-value lines.</summary>
internal static class TableWriter
{
    public static string Format(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => FormatRows([.. element.EnumerateArray()]),
        JsonValueKind.Object => FormatRows([element], vertical: true),
        _ => Cell(element),
    };

    private static string FormatRows(IReadOnlyList<JsonElement> rows, bool vertical = false)
    {
        if (rows.Count == 0)
        {
            return "(none)";
        }

        var columns = rows.Where(r => r.ValueKind == JsonValueKind.Object).SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Distinct().ToList();
        if (columns.Count == 0)
        {
            return string.Join(Environment.NewLine, rows.Select(Cell));
        }

        if (vertical)
        {
            var width = columns.Max(c => c.Length);
            return string.Join(Environment.NewLine, columns.Select(c => $"{c.PadRight(width)}  {Cell(rows[0].GetProperty(c))}"));
        }

        var cells = rows.Select(r => columns.Select(c => r.TryGetProperty(c, out var v) ? Cell(v) : string.Empty).ToList()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Max(r => r[i].Length))).ToList();
        var text = new StringBuilder();
        foreach (var row in cells.Prepend(columns.Select(c => c.ToUpperInvariant()).ToList()))
        {
            text.AppendLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }

        return text.ToString().TrimEnd();
    }

    private static string Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "-",
        _ => value.GetRawText(),
    };
}

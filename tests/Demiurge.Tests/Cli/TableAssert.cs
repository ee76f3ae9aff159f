namespace Demiurge.Tests.Cli;

/// <summary>Reads the column tables that <c>TableWriter</c> prints, asserting their layout on the way.</summary>
public static class TableAssert
{
    /// <summary>
    /// Asserts that the first line holds exactly <paramref name="headers"/> (upper case, in
    /// order) and that every cell of every row starts at its header's column, with at least two
    /// spaces before the next column. Returns the rows, each as header → cell text.
    /// </summary>
    public static IReadOnlyList<Dictionary<string, string>> AssertAligned(IReadOnlyList<string> lines, params string[] headers)
    {
        Assert.NotEmpty(lines);
        var headerLine = lines[0];
        Assert.Equal(headers, headerLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        foreach (var header in headers)
        {
            Assert.Equal(header.ToUpperInvariant(), header);
        }

        var starts = new int[headers.Length];
        var from = 0;
        for (var i = 0; i < headers.Length; i++)
        {
            starts[i] = headerLine.IndexOf(headers[i], from, StringComparison.Ordinal);
            from = starts[i] + headers[i].Length;
        }

        Assert.Equal(0, starts[0]);
        var rows = new List<Dictionary<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < headers.Length; i++)
            {
                var end = i + 1 < headers.Length ? starts[i + 1] : int.MaxValue;
                if (end != int.MaxValue)
                {
                    Assert.True(line.Length > end, $"Row is shorter than column {headers[i + 1]}: '{line}'");
                    Assert.True(line[end - 2] == ' ' && line[end - 1] == ' ', $"Cell {headers[i]} runs into column {headers[i + 1]}: '{line}'");
                }

                var cell = starts[i] >= line.Length ? string.Empty : line[starts[i]..Math.Min(end, line.Length)].TrimEnd();
                Assert.True(cell.Length == 0 || line[starts[i]] != ' ', $"Cell {headers[i]} does not start at its column: '{line}'");
                row[headers[i]] = cell;
            }

            rows.Add(row);
        }

        return rows;
    }
}

using System.Text.Json;
using Demiurge.Cli;

namespace Demiurge.Tests.Cli;

public sealed class TableWriterTests
{
    [Fact]
    public void Format_ArrayOfObjects_UpperCaseHeadersAndAlignedColumns()
    {
        var text = Format("""
            [
              { "project_id": "p1", "name": "a rather long name", "count": 7 },
              { "project_id": "p-two-is-longer", "name": "b", "count": 12345 }
            ]
            """);

        // Exact lines: no trailing padding after the last column.
        var lines = text.Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Equal("PROJECT_ID       NAME                COUNT", lines[0]);
        Assert.Equal("p1               a rather long name  7", lines[1]);
        Assert.Equal("p-two-is-longer  b                   12345", lines[2]);
        var rows = TableAssert.AssertAligned(lines, "PROJECT_ID", "NAME", "COUNT");
        Assert.Equal(["a rather long name", "b"], rows.Select(r => r["NAME"]));
    }

    [Fact]
    public void Format_HeaderLongerThanCells_ColumnIsAsWideAsHeader()
    {
        var text = Format("""[{ "organization_id": "x", "n": "y" }]""");

        Assert.Equal($"ORGANIZATION_ID  N{Environment.NewLine}x                y", text);
    }

    [Fact]
    public void Format_EmptyArray_PrintsNone()
    {
        Assert.Equal("(none)", Format("[]"));
    }

    [Fact]
    public void Format_Object_PrintsKeyValueLinesWithAlignedValues()
    {
        var text = Format("""{ "user_id": "u1", "is_admin": false, "token": "dmg_x" }""");

        Assert.Equal(
            string.Join(Environment.NewLine, "user_id   u1", "is_admin  false", "token     dmg_x"),
            text);
    }

    [Fact]
    public void Format_NullValue_PrintsDash()
    {
        Assert.Equal(
            string.Join(Environment.NewLine, "A  B", "-  x"),
            Format("""[{ "a": null, "b": "x" }]"""));
        Assert.Equal("detail  -", Format("""{ "detail": null }"""));
    }

    [Fact]
    public void Format_NestedValues_PrintsRawJson()
    {
        var text = Format("""{ "tags": ["a","b"], "owner": { "id": 1 } }""");

        Assert.Equal(
            string.Join(Environment.NewLine, """tags   ["a","b"]""", """owner  { "id": 1 }"""),
            text);
    }

    [Fact]
    public void Format_RowMissingAColumn_LeavesCellEmpty()
    {
        var text = Format("""[{ "a": "1", "b": "2" }, { "a": "3" }]""");

        var rows = TableAssert.AssertAligned([.. text.Split(Environment.NewLine).Select(l => l.PadRight(4))], "A", "B");
        Assert.Equal("2", rows[0]["B"]);
        Assert.Equal(string.Empty, rows[1]["B"]);
    }

    [Fact]
    public void Format_ArrayOfScalars_PrintsOneLineEach()
    {
        Assert.Equal(string.Join(Environment.NewLine, "a", "2", "-"), Format("""["a", 2, null]"""));
    }

    [Theory]
    [InlineData("\"text\"", "text")]
    [InlineData("42", "42")]
    [InlineData("true", "true")]
    [InlineData("null", "-")]
    public void Format_Scalar_PrintsValue(string json, string expected)
    {
        Assert.Equal(expected, Format(json));
    }

    [Fact]
    public void Format_StringWithQuotes_PrintsUnescaped()
    {
        Assert.Equal("name  \"Acme\" & Co", Format("""{ "name": "\"Acme\" & Co" }"""));
    }

    private static string Format(string json)
    {
        using var document = JsonDocument.Parse(json);
        return TableWriter.Format(document.RootElement);
    }
}

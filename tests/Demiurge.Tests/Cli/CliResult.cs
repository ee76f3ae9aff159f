using System.Globalization;
using System.Text.Json;
using Demiurge.Cli;

namespace Demiurge.Tests.Cli;

/// <summary>What one in-process run of <c>demiurge</c> printed, and its exit code.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>Runs the command line in this process with captured standard output and error.</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var exitCode = await DemiurgeCli.InvokeAsync(args, output, error);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Standard output parsed as JSON (for <c>-o json</c>).</summary>
    public JsonElement Json() => JsonDocument.Parse(Output).RootElement.Clone();

    /// <summary>Standard output split into lines, without the final empty one.</summary>
    public IReadOnlyList<string> OutputLines() =>
        Output.TrimEnd('\r', '\n').Split(Environment.NewLine);

    /// <summary>Asserts the exit code, showing everything printed when it differs.</summary>
    public CliResult AssertExitCode(int expected)
    {
        Assert.True(ExitCode == expected, $"Expected exit code {expected}. {this}");
        return this;
    }

    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{Output}stderr:{Environment.NewLine}{Error}";
}

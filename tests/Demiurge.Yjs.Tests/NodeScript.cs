using System.Diagnostics;

namespace Demiurge.Yjs.Tests;

/// <summary>Runs a script from tests/node with the real yjs under <c>node</c> from PATH.</summary>
internal static class NodeScript
{
    public static string NodeDirectory { get; } = FindNodeDirectory();

    /// <summary>Runs <c>node script args…</c> in tests/node and returns its exit code, output and error output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string script, params string[] arguments)
    {
        if (!Directory.Exists(Path.Combine(NodeDirectory, "node_modules", "yjs")))
        {
            throw new InvalidOperationException($"yjs is not installed: run `npm ci --prefix {NodeDirectory}`.");
        }
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = NodeDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} did not finish within 5 minutes.");
        }
        return (process.ExitCode, await output, await error);
    }

    private static string FindNodeDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Demiurge.slnx")))
            {
                return Path.Combine(directory.FullName, "tests", "node");
            }
        }
        throw new InvalidOperationException("The repository root (Demiurge.slnx) was not found above the test binaries.");
    }
}

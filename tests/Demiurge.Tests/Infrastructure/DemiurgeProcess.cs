using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Demiurge.Tests.Infrastructure;

/// <summary>The built <c>demiurge</c> executable running as a child process, with its output captured.</summary>
public sealed partial class DemiurgeProcess : IAsyncDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private DemiurgeProcess(Process process) => _process = process;

    public IReadOnlyCollection<string> StandardOutput => _stdout;

    public IReadOnlyCollection<string> StandardError => _stderr;

    public static DemiurgeProcess Start(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "demiurge"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The child must not inherit settings from whoever runs the tests.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("DEMIURGE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        // Every `up` serves DNS and the edge; tests run many at once, so each takes free ports unless told otherwise.
        start.Environment["DEMIURGE_DNS_PORT"] = "0";
        start.Environment["DEMIURGE_EDGE_HTTP_PORT"] = "0";
        start.Environment["DEMIURGE_EDGE_HTTPS_PORT"] = "0";

        // A control plane on a data directory stores its state in the run's store (TestStore).
        var dataDir = arguments.Count > 0 && arguments[0] is "up" or "controlplane" ? arguments.SkipWhile(a => a != "--data-dir").Skip(1).FirstOrDefault() : null;
        var storeEnvironment = dataDir is null ? [] : TestStore.Environment(dataDir);
        foreach (var (key, value) in storeEnvironment.Concat(environment ?? new Dictionary<string, string>()))
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var result = new DemiurgeProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { result._stdout.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { result._stderr.Enqueue(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Waits for a line of standard output that starts with <paramref name="prefix"/> (after trimming) and returns its remainder.</summary>
    public async Task<string> WaitForOutputAsync(string prefix)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        while (!timeout.IsCancellationRequested)
        {
            if (_stdout.Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
            {
                return line[prefix.Length..].Trim();
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(50, CancellationToken.None);
        }

        throw new TimeoutException($"No output line starting with '{prefix}'.{Environment.NewLine}{Describe()}");
    }

    /// <summary>Sends a POSIX signal, as Ctrl-C (SIGINT) or a service manager (SIGTERM) would.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit(); // flushes the redirected streams
        return _process.ExitCode;
    }

    public string Describe() =>
        $"stdout:{Environment.NewLine}{string.Join(Environment.NewLine, _stdout)}{Environment.NewLine}stderr:{Environment.NewLine}{string.Join(Environment.NewLine, _stderr.TakeLast(40))}";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Demiurge.Runtime.Process;

/// <summary>
/// Instances as child processes of the control plane, running this same executable (for a
/// gateway, <c>demiurge gateway</c> on a loopback port). Their output goes to
/// <c>{DataDir}/logs/{role}-{id}.log</c>. The handle's process id finds an instance again.
/// </summary>
internal sealed partial class ProcessDriver(IOptions<PlatformOptions> options, ILogger<ProcessDriver> logger) : IInstanceDriver, IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly ConcurrentDictionary<int, System.Diagnostics.Process> _children = new();
    private readonly FileHash _build = new();

    public string Name => "process";

    /// <summary>The hash of the application assembly on disk, which the next worker loads: a build in place changes it.</summary>
    public string Build => _build.Of(typeof(ProcessDriver).Assembly.Location);

    public Task<InstanceHandle> StartAsync(InstanceSpec spec, CancellationToken cancellationToken)
    {
        var logs = DataDirectory.CreateFolder(Path.Combine(options.Value.DataDir, "logs"));
        var start = new ProcessStartInfo(Executable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in spec.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.Environment)
        {
            start.Environment[name] = value;
        }

        var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        _children[process.Id] = process;
        var log = TextWriter.Synchronized(new StreamWriter(DataDirectory.OpenFile(Path.Combine(logs, $"{spec.Role}-{spec.InstanceId}.log"), FileMode.Append, FileAccess.Write)) { AutoFlush = true });
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { log.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.WriteLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = ForgetWhenExitedAsync(process, log);
        LogStarted(logger, spec.Role, spec.InstanceId, process.Id, spec.Address.Port);
        return Task.FromResult(new InstanceHandle(Name, spec.InstanceId, InstanceHandle.LocalNode, [spec.Address], [spec.Address.Port], process.Id));
    }

    public ValueTask<bool> IsRunningAsync(InstanceHandle instance, CancellationToken cancellationToken) =>
        ValueTask.FromResult(IsRunning(instance));

    public Task StopAsync(InstanceHandle instance, TimeSpan grace, CancellationToken cancellationToken) =>
        IsRunning(instance) ? TerminateAsync(instance.ProcessId!.Value, grace, cancellationToken) : Task.CompletedTask;

    /// <summary>An exited child leaves nothing behind: its exit watcher already forgot it.</summary>
    public Task RemoveLeftoversAsync(IReadOnlySet<string> goneInstanceIds, CancellationToken cancellationToken) => Task.CompletedTask;

    private bool IsRunning(InstanceHandle instance) => instance.ProcessId is { } pid
        && (_children.TryGetValue(pid, out var child) ? !child.HasExited : IsInstance(pid, instance.InstanceId));

    /// <summary>
    /// An instance from an earlier run of the control plane is trusted only if its command line
    /// names its id (<c>demiurge gateway … {gatewayId}</c>): a PID may have been reused by another
    /// process, which must never be signalled. (Linux's /proc; elsewhere such instances are not adopted.)
    /// </summary>
    private static bool IsInstance(int pid, string instanceId)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0').Contains(instanceId);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task TerminateAsync(int pid, TimeSpan grace, CancellationToken cancellationToken)
    {
        _ = Kill(pid, SigTerm);
        using var process = TryGet(pid);
        if (process is null)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        // The exit watcher (ForgetWhenExitedAsync) forgets and disposes a child.
    }

    /// <summary>Stops every worker this runtime started, in parallel.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_children.Where(c => !c.Value.HasExited).Select(c => TerminateAsync(c.Key, TimeSpan.FromSeconds(10), CancellationToken.None)));
        foreach (var child in _children.Values)
        {
            child.Dispose();
        }
    }

    /// <summary>This same executable; under a test host, the apphost next to the assembly.</summary>
    private static string Executable()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "demiurge");
        return File.Exists(beside) ? beside : Environment.ProcessPath!;
    }

    private static System.Diagnostics.Process? TryGet(int pid)
    {
        try
        {
            return System.Diagnostics.Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private async Task ForgetWhenExitedAsync(System.Diagnostics.Process process, TextWriter log)
    {
        await process.WaitForExitAsync(CancellationToken.None);
        process.WaitForExit(); // the last lines arrive after the exit
        await log.DisposeAsync();
        if (_children.TryRemove(KeyValuePair.Create(process.Id, process)))
        {
            process.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Started {Role} {InstanceId} as process {Pid} on port {Port}")]
    private static partial void LogStarted(ILogger logger, string role, string instanceId, int pid, int port);
}

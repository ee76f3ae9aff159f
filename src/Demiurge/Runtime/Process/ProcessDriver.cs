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

    // A child until its exit watcher forgets (and disposes) it: only the watcher touches the Process after it exits.
    private readonly ConcurrentDictionary<int, Child> _children = new();
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
        var log = TextWriter.Synchronized(new StreamWriter(DataDirectory.OpenFile(Path.Combine(logs, $"{spec.Role}-{spec.InstanceId}.log"), FileMode.Append, FileAccess.Write)) { AutoFlush = true });
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { log.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.WriteLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync(CancellationToken.None);
        var pid = process.Id;
        var forgotten = new TaskCompletionSource();
        _children[pid] = new Child(exited, forgotten.Task);
        _ = ForgetWhenExitedAsync(pid, process, exited, log, forgotten);
        LogStarted(logger, spec.Role, spec.InstanceId, pid, spec.Address.Port);
        return Task.FromResult(new InstanceHandle(Name, spec.InstanceId, InstanceHandle.LocalNode, [spec.Address], [spec.Address.Port], pid));
    }

    public ValueTask<bool> IsRunningAsync(InstanceHandle instance, CancellationToken cancellationToken) =>
        ValueTask.FromResult(IsRunning(instance));

    public Task StopAsync(InstanceHandle instance, TimeSpan grace, CancellationToken cancellationToken) =>
        IsRunning(instance) ? TerminateAsync(instance.ProcessId!.Value, grace, cancellationToken) : Task.CompletedTask;

    /// <summary>An exited child leaves nothing behind: its exit watcher already forgot it.</summary>
    public Task RemoveLeftoversAsync(IReadOnlySet<string> goneInstanceIds, CancellationToken cancellationToken) => Task.CompletedTask;

    private bool IsRunning(InstanceHandle instance) => instance.ProcessId is { } pid
        && (_children.TryGetValue(pid, out var child) ? !child.Exited.IsCompleted : IsInstance(pid, instance.InstanceId));

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

    /// <summary>Stops every worker this runtime started, in parallel, and waits until each is forgotten.</summary>
    public async ValueTask DisposeAsync()
    {
        var children = _children.ToArray();
        await Task.WhenAll(children.Where(c => !c.Value.Exited.IsCompleted).Select(c => TerminateAsync(c.Key, TimeSpan.FromSeconds(10), CancellationToken.None)));
        await Task.WhenAll(children.Select(c => c.Value.Forgotten));
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

    private async Task ForgetWhenExitedAsync(int pid, System.Diagnostics.Process process, Task exited, TextWriter log, TaskCompletionSource forgotten)
    {
        await exited;
        process.WaitForExit(); // the last lines arrive after the exit
        await log.DisposeAsync();
        _children.TryRemove(pid, out _);
        process.Dispose();
        forgotten.SetResult();
    }

    private sealed record Child(Task Exited, Task Forgotten);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Started {Role} {InstanceId} as process {Pid} on port {Port}")]
    private static partial void LogStarted(ILogger logger, string role, string instanceId, int pid, int port);
}

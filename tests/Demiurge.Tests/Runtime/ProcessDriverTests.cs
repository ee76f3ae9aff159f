using System.Diagnostics;
using Demiurge.Hosting;
using Demiurge.Protocol;
using Demiurge.Runtime;
using Demiurge.Runtime.Process;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Runtime;

public sealed partial class ProcessDriverTests
{
    /// <summary>After a restart the control plane only knows PIDs; one reused by another process must never be signalled.</summary>
    [Fact]
    public async Task StopAsync_PidOfAnotherProgram_LeavesItAlone()
    {
        using var dataDir = new TempDirectory();
        await using var runtime = new ProcessDriver(Options.Create(new DemiurgeOptions { DataDir = dataDir.Path }), NullLogger<ProcessDriver>.Instance);
        using var stranger = Process.Start("sleep", "30")!;
        try
        {
            var gatewayId = Guid.NewGuid().ToString();
            var instance = Handle(gatewayId, stranger.Id);

            Assert.False(await runtime.IsRunningAsync(instance, CancellationToken.None));
            await runtime.StopAsync(instance, TimeSpan.FromSeconds(1), CancellationToken.None);

            Assert.False(stranger.HasExited);
        }
        finally
        {
            stranger.Kill();
            await stranger.WaitForExitAsync();
        }
    }

    /// <summary>A worker whose control plane never answers keeps running; the handle alone finds it again, as after a restart.</summary>
    [Fact]
    public async Task StartAsync_Worker_HandleFindsItFromAnotherDriverUntilItStops()
    {
        using var dataDir = new TempDirectory();
        var options = Options.Create(new DemiurgeOptions { DataDir = dataDir.Path });
        await using var first = new ProcessDriver(options, NullLogger<ProcessDriver>.Instance);
        await using var second = new ProcessDriver(options, NullLogger<ProcessDriver>.Instance);
        var launch = new GatewayLaunch(Guid.NewGuid().ToString(), FreePorts.Tcp(), "gw_test", TestSigningKey.Variable, new Uri($"http://127.0.0.1:{FreePorts.Tcp()}"), "off", "1h", "1h", "20000-29999");

        var instance = await first.StartAsync(launch.Spec, CancellationToken.None);

        Assert.Equal(("process", launch.GatewayId, InstanceHandle.LocalNode, launch.Address, launch.Port), (instance.Driver, instance.InstanceId, instance.Node, Assert.Single(instance.Addresses), Assert.Single(instance.Ports)));
        Assert.True(await second.IsRunningAsync(instance, CancellationToken.None));
        await second.StopAsync(instance, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.False(await second.IsRunningAsync(instance, CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(dataDir.Path, "logs", $"gateway-{launch.GatewayId}.log")));
    }

    /// <summary>The control plane passes its console format down; the worker's log lines follow it (<c>--log-format</c>).</summary>
    [Theory]
    [InlineData("json")]
    [InlineData("text")]
    public async Task StartAsync_WorkerWithLogFormat_WritesItsLogLinesInIt(string format)
    {
        using var dataDir = new TempDirectory();
        await using var driver = new ProcessDriver(Options.Create(new DemiurgeOptions { DataDir = dataDir.Path }), NullLogger<ProcessDriver>.Instance);
        // A control plane that never answers: the worker logs its failed ready announcements.
        var launch = new GatewayLaunch(Guid.NewGuid().ToString(), FreePorts.Tcp(), "gw_test", TestSigningKey.Variable, new Uri($"http://127.0.0.1:{FreePorts.Tcp()}"), "off", "1h", "1h",
            "20000-29999", format);
        var log = Path.Combine(dataDir.Path, "logs", $"gateway-{launch.GatewayId}.log");

        var instance = await driver.StartAsync(launch.Spec, CancellationToken.None);
        string[] lines = [];
        try
        {
            for (var wait = 0; wait < 300 && !lines.Any(IsLogLine); wait++)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
                lines = File.Exists(log) ? ReadShared(log) : [];
            }
        }
        finally
        {
            await driver.StopAsync(instance, TimeSpan.FromSeconds(5), CancellationToken.None);
        }

        Assert.Contains(WorkerFlags.LogFormat, launch.Arguments);
        Assert.Contains(lines, IsLogLine);
        // The lines of the other format are absent: no JSON line in text, no text line in JSON.
        Assert.DoesNotContain(lines, line => format == "json" ? IsTextLine(line) : IsJsonLine(line));

        bool IsLogLine(string line) => format == "json" ? IsJsonLine(line) : IsTextLine(line);
    }

    [Fact]
    public async Task IsRunning_PidThatDoesNotExist_IsFalse()
    {
        using var dataDir = new TempDirectory();
        var runtime = new ProcessDriver(Options.Create(new DemiurgeOptions { DataDir = dataDir.Path }), NullLogger<ProcessDriver>.Instance);

        Assert.False(await runtime.IsRunningAsync(Handle(Guid.NewGuid().ToString(), int.MaxValue), CancellationToken.None));
    }

    private static InstanceHandle Handle(string instanceId, int pid) =>
        new("process", instanceId, InstanceHandle.LocalNode, [new Uri("http://127.0.0.1:1")], [1], pid);

    private static bool IsJsonLine(string line)
    {
        if (!line.StartsWith('{'))
        {
            return false;
        }

        using var document = System.Text.Json.JsonDocument.Parse(line);
        return document.RootElement.TryGetProperty("LogLevel", out _) && document.RootElement.TryGetProperty("Category", out _);
    }

    // "2026-12-02T14:00:00.000Z warn: Category[id] message", the simple console's single line.
    private static bool IsTextLine(string line) => TextLine().IsMatch(line);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): ")]
    private static partial System.Text.RegularExpressions.Regex TextLine();

    private static string[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}

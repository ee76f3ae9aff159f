using System.Diagnostics;
using Demiurge.Hosting;
using Demiurge.Runtime;
using Demiurge.Runtime.Process;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Runtime;

public sealed class ProcessDriverTests
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

    [Fact]
    public async Task IsRunning_PidThatDoesNotExist_IsFalse()
    {
        using var dataDir = new TempDirectory();
        var runtime = new ProcessDriver(Options.Create(new DemiurgeOptions { DataDir = dataDir.Path }), NullLogger<ProcessDriver>.Instance);

        Assert.False(await runtime.IsRunningAsync(Handle(Guid.NewGuid().ToString(), int.MaxValue), CancellationToken.None));
    }

    private static InstanceHandle Handle(string instanceId, int pid) =>
        new("process", instanceId, InstanceHandle.LocalNode, [new Uri("http://127.0.0.1:1")], [1], pid);
}

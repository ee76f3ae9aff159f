using System.Diagnostics;
using Demiurge.Hosting;
using Demiurge.Runtime.Process;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Runtime;

public sealed class ProcessGatewayRuntimeTests
{
    /// <summary>After a restart the control plane only knows PIDs; one reused by another process must never be signalled.</summary>
    [Fact]
    public async Task StopAsync_PidOfAnotherProgram_LeavesItAlone()
    {
        using var dataDir = new TempDirectory();
        await using var runtime = new ProcessGatewayRuntime(Options.Create(new DemiurgeOptions { DataDir = dataDir.Path }), NullLogger<ProcessGatewayRuntime>.Instance);
        using var stranger = Process.Start("sleep", "30")!;
        try
        {
            var gatewayId = Guid.NewGuid().ToString();

            Assert.False(await runtime.IsRunningAsync(stranger.Id, gatewayId, CancellationToken.None));
            await runtime.StopAsync(stranger.Id, gatewayId, TimeSpan.FromSeconds(1), CancellationToken.None);

            Assert.False(stranger.HasExited);
        }
        finally
        {
            stranger.Kill();
            await stranger.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task IsRunning_PidThatDoesNotExist_IsFalse()
    {
        using var dataDir = new TempDirectory();
        var runtime = new ProcessGatewayRuntime(Options.Create(new DemiurgeOptions { DataDir = dataDir.Path }), NullLogger<ProcessGatewayRuntime>.Instance);

        Assert.False(await runtime.IsRunningAsync(int.MaxValue, Guid.NewGuid().ToString(), CancellationToken.None));
    }
}

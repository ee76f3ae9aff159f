using System.Text;
using Demiurge.Protocol;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>The same worker on the system clock with short intervals: the real timers drive autosave and release.</summary>
public sealed class GatewayRealClockTests
{
    private const string ProjectA = GatewayHarness.ProjectA;

    [Fact]
    public async Task RealClock_AutosaveThenInactivityRelease_ThenReadyAgain()
    {
        await using var gateway = await GatewayHarness.StartAsync(
            autosave: TimeSpan.FromMilliseconds(200), inactivity: TimeSpan.FromSeconds(1), time: TimeProvider.System);
        var grant = await gateway.ServeAsync(Guid.CreateVersion7().ToString());
        var beforeWrite = TimeProvider.System.GetUtcNow();
        using (await gateway.PutStateAsync(ProjectA, Convert.ToBase64String(Encoding.UTF8.GetBytes("saved by autosave"))))
        {
        }

        var push = await gateway.ControlPlane.WaitForCallAsync(GatewayPaths.DataPush);
        var stop = await gateway.ControlPlane.WaitForCallAsync(GatewayPaths.Stop);
        await gateway.ControlPlane.WaitForCallAsync(GatewayPaths.Ready, count: 2);

        Assert.Equal(200, push.Status);
        Assert.True(push.At < stop.At);
        // Autosave ticks ran in between; the deadline still counts from the write.
        Assert.True(stop.At >= beforeWrite + TimeSpan.FromSeconds(1), $"released {stop.At - beforeWrite} after the write");
        Assert.Equal(grant.AllocationToken, stop.Bearer);
        Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPush));
        Assert.Equal("idle", (await gateway.PingAsync()).GetProperty("state").GetString());
    }
}

using Demiurge.Common;
using Demiurge.Gateways;
using Demiurge.Hosting;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Gateways;

/// <summary>The pool's ports: from the store's view, round the range, never one a live gateway holds.</summary>
public sealed class GatewayPortAllocatorTests
{
    private static readonly GatewayPortAllocator s_allocator = new(Options.Create(new PoolOptions { Ports = new PortRange(7100, 7103) }));

    [Fact]
    public void Next_NoGateways_TheFirstPort() => Assert.Equal(7100, s_allocator.Next([]));

    [Fact]
    public void Next_AfterTheNewestGateway_EvenAGoneOne_SoAFailedPortIsNotRetriedAtOnce()
    {
        // 7101's worker could not listen (another process holds the port) and is gone.
        Gateway[] gateways = [Gateway(7100, GatewayState.Ready, 1), Gateway(7101, GatewayState.Gone, 2)];

        Assert.Equal(7102, s_allocator.Next(gateways));
    }

    [Fact]
    public void Next_WrapsAroundPastLivePorts_AndIsNullWhenTheRangeIsFull()
    {
        Gateway[] wrapping = [Gateway(7101, GatewayState.Ready, 1), Gateway(7103, GatewayState.Allocated, 2)];
        Gateway[] full = [.. wrapping, Gateway(7100, GatewayState.Ready, 3), Gateway(7102, GatewayState.Starting, 4)];

        Assert.Equal(7100, s_allocator.Next(wrapping));
        Assert.Null(s_allocator.Next(full));
    }

    private static Gateway Gateway(int port, GatewayState state, int createdSecond)
    {
        var at = DateTimeOffset.UnixEpoch.AddSeconds(createdSecond);
        return new Gateway(Ids.New(), state, "test", $"http://127.0.0.1:{port}", port, null, at, at, null, null);
    }
}

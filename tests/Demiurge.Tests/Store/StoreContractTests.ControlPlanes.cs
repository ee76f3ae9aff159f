using Demiurge.Coordination;
using Demiurge.Store;

namespace Demiurge.Tests.Store;

/// <summary>The contract of the control-plane directory: each store instance is one control plane.</summary>
public abstract partial class StoreContractTests
{
    private static readonly DateTimeOffset s_now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

    [Fact]
    public async Task ControlPlaneListAsync_InstancesSeenSince_OnlyThoseOnceEachAndTheirLatestUrl()
    {
        var stores = await ControlPlaneStoresAsync(3);
        var forgetNothing = s_now.AddDays(-1);
        await stores[0].ControlPlaneSeenAsync(new Uri("http://127.0.0.1:5080/"), s_now, forgetNothing, Ct);
        await stores[1].ControlPlaneSeenAsync(new Uri("http://127.0.0.1:5081/"), s_now.AddSeconds(-30), forgetNothing, Ct);
        await stores[2].ControlPlaneSeenAsync(new Uri("http://127.0.0.1:5082/"), s_now.AddSeconds(-1), forgetNothing, Ct);
        await stores[2].ControlPlaneSeenAsync(new Uri("http://127.0.0.1:5083/"), s_now, forgetNothing, Ct);

        var live = await stores[1].ControlPlaneListAsync(s_now.AddSeconds(-10), Ct);

        Assert.Equal([new Uri("http://127.0.0.1:5080/"), new Uri("http://127.0.0.1:5083/")], live);
    }

    [Fact]
    public async Task ControlPlaneRemoveAsync_RemovesOnlyThisInstance()
    {
        var stores = await ControlPlaneStoresAsync(2);
        await stores[0].ControlPlaneSeenAsync(new Uri("http://127.0.0.1:5080/"), s_now, s_now.AddDays(-1), Ct);
        await stores[1].ControlPlaneSeenAsync(new Uri("http://127.0.0.1:5081/"), s_now, s_now.AddDays(-1), Ct);

        await stores[0].ControlPlaneRemoveAsync(Ct);

        Assert.Equal([new Uri("http://127.0.0.1:5081/")], await stores[0].ControlPlaneListAsync(s_now.AddDays(-1), Ct));
    }

    [Fact]
    public async Task ControlPlaneSeenAsync_ForgetsInstancesNotSeenSince()
    {
        var stores = await ControlPlaneStoresAsync(2);
        await stores[0].ControlPlaneSeenAsync(new Uri("http://127.0.0.1:5080/"), s_now.AddHours(-2), s_now.AddDays(-1), Ct);

        await stores[1].ControlPlaneSeenAsync(new Uri("http://127.0.0.1:5081/"), s_now, s_now.AddHours(-1), Ct);

        Assert.Equal([new Uri("http://127.0.0.1:5081/")], await stores[1].ControlPlaneListAsync(DateTimeOffset.UnixEpoch, Ct));
    }

    /// <summary>Store instances on one migrated database, as separate control planes see it.</summary>
    private async Task<List<IControlPlaneStore>> ControlPlaneStoresAsync(int count)
    {
        var stores = await StoresOnFreshDatabaseAsync(count);
        await stores[0].Database.MigrateAsync(Ct);
        return [.. stores.Select(s => s.ControlPlanes)];
    }
}

using Demiurge.Dns;
using Demiurge.Edge;

namespace Demiurge.Tests.Store;

/// <summary>The contract of the versioned DNS record sets and edge routes.</summary>
public abstract partial class StoreContractTests
{
    private IDnsStore Dns => Store.Dns;

    private IEdgeStore Edge => Store.Edge;

    [Fact]
    public async Task DnsRecordSetsChangedAsync_FreshStore_VersionOneAndNoSets()
    {
        var (version, changes) = await Dns.DnsRecordSetsChangedAsync(0, Ct);

        Assert.Equal(1, version);
        Assert.Empty(changes);
    }

    [Fact]
    public async Task DnsRecordSetsApplyAsync_ThenChangedSinceZero_ReturnsTheSetsWithTheirValues()
    {
        var a = new DnsRecordSet("org-1.example.test", "A", 60, ["127.0.0.1", "127.0.0.2"]);
        var txt = new DnsRecordSet("*.org-1.example.test", "TXT", 30, ["hello \"world\""]);

        var version = await Dns.DnsRecordSetsApplyAsync([a, txt], Ct);
        var (current, changes) = await Dns.DnsRecordSetsChangedAsync(0, Ct);

        Assert.Equal(2, version);
        Assert.Equal(version, current);
        Assert.Equal(2, changes.Count);
        Assert.Equal(a.Values, changes.Single(c => c.Type == "A").Values);
        Assert.Equal(txt.Values, changes.Single(c => c.Type == "TXT").Values);
        Assert.Equal(30, changes.Single(c => c.Type == "TXT").Ttl);
    }

    [Fact]
    public async Task DnsRecordSetsChangedAsync_AfterReplaceAndDelete_ReturnsOnlyLaterChangesInOrder()
    {
        var first = await Dns.DnsRecordSetsApplyAsync([new("org-1.example.test", "A", 60, ["127.0.0.1"]), new("org-2.example.test", "A", 60, ["127.0.0.1"])], Ct);
        await Dns.DnsRecordSetsApplyAsync([new("org-1.example.test", "A", 60, ["127.0.0.9"])], Ct);
        var last = await Dns.DnsRecordSetsApplyAsync([new("org-2.example.test", "A", 60, [])], Ct);

        var (version, changes) = await Dns.DnsRecordSetsChangedAsync(first, Ct);
        var (unchanged, none) = await Dns.DnsRecordSetsChangedAsync(last, Ct);

        Assert.Equal(last, version);
        Assert.Equal(["org-1.example.test", "org-2.example.test"], changes.Select(c => c.Name));
        Assert.Equal(["127.0.0.9"], changes[0].Values);
        Assert.True(changes[1].IsDeleted);
        Assert.Equal(last, unchanged);
        Assert.Empty(none);
    }

    [Fact]
    public async Task EdgeRoutesSetAsync_SetMoveRemove_ChangesComeBackInVersionOrder()
    {
        EdgeDestination[] weighted = [new(new Uri("http://127.0.0.1:7103/"), 3), new(new Uri("http://127.0.0.1:7104/"), 1, Draining: true)];
        var first = await Edge.EdgeRoutesSetAsync([EdgeRoute.To("org-1.example.test", new Uri("http://127.0.0.1:7101/"))], Ct);
        var second = await Edge.EdgeRoutesSetAsync([EdgeRoute.To("org-2.example.test", new Uri("http://127.0.0.1:7102/")), EdgeRoute.To("*.org-2.example.test", new Uri("http://127.0.0.1:7102/"))], Ct);
        var moved = await Edge.EdgeRoutesSetAsync([new EdgeRoute("org-1.example.test", weighted)], Ct);
        var removed = await Edge.EdgeRoutesSetAsync([EdgeRoute.Removed("org-2.example.test"), EdgeRoute.Removed("*.org-2.example.test")], Ct);

        var (version, all) = await Edge.EdgeRoutesChangedAsync(0, Ct);
        var (_, later) = await Edge.EdgeRoutesChangedAsync(moved, Ct);

        Assert.True(first < second && second < moved && moved < removed);
        Assert.Equal(removed, version);
        Assert.Equal("org-1.example.test", all[0].Host);
        Assert.Equal(["*.org-2.example.test", "org-2.example.test"], all.Skip(1).Select(r => r.Host).Order(StringComparer.Ordinal));
        Assert.Equal(weighted, all[0].Destinations);
        Assert.All(all.Skip(1), r => Assert.True(r.IsRemoved));
        Assert.Equal(["*.org-2.example.test", "org-2.example.test"], later.Select(r => r.Host).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EdgeRoutesSetAsync_TwentyParallelWriters_EachGetsADistinctVersion()
    {
        var hosts = Enumerable.Range(0, 20).Select(i => $"org-{i}.example.test").ToArray();

        var versions = await RunTogetherAsync(hosts, host => Edge.EdgeRoutesSetAsync([EdgeRoute.To(host, new Uri("http://127.0.0.1:7101/"))], Ct));

        Assert.Equal(20, versions.Distinct().Count());
        var (version, changes) = await Edge.EdgeRoutesChangedAsync(0, Ct);
        Assert.Equal(versions.Max(), version);
        Assert.Equal(hosts.Order(StringComparer.Ordinal), changes.Select(c => c.Host).Order(StringComparer.Ordinal));
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Demiurge.Tests.ControlPlanes;

/// <summary>Several control planes on one PostgreSQL: one leads, another takes over when it dies, any serves the API.</summary>
public sealed class LeaderElectionTests
{
    [Fact]
    public async Task ThreeControlPlanes_KillTheLeader_AnotherLeadsWithinFiveSeconds()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync(count: 3, poolSize: 0);
        var first = await cluster.WaitForOneLeaderAsync();
        Assert.Contains(first.Process.StandardOutput.Concat(first.Process.StandardError), l => l.Contains("Leading", StringComparison.Ordinal));

        await first.KillAsync();
        var clock = Stopwatch.StartNew();
        var second = await cluster.WaitForOneLeaderAsync();
        var takeover = clock.Elapsed;

        Assert.NotSame(first, second);
        // The bound. Followers try every second, and the server frees a dead leader's
        // lock as soon as its connection drops.
        Assert.True(takeover < TimeSpan.FromSeconds(5), $"Took {takeover.TotalSeconds:F1} s to elect a new leader.");
        // A follower leading no more than one at a time, still.
        Assert.Single(await cluster.LeadersAsync());

        // The one that is left follows, and serves the API like the others.
        var follower = Assert.Single(cluster.Instances, i => !i.Killed && !ReferenceEquals(i, second));
        using var created = await follower.Api.PostAsJsonAsync("/orgs", new { name = "Served by a follower" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var organizationId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organization_id").GetString();
        Assert.Contains((await second.Api.GetFromJsonAsync<JsonElement>("/orgs")).EnumerateArray(),
            o => o.GetProperty("organization_id").GetString() == organizationId);
    }
}

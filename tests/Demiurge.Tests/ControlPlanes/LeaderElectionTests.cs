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
        var follower = Assert.Single(cluster.Instances, i => !i.Exited && !ReferenceEquals(i, second));
        using var created = await follower.Api.PostAsJsonAsync("/orgs", new { name = "Served by a follower" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var organizationId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organization_id").GetString();
        Assert.Contains((await second.Api.GetFromJsonAsync<JsonElement>("/orgs")).EnumerateArray(),
            o => o.GetProperty("organization_id").GetString() == organizationId);
    }

    [Fact]
    public async Task ControlPlanes_EachListsEveryLiveOneItselfFirst_StoppedAndKilledOnesDropOut()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync(count: 3, poolSize: 0);
        var leader = await cluster.WaitForOneLeaderAsync();
        var urls = cluster.Instances.Select(i => i.Api.BaseAddress!.AbsoluteUri).ToHashSet();

        foreach (var instance in cluster.Instances)
        {
            var seen = await ControlPlaneCluster.WaitForAsync("every control plane listed", async () =>
                await ControlPlanesAsync(instance) is { } answer && answer.Urls.ToHashSet().SetEquals(urls) ? answer : null);
            Assert.Equal(instance.Api.BaseAddress!.AbsoluteUri, seen.Self);
            Assert.Equal(seen.Self, seen.Urls[0]);
            Assert.Equal(ReferenceEquals(instance, leader), seen.Leader);
        }

        // One leaves in good order, one dies: the last one ends up listing only itself.
        var (stopped, killed, last) = (cluster.Instances[0], cluster.Instances[1], cluster.Instances[2]);
        Assert.Equal(0, await stopped.StopAsync());
        await killed.KillAsync();
        await ControlPlaneCluster.WaitForAsync("the gone control planes to drop out", async () =>
            await ControlPlanesAsync(last) is { Urls: [var only] } && only == last.Api.BaseAddress!.AbsoluteUri ? "yes" : null);
    }

    private static async Task<ControlPlanes> ControlPlanesAsync(ControlPlaneCluster.Instance instance)
    {
        var answer = await instance.Api.GetFromJsonAsync<JsonElement>("/control-planes");
        return new(answer.GetProperty("self").GetString()!, answer.GetProperty("leader").GetBoolean(),
            [.. answer.GetProperty("control_planes").EnumerateArray().Select(url => url.GetString()!)]);
    }

    private sealed record ControlPlanes(string Self, bool Leader, List<string> Urls);
}

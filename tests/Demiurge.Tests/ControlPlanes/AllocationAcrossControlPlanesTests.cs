using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Demiurge.Tests.ControlPlanes;

/// <summary>
/// Allocation with several control planes on one PostgreSQL: requests land on any instance,
/// sagas run where they land, and the store's unique indexes keep one gateway per organization,
/// also when the leader is killed in the middle.
/// </summary>
public sealed class AllocationAcrossControlPlanesTests
{
    [Fact]
    public async Task Start_SixtyParallelSpreadOverThreeInstances_ExactlyOneGatewayPerOrganization()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync(count: 3, poolSize: 5);
        var api = cluster.Instances.Select(i => i.Api).ToList();
        await WaitForPoolAsync(api[0], ready: 5);
        var organizations = await CreateOrganizationsAsync(api, 4);

        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            var organization = organizations[i % organizations.Count];
            using var response = await api[i % api.Count].PostAsJsonAsync("/gateway/start", new { organization_id = organization });
            return (Organization: organization, response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(answers, a => Assert.True(a.StatusCode == HttpStatusCode.OK, $"{a.StatusCode}: {a.Body}"));
        var gatewayByOrganization = answers
            .GroupBy(a => a.Organization)
            .ToDictionary(g => g.Key, g => Assert.Single(g.Select(a => GatewayId(a.Body)).Distinct()));
        Assert.Equal(organizations.Count, gatewayByOrganization.Values.Distinct().Count());
        // Every instance sees the same: one allocated gateway per organization, the rest ready.
        foreach (var client in api)
        {
            var gateways = await GatewaysAsync(client);
            Assert.Equal(gatewayByOrganization.OrderBy(p => p.Value, StringComparer.Ordinal).Select(p => (p.Value, (string?)p.Key)),
                gateways.Where(g => State(g) == "allocated").Select(g => (Id(g), g.GetProperty("organization_id").GetString())).OrderBy(p => p.Item1, StringComparer.Ordinal));
            Assert.Equal(1, gateways.Count(g => State(g) == "ready"));
        }
    }

    [Fact]
    public async Task KillLeaderWithAllocationsInFlight_AfterFailover_NothingLeakedOrDuplicated()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync(count: 3, poolSize: 4);
        var leader = await cluster.WaitForOneLeaderAsync();
        await WaitForPoolAsync(leader.Api, ready: 4);
        var api = cluster.Instances.Select(i => i.Api).ToList();
        var organizations = await CreateOrganizationsAsync(api, 6);
        var workers = (await GatewaysAsync(leader.Api)).Select(g => g.GetProperty("pid").GetInt32()).ToHashSet();

        // Starts in flight on every instance, the leader's included; then the leader dies.
        var inFlight = Enumerable.Range(0, 18).Select(i => Task.Run(async () =>
        {
            try
            {
                using var response = await api[i % api.Count].PostAsJsonAsync("/gateway/start", new { organization_id = organizations[i % organizations.Count] });
            }
            catch (HttpRequestException)
            {
                // Landed on the leader, which died under it.
            }
        })).ToList();
        await ControlPlaneCluster.WaitForAsync("a claim journaled", async () =>
            (await leader.Api.GetStringAsync("/events?limit=1000")).Contains("allocation.claimed", StringComparison.Ordinal) ? "yes" : null);
        await leader.KillAsync();
        await Task.WhenAll(inFlight);
        var successor = await cluster.WaitForOneLeaderAsync();

        // Converged: the new leader undid the dead leader's sagas and replaced what they broke;
        // the survivors' sagas finished or rolled back themselves.
        var gateways = await ControlPlaneCluster.WaitForAsync("the pool to converge", async () =>
        {
            var all = await GatewaysAsync(successor.Api);
            return all.All(g => State(g) is "ready" or "allocated" or "gone") && all.Count(g => State(g) is "ready" or "allocated") == 4 ? all : null;
        }, seconds: 90);
        workers.UnionWith(gateways.Where(g => g.GetProperty("pid").ValueKind == JsonValueKind.Number).Select(g => g.GetProperty("pid").GetInt32()));

        // No organization with two gateways, and no allocated gateway without one.
        var allocated = gateways.Where(g => State(g) == "allocated").Select(g => g.GetProperty("organization_id").GetString()).ToList();
        Assert.All(allocated, Assert.NotNull);
        Assert.Equal(allocated.Count, allocated.Distinct().Count());
        // No orphan workers: a worker runs exactly when its gateway is live.
        await ControlPlaneCluster.WaitForAsync("gone workers to exit", () => Task.FromResult(
            gateways.Where(g => State(g) == "gone" && g.GetProperty("pid").ValueKind == JsonValueKind.Number).All(g => !IsRunning(g.GetProperty("pid").GetInt32())) ? "yes" : null));
        Assert.All(gateways.Where(g => State(g) != "gone"), g => Assert.True(IsRunning(g.GetProperty("pid").GetInt32()), $"Live gateway {Id(g)} has no process."));
        // Every survivor answers a start for an allocated organization with the gateway the store names.
        foreach (var client in cluster.Instances.Where(i => !i.Exited).Select(i => i.Api))
        {
            foreach (var organization in allocated)
            {
                using var response = await client.PostAsJsonAsync("/gateway/start", new { organization_id = organization });
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(Id(gateways.Single(g => g.GetProperty("organization_id").GetString() == organization)), GatewayId(await response.Content.ReadAsStringAsync()));
            }
        }

        await cluster.DisposeAsync();
        // The survivors stopped every worker, the dead leader's included: none may linger.
        await ControlPlaneCluster.WaitForAsync("every worker to exit", () => Task.FromResult(workers.All(pid => !IsRunning(pid)) ? "yes" : null));
    }

    [Fact]
    public async Task KillLeader_ItsWorkersGoOnWithTheOthers_NoneReplacedAndNoEditLost()
    {
        // No autosave: the release's final push is the only save of the edit.
        await using var cluster = await ControlPlaneCluster.StartAsync(3, 2, "--gateway-autosave-interval", "1h");
        var leader = await cluster.WaitForOneLeaderAsync();
        await WaitForPoolAsync(leader.Api, ready: 2);
        var workers = (await GatewaysAsync(leader.Api)).Select(Id).ToHashSet();
        var (first, second) = (cluster.Instances.First(i => i != leader), cluster.Instances.Last(i => i != leader));
        var organization = (await CreateOrganizationsAsync([first.Api], 1))[0];
        string project;
        using (var created = await first.Api.PostAsJsonAsync($"/orgs/{organization}/projects", new { name = "edited" }))
        {
            project = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("project_id").GetString()!;
        }

        using var started = await first.Api.PostAsJsonAsync("/gateway/start", new { organization_id = organization });
        var gatewayId = GatewayId(await started.Content.ReadAsStringAsync());
        var address = (await GatewaysAsync(first.Api)).Single(g => Id(g) == gatewayId).GetProperty("address").GetString()!;
        await PutStateAsync(address, project, "edited before the leader died");

        // The leader started every worker and is the control plane each was told to call.
        await leader.KillAsync();
        var successor = await cluster.WaitForOneLeaderAsync();

        // The release's final push and /gateway/stop go to a survivor. Until the new leader's
        // first ping the worker may still know only the dead one; then it answers "try again".
        await ControlPlaneCluster.WaitForAsync("a release through a survivor", async () =>
        {
            using var released = await second.Api.PostAsync($"/gateways/{gatewayId}/release", null);
            return released.IsSuccessStatusCode ? "yes" : null;
        });
        // A worker the dead leader started takes the organization again, through the handshake.
        using var restarted = await second.Api.PostAsJsonAsync("/gateway/start", new { organization_id = organization });
        Assert.Equal(HttpStatusCode.OK, restarted.StatusCode);
        var againId = GatewayId(await restarted.Content.ReadAsStringAsync());
        var again = (await GatewaysAsync(successor.Api)).Single(g => Id(g) == againId);

        Assert.Equal("edited before the leader died", await GetStateAsync(again.GetProperty("address").GetString()!, project));
        var gateways = await GatewaysAsync(successor.Api);
        Assert.Equal(workers.Order(), gateways.Select(Id).Order());
        Assert.All(gateways, g => Assert.True(State(g) is "ready" or "allocated", $"{Id(g)} is {State(g)}."));
    }

    private static async Task PutStateAsync(string gateway, string project, string text)
    {
        using var http = AdminClient();
        using var response = await http.PutAsJsonAsync($"{gateway}/projects/{project}/state", new { state = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text)) });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> GetStateAsync(string gateway, string project)
    {
        using var http = AdminClient();
        var body = await http.GetFromJsonAsync<JsonElement>($"{gateway}/projects/{project}/state");
        return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(body.GetProperty("state").GetString()!));
    }

    private static HttpClient AdminClient() =>
        new() { DefaultRequestHeaders = { Authorization = new("Bearer", ControlPlaneCluster.Token) }, Timeout = TimeSpan.FromSeconds(30) };

    private static async Task WaitForPoolAsync(HttpClient api, int ready) =>
        await ControlPlaneCluster.WaitForAsync($"{ready} ready gateways", async () =>
            (await GatewaysAsync(api)).Count(g => State(g) == "ready") == ready ? "yes" : null);

    private static async Task<List<string>> CreateOrganizationsAsync(List<HttpClient> api, int count)
    {
        var organizations = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var created = await api[i % api.Count].PostAsJsonAsync("/orgs", new { name = $"Org {i}" });
            created.EnsureSuccessStatusCode();
            organizations.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organization_id").GetString()!);
        }

        return organizations;
    }

    private static async Task<List<JsonElement>> GatewaysAsync(HttpClient api) =>
        [.. (await api.GetFromJsonAsync<JsonElement>("/gateways")).EnumerateArray()];

    private static string? State(JsonElement gateway) => gateway.GetProperty("state").GetString();

    private static string Id(JsonElement gateway) => gateway.GetProperty("gateway_id").GetString()!;

    private static string GatewayId(string body) => JsonDocument.Parse(body).RootElement.GetProperty("gateway_id").GetString()!;

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.EndToEnd;

/// <summary><c>kill -9</c> of the control plane while allocations are in flight, then a restart that converges.</summary>
public sealed class ControlPlaneCrashTests
{
    private const string Token = "crash-admin-token-0123456789";
    private const int SigKill = 9;

    [Fact]
    public async Task KilledDuringSagas_RestartConverges_NothingLeakedOrDuplicated()
    {
        using var dataDir = new TempDirectory();
        var port = FreePorts.Tcp();
        string[] arguments =
        [
            "up", "--data-dir", dataDir.Path, "--api-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--admin-token", Token,
            "--pool-size", "3", "--pool-min-ready", "0", "--pool-max", "3", "--pool-check-interval", "300ms", "--gateway-inactivity-timeout", "off",
            "--pool-ports", PortBlocks.Next(),
        ];
        var workers = new HashSet<int>();
        List<string> organizations = [];
        await using (var first = DemiurgeProcess.Start(arguments))
        {
            using var http = Client(new Uri(await first.WaitForOutputAsync("API:")));
            await WaitForAsync(async () => (await GatewaysAsync(http)).Count(g => g.GetProperty("state").GetString() == "ready") == 3);
            workers.UnionWith((await GatewaysAsync(http)).Select(g => g.GetProperty("pid").GetInt32()));
            for (var i = 0; i < 5; i++)
            {
                using var created = await http.PostAsJsonAsync("/orgs", new { name = $"Crash {i}" });
                organizations.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organization_id").GetString()!);
            }

            // Sagas in flight, then no time to finish them.
            var inFlight = organizations.Select(o => Task.Run(async () =>
            {
                try
                {
                    using var response = await http.PostAsJsonAsync("/gateway/start", new { organization_id = o });
                }
                catch (HttpRequestException)
                {
                    // The control plane died under us: that is the point.
                }
            })).ToList();
            // Kill as soon as a saga has journaled its claim: the others are mid-flight too.
            await WaitForAsync(async () => (await http.GetStringAsync("/events?limit=1000")).Contains("allocation.claimed", StringComparison.Ordinal), pause: 1);
            first.Signal(SigKill);
            await first.WaitForExitAsync();
            await Task.WhenAll(inFlight);
        }

        await using var second = DemiurgeProcess.Start(arguments);
        using var api = Client(new Uri(await second.WaitForOutputAsync("API:")));
        try
        {
            // Converged means the whole pool is back: workers whose handshake was cut short are
            // retired and replaced, and nothing is left starting, allocating or unhealthy.
            await WaitForAsync(async () =>
            {
                var states = (await GatewaysAsync(api)).Select(g => g.GetProperty("state").GetString()).ToList();
                return states.All(s => s is "ready" or "allocated" or "gone") && states.Count(s => s is "ready" or "allocated") == 3;
            });
            var gateways = await GatewaysAsync(api);
            var allocated = gateways.Where(g => g.GetProperty("state").GetString() == "allocated").ToList();
            Assert.All(allocated, g => Assert.NotEqual(JsonValueKind.Null, g.GetProperty("organization_id").ValueKind));
            Assert.Equal(allocated.Count, allocated.Select(g => g.GetProperty("organization_id").GetString()).Distinct().Count());
            Assert.True(gateways.Count(g => g.GetProperty("state").GetString() != "gone") <= 3);

            var events = (await api.GetFromJsonAsync<JsonElement>("/events?limit=1000")).EnumerateArray()
                .Select(e => e.GetProperty("kind").GetString() + (e.GetProperty("detail").GetString() is { } d ? $" ({d})" : string.Empty)).ToList();
            // The kill landed mid-saga, and the restart undid what it interrupted.
            Assert.Contains("allocation.rolled_back (the control plane stopped during the saga)", events);

            var answers = new Dictionary<string, string>();
            foreach (var organization in organizations)
            {
                using var response = await api.PostAsJsonAsync("/gateway/start", new { organization_id = organization });
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    answers[organization] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("gateway_id").GetString()!;
                }
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                }
            }

            Assert.Equal(Math.Min(3, organizations.Count), answers.Count);
            Assert.Equal(answers.Count, answers.Values.Distinct().Count());
            var live = await GatewaysAsync(api);
            Assert.All(answers, a => Assert.Equal("allocated", live.Single(g => g.GetProperty("gateway_id").GetString() == a.Value).GetProperty("state").GetString()));
            workers.UnionWith(live.Where(g => g.GetProperty("pid").ValueKind == JsonValueKind.Number).Select(g => g.GetProperty("pid").GetInt32()));
        }
        finally
        {
            second.Signal(DemiurgeProcess.SigTerm);
            Assert.Equal(0, await second.WaitForExitAsync());
            // Workers orphaned by the kill were adopted and stopped with the rest: none may linger.
            await WaitForAsync(() => Task.FromResult(workers.All(pid => !IsRunning(pid))));
        }
    }

    private static HttpClient Client(Uri api)
    {
        var http = new HttpClient { BaseAddress = api };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    private static async Task<List<JsonElement>> GatewaysAsync(HttpClient http) =>
        [.. (await http.GetFromJsonAsync<JsonElement>("/gateways")).EnumerateArray()];

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

    private static async Task WaitForAsync(Func<Task<bool>> condition, int pause = 100)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not become true.");
            }

            await Task.Delay(pause);
        }
    }
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Runtime.Docker;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Runtime.Docker;

/// <summary><c>kill -9</c> of a control plane whose gateways are containers: they outlive it, and the next one adopts or removes them.</summary>
public sealed class DockerControlPlaneRestartTests
{
    private const string Token = "docker-restart-admin-token-0123";
    private const int SigKill = 9;
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task KilledControlPlane_Restart_AdoptsLiveContainersAndRemovesDeadOnes()
    {
        using var dataDir = new TempDirectory();
        using var docker = DockerEngine.Client();
        string[] arguments =
        [
            "up", "--data-dir", dataDir.Path, "--api-port", FreePorts.Tcp().ToString(System.Globalization.CultureInfo.InvariantCulture), "--admin-token", Token,
            "--runtime", "docker", "--docker-memory", "300m",
            "--pool-size", "2", "--pool-min-ready", "0", "--pool-max", "2", "--pool-check-interval", "300ms", "--gateway-inactivity-timeout", "off",
            "--pool-ports", PortBlocks.Next(),
        ];
        var seen = new HashSet<string>();
        try
        {
            List<JsonElement> before;
            await using (var first = DemiurgeProcess.Start(arguments))
            {
                using var http = Client(new Uri(await first.WaitForOutputAsync("API:")));
                before = await WaitForAsync(http, gateways => Task.FromResult(gateways.Count(g => State(g) == "ready") == 2));
                seen.UnionWith(before.Select(Id));
                first.Signal(SigKill);
                await first.WaitForExitAsync();
            }

            // The containers outlive the control plane; one of them then dies on its own.
            foreach (var gateway in before)
            {
                Assert.True((await DockerEngine.InspectAsync(docker, Id(gateway)))?.State?.Running);
            }

            var (dead, survivor) = (before[0], before[1]);
            await docker.Containers.KillContainerAsync(Container(Id(dead)), new());
            await docker.Containers.WaitContainerAsync(Container(Id(dead)));

            await using var second = DemiurgeProcess.Start(arguments);
            using var api = Client(new Uri(await second.WaitForOutputAsync("API:")));
            var after = await WaitForAsync(api, async gateways =>
                gateways.Any(g => Id(g) == Id(dead) && State(g) == "gone") && gateways.Count(g => State(g) == "ready") == 2
                && await DockerEngine.InspectAsync(docker, Id(dead)) is null);
            seen.UnionWith(after.Select(Id));

            // The survivor is the same container, adopted rather than restarted; the dead one is replaced.
            var adopted = after.Single(g => Id(g) == Id(survivor));
            Assert.Equal("ready", State(adopted));
            Assert.Equal(survivor.GetProperty("pid").GetInt32(), adopted.GetProperty("pid").GetInt32());
            Assert.Equal(survivor.GetProperty("pid").GetInt32(), (int)(await DockerEngine.InspectAsync(docker, Id(survivor)))!.State!.Pid);
            foreach (var gateway in after.Where(g => State(g) == "ready"))
            {
                Assert.True((await DockerEngine.InspectAsync(docker, Id(gateway)))?.State?.Running);
            }

            second.Signal(DemiurgeProcess.SigTerm);
            Assert.Equal(0, await second.WaitForExitAsync());
            // A clean stop leaves no container behind.
            foreach (var gatewayId in seen)
            {
                Assert.Null(await DockerEngine.InspectAsync(docker, gatewayId));
            }
        }
        finally
        {
            await DockerEngine.RemoveAsync(docker, seen);
        }
    }

    private static string Container(string gatewayId) => DockerDriver.ContainerName(gatewayId);

    private static string Id(JsonElement gateway) => gateway.GetProperty("gateway_id").GetString()!;

    private static string? State(JsonElement gateway) => gateway.GetProperty("state").GetString();

    private static HttpClient Client(Uri api)
    {
        var http = new HttpClient { BaseAddress = api };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    private static async Task<List<JsonElement>> WaitForAsync(HttpClient http, Func<List<JsonElement>, Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + s_deadline;
        while (DateTime.UtcNow < deadline)
        {
            var gateways = (await http.GetFromJsonAsync<JsonElement>("/gateways")).EnumerateArray().ToList();
            if (await condition(gateways))
            {
                return gateways;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The gateways did not reach the expected states.");
    }
}

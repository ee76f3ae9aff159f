using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Hosting;
using Demiurge.Security;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Security;

/// <summary>
/// <c>kill -9</c> of the control plane in the middle of a key rotation: every secret still opens,
/// the restarted leader finishes the rotation, and every value reads back.
/// </summary>
public sealed class KeyRotationCrashTests
{
    private const string Token = "rotation-admin-token-0123456789";
    private const int SigKill = 9;
    private const int Secrets = 1500;

    [Fact]
    public async Task KilledMidRotation_EverySecretStillOpens_AndTheRestartFinishesIt()
    {
        using var dataDir = new TempDirectory();
        string[] arguments =
        [
            "controlplane", "--data-dir", dataDir.Path, "--api-port", "0", "--admin-token", Token,
            "--pool-size", "0", "--pool-min-ready", "0", "--pool-max", "1", "--pool-ports", PortBlocks.Next(),
        ];
        var environment = TestStore.Environment(dataDir.Path);
        var values = new Dictionary<string, string>();
        string oldKey, newKey;
        await using (var first = DemiurgeProcess.Start(arguments, environment))
        {
            using var api = Client(new Uri(await first.WaitForOutputAsync("API:")));
            using var organization = await api.PostAsJsonAsync("/orgs", new { name = "Rotation" });
            var organizationId = (await organization.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organization_id").GetString();
            await Parallel.ForEachAsync(Enumerable.Range(0, Secrets), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                using var created = await api.PostAsJsonAsync($"/orgs/{organizationId}/secrets", new { name = $"SECRET_{i}", value = $"value of secret {i}" }, ct);
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                var secretId = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("secret_id").GetString()!;
                lock (values)
                {
                    values[secretId] = $"value of secret {i}";
                }
            });

            oldKey = (await api.GetFromJsonAsync<JsonElement>("/key-ring")).GetProperty("active_data_key_id").GetString()!;
            using var rotated = await api.PostAsync(new Uri("/key-ring/rotate", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.Accepted, rotated.StatusCode);
            newKey = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("active_data_key_id").GetString()!;

            // Kill once the rotation has moved some secrets and not yet all of them.
            await using var observer = await Observer.OpenAsync(dataDir.Path);
            IReadOnlyDictionary<string, long> counts;
            do
            {
                counts = await observer.Store.SecretCountByKeyAsync(CancellationToken.None);
            }
            while (counts.GetValueOrDefault(newKey) == 0);

            first.Signal(SigKill);
            await first.WaitForExitAsync();
            counts = await observer.Store.SecretCountByKeyAsync(CancellationToken.None);
            Assert.True(counts.GetValueOrDefault(oldKey) > 0, $"The rotation finished before the kill ({counts.GetValueOrDefault(newKey)} moved); the test proves nothing.");
            Assert.True(counts.GetValueOrDefault(newKey) > 0);

            // Half rotated: every secret opens, whichever key seals it.
            await observer.AssertEveryValueAsync(values);
        }

        await using var second = DemiurgeProcess.Start(arguments, environment);
        using var restarted = Client(new Uri(await second.WaitForOutputAsync("API:")));
        JsonElement ring = default;
        for (var i = 0; i < 300 && (i == 0 || ring.GetProperty("rotating").GetBoolean()); i++)
        {
            await Task.Delay(i == 0 ? 0 : 100);
            ring = await restarted.GetFromJsonAsync<JsonElement>("/key-ring");
        }

        Assert.False(ring.GetProperty("rotating").GetBoolean(), "The restarted control plane did not finish the rotation.");
        Assert.Equal(newKey, ring.GetProperty("active_data_key_id").GetString());
        var dataKeys = ring.GetProperty("keys").EnumerateArray().Where(k => k.GetProperty("purpose").GetString() == "data").ToList();
        Assert.Equal(Secrets, Assert.Single(dataKeys).GetProperty("secrets").GetInt64());
        await using (var observer = await Observer.OpenAsync(dataDir.Path))
        {
            await observer.AssertEveryValueAsync(values);
        }
    }

    private static HttpClient Client(Uri api)
    {
        var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    /// <summary>The same store and master key, opened in this process beside the control plane (never started: no API, no leader work).</summary>
    private sealed class Observer : IAsyncDisposable
    {
        private readonly ControlPlane _controlPlane;

        private Observer(ControlPlane controlPlane) => _controlPlane = controlPlane;

        public IKeyRingStore Store => _controlPlane.Services.GetRequiredService<IKeyRingStore>();

        public static async Task<Observer> OpenAsync(string dataDir)
        {
            var settings = ControlPlaneFixture.QuietSettings(dataDir);
            foreach (var (key, value) in TestStore.Settings(dataDir))
            {
                settings[key] = value;
            }

            var controlPlane = ControlPlane.Create(settings, environment: new Dictionary<string, string>());
            await controlPlane.Services.GetRequiredService<KeyRing>().LoadAsync(CancellationToken.None);
            return new Observer(controlPlane);
        }

        public async Task AssertEveryValueAsync(IReadOnlyDictionary<string, string> values)
        {
            var secrets = _controlPlane.Services.GetRequiredService<SecretService>();
            foreach (var (secretId, value) in values)
            {
                Assert.Equal(value, await secrets.RevealAsync(secretId, CancellationToken.None));
            }
        }

        public ValueTask DisposeAsync() => _controlPlane.DisposeAsync();
    }
}

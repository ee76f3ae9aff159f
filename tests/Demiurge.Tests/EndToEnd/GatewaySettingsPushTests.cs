using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Demiurge.Gateways;
using Demiurge.Hosting;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.EndToEnd;

/// <summary>
/// Changes of members, roles and projects reach the gateway serving the organization at once:
/// a real control plane, a real worker process, requests to the worker as users make them.
/// </summary>
public sealed class GatewaySettingsPushTests : IAsyncLifetime
{
    private const string AdminToken = "settings-push-admin-token-0123";
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan s_pushBound = TimeSpan.FromSeconds(1);

    private readonly TempDirectory _dataDir = new();
    private ControlPlane _controlPlane = null!;
    private HttpClient _admin = null!;

    public async ValueTask InitializeAsync()
    {
        var settings = ControlPlaneFixture.QuietSettings(_dataDir.Path);
        settings[Settings.AdminToken.ConfigurationKey] = AdminToken;
        settings[Settings.PoolSize.ConfigurationKey] = "1";
        settings[Settings.PoolMinReady.ConfigurationKey] = "0";
        settings[Settings.PoolMax.ConfigurationKey] = "1";
        settings[Settings.PoolCheckInterval.ConfigurationKey] = "300ms";
        settings[Settings.PoolPorts.ConfigurationKey] = PortBlocks.Next();
        settings[Settings.GatewayInactivityTimeout.ConfigurationKey] = "off";
        settings[Settings.GatewayAutosaveInterval.ConfigurationKey] = "1h";
        _controlPlane = ControlPlane.Create(settings, new Dictionary<string, string>());
        await _controlPlane.StartAsync(CancellationToken.None);
        _admin = Client(AdminToken);
        _admin.BaseAddress = _controlPlane.ApiUrl;
    }

    [Fact]
    public async Task MemberDemotedThenRemoved_ProjectDeleted_TheServingGatewayKnowsWithinASecond()
    {
        var alice = await CreateUserAsync("alice");
        var organizationId = await PostAsync<string>("/orgs", new { name = "Pushed" }, "organization_id");
        using (var added = await _admin.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = alice.UserId, role = "member" }))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }

        var projectId = await PostAsync<string>($"/orgs/{organizationId}/projects", new { name = "Plans" }, "project_id");
        var gateway = await StartGatewayAsync(organizationId);
        using var asAlice = Client(alice.Token);
        using var asAdmin = Client(AdminToken);
        Assert.Equal(HttpStatusCode.NoContent, await PutStateAsync(asAlice, gateway, projectId, "alice's draft"));

        // Demoted to viewer: she still reads, and her writes are refused once the change arrives.
        await PatchRoleAsync(organizationId, alice.UserId, "viewer");
        var demotedIn = await WithinAsync(async () => await PutStateAsync(asAlice, gateway, projectId, "alice's draft") == HttpStatusCode.Forbidden);
        Assert.True(demotedIn < s_pushBound, $"the demotion reached the gateway after {demotedIn.TotalMilliseconds} ms");
        Assert.Equal("alice's draft", await GetStateAsync(asAlice, gateway, projectId));

        // Removed: even reading is refused.
        using (var removed = await _admin.DeleteAsync($"/orgs/{organizationId}/members/{alice.UserId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        var removedIn = await WithinAsync(async () =>
        {
            using var read = await asAlice.GetAsync(new Uri($"{gateway}/projects/{projectId}/state"));
            return read.StatusCode == HttpStatusCode.Forbidden;
        });
        Assert.True(removedIn < s_pushBound, $"the removal reached the gateway after {removedIn.TotalMilliseconds} ms");

        // Deleted: the gateway answers 404 for it, forgets its document (unsaved as it was) and never pushes it back.
        using (var deleted = await _admin.DeleteAsync($"/orgs/{organizationId}/projects/{projectId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var deletedIn = await WithinAsync(async () =>
        {
            using var read = await asAdmin.GetAsync(new Uri($"{gateway}/projects/{projectId}/state"));
            return read.StatusCode == HttpStatusCode.NotFound;
        });
        Assert.True(deletedIn < s_pushBound, $"the deletion reached the gateway after {deletedIn.TotalMilliseconds} ms");
        var gatewayId = (await GatewaysAsync()).Single(g => g.GetProperty("organization_id").GetString() == organizationId).GetProperty("gateway_id").GetString();
        using (var release = await _admin.PostAsync(new Uri($"/gateways/{gatewayId}/release", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        }

        var stored = await _controlPlane.Services.GetRequiredService<IGatewayStore>().OrganizationDataGetAsync(organizationId, CancellationToken.None);
        Assert.DoesNotContain(projectId, stored.Projects.Keys);
    }

    private async Task<(string UserId, string Token)> CreateUserAsync(string username)
    {
        using var response = await _admin.PostAsJsonAsync("/users", new { username });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("user_id").GetString()!, body.GetProperty("token").GetString()!);
    }

    private async Task<T> PostAsync<T>(string path, object body, string property)
    {
        using var response = await _admin.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty(property).Deserialize<T>()!;
    }

    private async Task PatchRoleAsync(string organizationId, string userId, string role)
    {
        using var response = await _admin.PatchAsJsonAsync($"/orgs/{organizationId}/members/{userId}", new { role });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The organization's gateway address, once allocated.</summary>
    private async Task<string> StartGatewayAsync(string organizationId)
    {
        var deadline = DateTime.UtcNow + s_deadline;
        while (true)
        {
            using var response = await _admin.PostAsJsonAsync("/gateway/start", new { organization_id = organizationId });
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var gatewayId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("gateway_id").GetString();
                return (await GatewaysAsync()).Single(g => g.GetProperty("gateway_id").GetString() == gatewayId).GetProperty("address").GetString()!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"/gateway/start kept answering {(int)response.StatusCode}");
            await Task.Delay(100);
        }
    }

    private async Task<List<JsonElement>> GatewaysAsync() => [.. (await _admin.GetFromJsonAsync<JsonElement>("/gateways")).EnumerateArray()];

    private static async Task<HttpStatusCode> PutStateAsync(HttpClient user, string gateway, string projectId, string text)
    {
        using var response = await user.PutAsJsonAsync(new Uri($"{gateway}/projects/{projectId}/state"), new { state = Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) });
        return response.StatusCode;
    }

    private static async Task<string?> GetStateAsync(HttpClient user, string gateway, string projectId)
    {
        var body = await user.GetFromJsonAsync<JsonElement>(new Uri($"{gateway}/projects/{projectId}/state"));
        return body.GetProperty("state").GetString() is { } state ? Encoding.UTF8.GetString(Convert.FromBase64String(state)) : null;
    }

    /// <summary>How long until <paramref name="condition"/> holds, checked every 20 ms; fails after the test's deadline.</summary>
    private static async Task<TimeSpan> WithinAsync(Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < s_deadline, "the change never reached the gateway");
            await Task.Delay(20);
        }

        return watch.Elapsed;
    }

    private static HttpClient Client(string token)
    {
        var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        _admin?.Dispose();
        if (_controlPlane is not null)
        {
            await _controlPlane.StopAsync(CancellationToken.None);
            await _controlPlane.DisposeAsync();
        }

        _dataDir.Dispose();
    }
}

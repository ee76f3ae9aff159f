using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Gateways;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Gateways;

/// <summary>Data push and pull: merged per project, versioned, fenced by the allocation token, size-limited.</summary>
public sealed class GatewayDataTests : IAsyncLifetime
{
    // A fresh pool per test: the claim takes the longest-ready gateway, so workers must not carry over.
    private readonly PoolFixture _pool = new();

    public ValueTask InitializeAsync() => _pool.InitializeAsync();

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    // Projects of the organization that AllocateAsync creates: a push takes no other.
    private string _projectA = null!;
    private string _projectB = null!;

    [Fact]
    public async Task Pull_NewOrganization_ReturnsVersionZeroAndNoData()
    {
        var (worker, organizationId, _) = await AllocateAsync();

        using var pull = await worker.PostAsync(GatewayPaths.DataPull, new { organization_id = organizationId });

        var body = await pull.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, body.GetProperty("version").GetInt64());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task Push_SomeProjects_KeepsTheOthers()
    {
        var (worker, organizationId, _) = await AllocateAsync();
        await PushAsync(worker, organizationId, 0, new() { [_projectA] = "QQ==", [_projectB] = "Qg==" }, HttpStatusCode.OK);

        await PushAsync(worker, organizationId, 1, new() { [_projectA] = "QUE=" }, HttpStatusCode.OK);

        var data = await PullAsync(worker, organizationId);
        Assert.Equal(2, data.GetProperty("version").GetInt64());
        var projects = data.GetProperty("data").GetProperty("yjs_state");
        Assert.Equal("QUE=", projects.GetProperty(_projectA).GetString());
        Assert.Equal("Qg==", projects.GetProperty(_projectB).GetString());
    }

    [Fact]
    public async Task Push_GatewayState_IsReplacedOnlyWhenPresent()
    {
        var (worker, organizationId, _) = await AllocateAsync();
        using (var first = await worker.PostAsync(GatewayPaths.DataPush, new { organization_id = organizationId, version = 0, data = new { yjs_state = new Dictionary<string, string>(), gateway_state = new { permissions = new { a = 1 } } } }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await PushAsync(worker, organizationId, 1, new() { [_projectA] = "QQ==" }, HttpStatusCode.OK);

        var data = await PullAsync(worker, organizationId);
        Assert.Equal(1, data.GetProperty("data").GetProperty("gateway_state").GetProperty("permissions").GetProperty("a").GetInt32());
    }

    [Fact]
    public async Task Push_StaleVersion_Returns409AndChangesNothing()
    {
        var (worker, organizationId, _) = await AllocateAsync();
        await PushAsync(worker, organizationId, 0, new() { [_projectA] = "QQ==" }, HttpStatusCode.OK);

        var problem = await PushAsync(worker, organizationId, 0, new() { [_projectA] = "Wg==" }, HttpStatusCode.Conflict);

        Assert.Contains("version 1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, problem.GetProperty("current_version").GetInt64());
        Assert.Equal("QQ==", (await PullAsync(worker, organizationId)).GetProperty("data").GetProperty("yjs_state").GetProperty(_projectA).GetString());
    }

    [Fact]
    public async Task Push_AfterRelease_Returns401AndCannotOverwrite()
    {
        var (worker, organizationId, owner) = await AllocateAsync();
        await PushAsync(worker, organizationId, 0, new() { [_projectA] = "QQ==" }, HttpStatusCode.OK);
        var revokedToken = worker.AllocationToken;
        using (var stop = await worker.PostAsync(GatewayPaths.Stop, new { organization_id = organizationId }))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        var (next, _, _) = await _pool.AddReadyWorkerAsync();
        using (var again = await PoolFixture.StartGatewayAsync(owner.Client, organizationId))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        using var late = await worker.PostAsync(GatewayPaths.DataPush,
            new { organization_id = organizationId, version = 1, data = new { yjs_state = new Dictionary<string, string> { [_projectA] = "RVZJTA==" } } }, revokedToken);

        await Problems.AssertProblemAsync(late, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("QQ==", (await PullAsync(next, organizationId)).GetProperty("data").GetProperty("yjs_state").GetProperty(_projectA).GetString());
    }

    [Fact]
    public async Task Push_OtherOrganizationWithMyToken_Returns401()
    {
        var (worker, _, _) = await AllocateAsync();
        var (_, otherOrganization) = await _pool.NewOrganizationAsync();

        using var response = await worker.PostAsync(GatewayPaths.DataPush, new { organization_id = otherOrganization, version = 0, data = new { yjs_state = new Dictionary<string, string>() } });

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Push_OverTheSizeLimit_Returns413()
    {
        var (worker, organizationId, _) = await AllocateAsync();
        var huge = Convert.ToBase64String(new byte[DataPushRequest.MaxBytes]);

        using var response = await worker.PostAsync(GatewayPaths.DataPush,
            new { organization_id = organizationId, version = 0, data = new { yjs_state = new Dictionary<string, string> { [_projectA] = huge } } }, expectContinue: true);

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "too-large");
        Assert.Equal(0, (await PullAsync(worker, organizationId)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Push_LargerThanTheApiLimitButUnderThePushLimit_IsStored()
    {
        var (worker, organizationId, _) = await AllocateAsync();
        var large = Convert.ToBase64String(new byte[1024 * 1024]);

        await PushAsync(worker, organizationId, 0, new() { [_projectA] = large }, HttpStatusCode.OK);

        Assert.Equal(large, (await PullAsync(worker, organizationId)).GetProperty("data").GetProperty("yjs_state").GetProperty(_projectA).GetString());
    }

    [Theory]
    [InlineData("not-a-uuid", "QQ==")]
    [InlineData("00000000-0000-0000-0000-000000000001", "not base64!")]
    public async Task Push_InvalidProjectData_Returns400(string project, string content)
    {
        var (worker, organizationId, _) = await AllocateAsync();

        using var response = await worker.PostAsync(GatewayPaths.DataPush, new { organization_id = organizationId, version = 0, data = new { yjs_state = new Dictionary<string, string> { [project] = content } } });

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task Push_YjsUpdates_AppendedAndPulledMerged_CompactedAtStop_NotAnUpdateReturns400()
    {
        var (worker, organizationId, _) = await AllocateAsync();
        var (first, second) = (TestYjsUpdates.Text(5, 0, "ab"), TestYjsUpdates.Text(5, 2, "cd"));
        var merged = Convert.ToBase64String(Demiurge.Yjs.YUpdate.Merge([first, second]));

        using (var notAnUpdate = await worker.PostAsync(GatewayPaths.DataPush, new { organization_id = organizationId, version = 0, data = new { yjs_updates = new Dictionary<string, string> { [_projectA] = "QUJD" } } }))
        {
            await Problems.AssertProblemAsync(notAnUpdate, HttpStatusCode.BadRequest, "validation");
        }

        foreach (var (update, version) in new[] { (first, 0), (second, 1) })
        {
            using var pushed = await worker.PostAsync(GatewayPaths.DataPush, new { organization_id = organizationId, version, data = new { yjs_updates = new Dictionary<string, string> { [_projectA] = Convert.ToBase64String(update) } } });
            Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        }

        var data = await PullAsync(worker, organizationId);
        Assert.Equal((2, merged), (data.GetProperty("version").GetInt64(), data.GetProperty("data").GetProperty("yjs_state").GetProperty(_projectA).GetString()));
        using (var stop = await worker.PostAsync(GatewayPaths.Stop, new { organization_id = organizationId }))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        // Compacted at the stop: nothing is left to merge.
        Assert.Equal(0, await _pool.Store.OrganizationDataCompactAsync(organizationId, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(merged, (await _pool.Store.OrganizationDataGetAsync(organizationId, CancellationToken.None)).Projects[_projectA]);
    }

    [Fact]
    public async Task Push_ProjectNotTheOrganizations_Returns422WithItsIdAndStoresNothing()
    {
        var (worker, organizationId, _) = await AllocateAsync();
        var (otherOwner, otherOrganization) = await _pool.NewOrganizationAsync();
        var foreign = await CreateProjectAsync(otherOwner.Client, otherOrganization, "theirs");
        var unknown = Guid.NewGuid().ToString();

        var problem = await PushAsync(worker, organizationId, 0, new() { [_projectA] = "QQ==", [foreign] = "Qg==", [unknown] = "Qw==" }, HttpStatusCode.UnprocessableEntity);

        Assert.Equal("urn:demiurge:problem:unknown-project", problem.GetProperty("type").GetString());
        Assert.Equal(new[] { foreign, unknown }.Order(StringComparer.Ordinal), problem.GetProperty("project_ids").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(0, (await PullAsync(worker, organizationId)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Push_OverTheOrganizationsQuota_Returns413ProblemAndStoresNothing_SystemAdminRaisesIt()
    {
        var (worker, organizationId, owner) = await AllocateAsync();
        using (var byOwner = await owner.Client.PatchAsJsonAsync($"/orgs/{organizationId}", new { storage_quota_bytes = 1 << 30 }))
        {
            await Problems.AssertProblemAsync(byOwner, HttpStatusCode.Forbidden, "forbidden");
        }

        using (var byAdmin = await _pool.Api.Admin.PatchAsJsonAsync($"/orgs/{organizationId}", new { storage_quota_bytes = 100 }))
        {
            Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
            Assert.Equal(100, (await byAdmin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("storage_quota_bytes").GetInt64());
        }

        await PushAsync(worker, organizationId, 0, new() { [_projectA] = new string('A', 60) }, HttpStatusCode.OK);

        var problem = await PushAsync(worker, organizationId, 1, new() { [_projectB] = new string('B', 60) }, HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal("urn:demiurge:problem:storage-quota-exceeded", problem.GetProperty("type").GetString());
        Assert.Equal(100, problem.GetProperty("quota_bytes").GetInt64());
        Assert.Equal(60, problem.GetProperty("used_bytes").GetInt64());
        var data = await PullAsync(worker, organizationId);
        Assert.Equal(1, data.GetProperty("version").GetInt64());
        Assert.False(data.GetProperty("data").GetProperty("yjs_state").TryGetProperty(_projectB, out _));
        // Replacing a document with one no larger passes, even at the quota.
        await PushAsync(worker, organizationId, 1, new() { [_projectA] = new string('C', 60) }, HttpStatusCode.OK);
        var events = await _pool.Api.Admin.GetFromJsonAsync<JsonElement>("/events?limit=1000");
        Assert.Single(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == "organization.updated"
            && e.GetProperty("organization_id").GetString() == organizationId && e.GetProperty("detail").GetString() == "storage_quota_bytes=100");
    }

    [Fact]
    public async Task Config_StorageQuota_TheDefaultOrTheOrganizationsOwn()
    {
        var (worker, organizationId, owner) = await AllocateAsync();
        Assert.Equal(256L * 1024 * 1024, worker.Config!.Value.GetProperty("storage_quota_bytes").GetInt64());
        using (await worker.PostAsync(GatewayPaths.Stop, new { organization_id = organizationId }))
        {
        }

        using (var patch = await _pool.Api.Admin.PatchAsJsonAsync($"/orgs/{organizationId}", new { storage_quota_bytes = 12345 }))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        var (next, _, _) = await _pool.AddReadyWorkerAsync();
        using (var again = await PoolFixture.StartGatewayAsync(owner.Client, organizationId))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Equal(12345, next.Config!.Value.GetProperty("storage_quota_bytes").GetInt64());
        Assert.Equal(new[] { _projectA, _projectB }.Order(StringComparer.Ordinal), next.Config!.Value.GetProperty("projects").EnumerateArray().Select(p => p.GetProperty("project_id").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Stop_Twice_IsIdempotentAndRevokesTheToken()
    {
        var (worker, organizationId, _) = await AllocateAsync();

        using var first = await worker.PostAsync(GatewayPaths.Stop, new { organization_id = organizationId });
        using var second = await worker.PostAsync(GatewayPaths.Stop, new { organization_id = organizationId });
        using var pull = await worker.PostAsync(GatewayPaths.DataPull, new { organization_id = organizationId });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await Problems.AssertProblemAsync(pull, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Null(await _pool.Store.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None));
        Assert.Empty(_pool.Resolve($"org-{organizationId}.demiurge.localhost"));
        Assert.Empty(_pool.Resolve($"uc-1.org-{organizationId}.demiurge.localhost"));
        Assert.Null(_pool.EdgeRoute(organizationId));
    }

    [Fact]
    public async Task Stop_ThenReady_ReturnsTheSameGatewayToThePool()
    {
        var (worker, gatewayId, token) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        using (await PoolFixture.StartGatewayAsync(owner.Client, organizationId))
        {
        }

        using (await worker.PostAsync(GatewayPaths.Stop, new { organization_id = organizationId }))
        {
        }

        Assert.Equal(GatewayState.Releasing, (await _pool.Store.GatewayGetAsync(gatewayId, CancellationToken.None))!.State);
        using var ready = await worker.PostAsync(GatewayPaths.Ready, new { gateway_id = gatewayId }, token);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(GatewayState.Ready, (await _pool.Store.GatewayGetAsync(gatewayId, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Ready_WrongToken_Returns401()
    {
        var (worker, gatewayId, _) = await _pool.AddReadyWorkerAsync();

        using var response = await worker.PostAsync(GatewayPaths.Ready, new { gateway_id = gatewayId }, "dmg_wrong");

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task DeleteData_AdminOnlyAudited_AndRefusedWhileAllocated()
    {
        var (worker, organizationId, owner) = await AllocateAsync();
        await PushAsync(worker, organizationId, 0, new() { [_projectA] = "QQ==" }, HttpStatusCode.OK);

        using var byOwner = await owner.Client.DeleteAsync($"/gateway/data/{organizationId}");
        using var whileAllocated = await _pool.Api.Admin.DeleteAsync($"/gateway/data/{organizationId}");
        using (await worker.PostAsync(GatewayPaths.Stop, new { organization_id = organizationId }))
        {
        }

        using var deleted = await _pool.Api.Admin.DeleteAsync($"/gateway/data/{organizationId}");
        using var again = await _pool.Api.Admin.DeleteAsync($"/gateway/data/{organizationId}");

        await Problems.AssertProblemAsync(byOwner, HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(whileAllocated, HttpStatusCode.Conflict, "conflict");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Problems.AssertProblemAsync(again, HttpStatusCode.NotFound, "not-found");
        var events = await _pool.Api.Admin.GetFromJsonAsync<JsonElement>("/events?limit=1000");
        Assert.Single(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == GatewayEventKinds.DataDeleted && e.GetProperty("organization_id").GetString() == organizationId);
    }

    [Fact]
    public async Task ListAndStats_ShowGatewaysWithTheirOrganizations()
    {
        var (_, organizationId, _) = await AllocateAsync();

        var gateways = await _pool.Api.Admin.GetFromJsonAsync<JsonElement>("/gateways");
        var stats = await _pool.Api.Admin.GetFromJsonAsync<JsonElement>("/gateways/stats");

        var mine = Assert.Single(gateways.EnumerateArray(), g => g.GetProperty("organization_id").GetString() == organizationId);
        Assert.Equal("allocated", mine.GetProperty("state").GetString());
        Assert.True(mine.GetProperty("port").GetInt32() > 0);
        Assert.True(stats.GetProperty("by_state").GetProperty("allocated").GetInt32() >= 1);
        Assert.True(stats.GetProperty("allocations").GetInt32() >= 1);
    }

    private async Task<(TestWorker Worker, string OrganizationId, TestUser Owner)> AllocateAsync()
    {
        var (worker, _, _) = await _pool.AddReadyWorkerAsync();
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        (_projectA, _projectB) = (await CreateProjectAsync(owner.Client, organizationId, "a"), await CreateProjectAsync(owner.Client, organizationId, "b"));
        using var response = await PoolFixture.StartGatewayAsync(owner.Client, organizationId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (worker, organizationId, owner);
    }

    private static async Task<string> CreateProjectAsync(HttpClient client, string organizationId, string name)
    {
        using var response = await client.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("project_id").GetString()!;
    }

    private static async Task<JsonElement> PushAsync(TestWorker worker, string organizationId, long version, Dictionary<string, string> projects, HttpStatusCode expected)
    {
        using var response = await worker.PostAsync(GatewayPaths.DataPush, new { organization_id = organizationId, version, data = new { yjs_state = projects } });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(expected == response.StatusCode, body.ToString());
        return body;
    }

    private static async Task<JsonElement> PullAsync(TestWorker worker, string organizationId)
    {
        using var response = await worker.PostAsync(GatewayPaths.DataPull, new { organization_id = organizationId });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

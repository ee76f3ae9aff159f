using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>The worker serving project documents: size limits, quota, live settings, invalid input.</summary>
public sealed partial class GatewayWorkerTests
{
    [Fact]
    public async Task PutProjectState_BodyOver4MiB_Returns413Problem()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await gateway.ServeAsync(NewOrganization());
        var huge = Convert.ToBase64String(new byte[4 * 1024 * 1024]);

        // With a Content-Length, as browsers and most clients send it.
        using var response = await gateway.Http.SendAsync(gateway.AsMember(HttpMethod.Put, $"/projects/{ProjectA}/state",
            new StringContent("{\"state\":\"" + huge + "\"}", Encoding.UTF8, "application/json")));
        using var container = await gateway.Http.SendAsync(gateway.AsMember(HttpMethod.Post, "/containers",
            new StringContent("{\"redirect_uris\":[\"" + new string('x', 1024 * 1024) + "\"]}", Encoding.UTF8, "application/json")));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "too-large");
        Assert.Contains("4194304", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Problems.AssertProblemAsync(container, HttpStatusCode.RequestEntityTooLarge, "too-large");
        Assert.Null(await gateway.GetStateAsync(ProjectA)); // nothing written
    }

    [Fact]
    public async Task PutProjectState_ChunkedBodyOver4MiB_Returns413NamingTheGatewaysLimit()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await gateway.ServeAsync(NewOrganization());

        using var response = await gateway.PutStateAsync(ProjectA, Convert.ToBase64String(new byte[4 * 1024 * 1024]));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "too-large");
        Assert.Contains("4194304", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CollabConfig_LowerStorageQuota_TheNextWriteOverItIs413AndChangesNothing()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var grant = await gateway.ServeAsync(NewOrganization());
        (await gateway.PutStateAsync(ProjectA, "QUFB")).EnsureSuccessStatusCode();
        var owner = gateway.ControlPlane.DefaultMember;

        using var applied = await gateway.Http.SendAsync(await gateway.AsControlPlaneAsync(HttpMethod.Put, "/collab/config", JsonContent.Create(new
        {
            organization_id = grant.OrganizationId, settings_revision = 7, organization_name = "Quota",
            members = new[] { new { user_id = owner.UserId, username = owner.Username, role = "owner" } },
            projects = new[] { new { project_id = ProjectA, name = "A" }, new { project_id = ProjectB, name = "B" } },
            storage_quota_bytes = 16,
        })));
        Assert.True((await applied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applied").GetBoolean());

        using var over = await gateway.PutStateAsync(ProjectB, "QUFBQUFBQUFBQUFBQUFBQQ==");

        var problem = await Problems.AssertProblemAsync(over, HttpStatusCode.RequestEntityTooLarge, "storage-quota-exceeded");
        Assert.Equal(16, problem.GetProperty("quota_bytes").GetInt64());
        Assert.Null(await gateway.GetStateAsync(ProjectB));
        Assert.Equal("QUFB", await gateway.GetStateAsync(ProjectA));
    }

    [Fact]
    public async Task CollabConfig_NewerRevisionReplacesMembersAtOnce_OlderIsIgnored_OnlyTheControlPlaneMaySend()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var grant = await gateway.ServeAsync(NewOrganization());
        var viewer = gateway.ControlPlane.AddUser("victor");
        object Config(long revision, params (FakeUser User, string Role)[] members) => new
        {
            organization_id = grant.OrganizationId, settings_revision = revision, organization_name = "Renamed",
            members = members.Select(m => new { user_id = m.User.UserId, username = m.User.Username, role = m.Role }),
            projects = new[] { new { project_id = ProjectA, name = "A" } },
            storage_quota_bytes = 256L * 1024 * 1024,
        };

        using var anonymous = await gateway.Http.PutAsJsonAsync("/collab/config", Config(9, (viewer, "owner")));
        using var invalid = await gateway.Http.SendAsync(await gateway.AsControlPlaneAsync(HttpMethod.Put, "/collab/config", JsonContent.Create(Config(9, (viewer, "superuser")))));
        using var applied = await gateway.Http.SendAsync(await gateway.AsControlPlaneAsync(HttpMethod.Put, "/collab/config",
            JsonContent.Create(Config(5, (viewer, "viewer")))));
        using var stale = await gateway.Http.SendAsync(await gateway.AsControlPlaneAsync(HttpMethod.Put, "/collab/config",
            JsonContent.Create(Config(4, (gateway.ControlPlane.DefaultMember, "owner"), (viewer, "owner")))));

        await Problems.AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized, "unauthorized");
        await Problems.AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "validation");
        Assert.True((await applied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applied").GetBoolean());
        var staleAnswer = await stale.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(staleAnswer.GetProperty("applied").GetBoolean());
        Assert.Equal(5, staleAnswer.GetProperty("settings_revision").GetInt64());
        Assert.Equal(5, (await gateway.PingAsync()).GetProperty("settings_revision").GetInt64());
        using var removedRead = await gateway.Http.SendAsync(gateway.AsMember(HttpMethod.Get, $"/projects/{ProjectA}/state"));
        await Problems.AssertProblemAsync(removedRead, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(gateway, viewer)).StatusCode);
        using var viewerWrite = await gateway.PutStateAsync(ProjectA, "AQ==", viewer);
        await Problems.AssertProblemAsync(viewerWrite, HttpStatusCode.Forbidden, "forbidden");
        using var viewerContainer = await gateway.Http.SendAsync(AsUser(viewer, HttpMethod.Post, "/containers",
            JsonContent.Create(new { container_id = Guid.NewGuid(), redirect_uris = new[] { $"https://uc-x.org-{grant.OrganizationId}.demiurge.localhost/cb" } })));
        await Problems.AssertProblemAsync(viewerContainer, HttpStatusCode.Forbidden, "forbidden");
    }

    private static Task<HttpResponseMessage> ReadAsync(GatewayHarness gateway, FakeUser user) =>
        gateway.Http.SendAsync(AsUser(user, HttpMethod.Get, $"/projects/{ProjectA}/state"));

    private static HttpRequestMessage AsUser(FakeUser user, HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", user.Token);
        return request;
    }

    [Fact]
    public async Task ProjectState_WhenIdle_Returns409()
    {
        await using var gateway = await GatewayHarness.StartAsync();

        using var read = await gateway.Http.SendAsync(gateway.AsMember(HttpMethod.Get, $"/projects/{ProjectA}/state"));
        using var write = await gateway.PutStateAsync(ProjectA, Doc("x"));

        await Problems.AssertProblemAsync(read, HttpStatusCode.Conflict, "conflict");
        await Problems.AssertProblemAsync(write, HttpStatusCode.Conflict, "conflict");
    }

    [Theory]
    [InlineData("not-a-uuid", "\"c3RhdGU=\"", "project_id")]
    [InlineData(ProjectA, "\"not base64!\"", "state")]
    [InlineData(ProjectA, "null", "state")]
    public async Task PutProjectState_InvalidInput_Returns400AndChangesNothing(string projectId, string stateJson, string field)
    {
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.ServeAsync(NewOrganization());

        using var content = new StringContent($$"""{"state": {{stateJson}}}""", Encoding.UTF8, "application/json");
        using var response = await gateway.Http.SendAsync(gateway.AsMember(HttpMethod.Put, $"/projects/{projectId}/state", content));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.False((await gateway.ActivityAsync()).GetProperty("dirty").GetBoolean());
    }

    [Fact]
    public async Task PutProjectState_UnknownField_Returns400()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.ServeAsync(NewOrganization());

        using var response = await gateway.Http.SendAsync(gateway.AsMember(HttpMethod.Put, $"/projects/{ProjectA}/state", JsonContent.Create(new { state = Doc("a"), extra = 1 })));

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed");
    }

    [Fact]
    public async Task PutProjectState_Autosave_PushesOnlyUnsavedProjectsWithTheLastVersion()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var organizationId = NewOrganization();
        gateway.ControlPlane.SetData(organizationId, 3, new Dictionary<string, string> { [ProjectA] = Doc("alpha"), [ProjectB] = Doc("beta") });
        var grant = await gateway.ServeAsync(organizationId);

        using (var put = await gateway.PutStateAsync(ProjectC, Doc("gamma")))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        Assert.True((await gateway.ActivityAsync()).GetProperty("dirty").GetBoolean());
        await gateway.TickAsync();

        var push = Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPush));
        Assert.Equal(grant.AllocationToken, push.Bearer);
        Assert.Equal(organizationId, push.Body.GetProperty("organization_id").GetString());
        Assert.Equal(3, push.Body.GetProperty("version").GetInt64());
        Assert.Equal([ProjectC], Projects(push));
        Assert.Equal(Doc("gamma"), push.Body.GetProperty("data").GetProperty("yjs_state").GetProperty(ProjectC).GetString());
        var activity = await gateway.ActivityAsync();
        Assert.False(activity.GetProperty("dirty").GetBoolean());
        Assert.Equal(4, activity.GetProperty("data_version").GetInt64());
        Assert.Equal(JsonValueKind.String, activity.GetProperty("last_push_at").ValueKind);
        Assert.Equal([ProjectA, ProjectB, ProjectC], gateway.ControlPlane.Data(organizationId)!.Projects.Keys.Order());

        // The next push carries the version the last one returned.
        using (await gateway.PutStateAsync(ProjectA, Doc("alpha 2")))
        {
        }

        await gateway.TickAsync();
        var second = gateway.ControlPlane.Calls(GatewayPaths.DataPush)[1];
        Assert.Equal(200, second.Status);
        Assert.Equal(4, second.Body.GetProperty("version").GetInt64());
        Assert.Equal([ProjectA], Projects(second));

        // Nothing unsaved, nothing pushed.
        await gateway.TickAsync(3);
        Assert.Equal(2, gateway.ControlPlane.Calls(GatewayPaths.DataPush).Count);
    }
}

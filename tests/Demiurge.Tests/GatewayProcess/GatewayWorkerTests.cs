using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>
/// The gateway worker in this process against a fake control plane, with its clock moved by the
/// test: handshake, autosave, inactivity release, revocation and stale writes.
/// </summary>
public sealed class GatewayWorkerTests
{
    private const string ProjectA = GatewayHarness.ProjectA;
    private const string ProjectB = GatewayHarness.ProjectB;
    private const string ProjectC = GatewayHarness.ProjectC;

    [Fact]
    public async Task Start_AnnouncesReady_WithGatewayTokenAndId()
    {
        await using var gateway = await GatewayHarness.StartAsync();

        var ready = Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Ready));
        Assert.Equal(gateway.ControlPlane.GatewayToken, ready.Bearer);
        Assert.Equal(GatewayHarness.GatewayId, ready.Body.GetProperty("gateway_id").GetString());
        Assert.Equal(200, ready.Status);
        var ping = await gateway.PingAsync();
        Assert.Equal(GatewayHarness.GatewayId, ping.GetProperty("gateway_id").GetString());
        Assert.Equal("idle", ping.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, ping.GetProperty("organization_id").ValueKind);
        Assert.Equal(JsonValueKind.Null, ping.GetProperty("allocation_id").ValueKind);
    }

    [Fact]
    public async Task Ready_ControlPlaneFailing_RetriesWithDoublingBackoffUntilAccepted()
    {
        await using var gateway = await GatewayHarness.StartAsync(arrange: cp => cp.FailNext(GatewayPaths.Ready, 503, times: 2));

        await PumpClockUntilAsync(gateway, () => gateway.ControlPlane.Calls(GatewayPaths.Ready).Count >= 3);
        await PumpClockAsync(gateway, TimeSpan.FromSeconds(10));

        var calls = gateway.ControlPlane.Calls(GatewayPaths.Ready);
        Assert.Equal([503, 503, 200], calls.Select(c => c.Status));
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(200), $"first retry after {calls[1].At - calls[0].At}");
        Assert.True(calls[2].At - calls[1].At >= TimeSpan.FromMilliseconds(400), $"second retry after {calls[2].At - calls[1].At}");
    }

    [Fact]
    public async Task Ready_ShutdownWhileRetrying_StopsRetrying()
    {
        await using var gateway = await GatewayHarness.StartAsync(arrange: cp => cp.FailAlways(GatewayPaths.Ready, 503));
        await PumpClockUntilAsync(gateway, () => gateway.ControlPlane.Calls(GatewayPaths.Ready).Count >= 2);

        await gateway.Host.StopAsync(CancellationToken.None);
        var count = gateway.ControlPlane.Calls(GatewayPaths.Ready).Count;
        await PumpClockAsync(gateway, TimeSpan.FromSeconds(20));

        Assert.Equal(count, gateway.ControlPlane.Calls(GatewayPaths.Ready).Count);
    }

    [Fact]
    public async Task CollabStart_ValidToken_ConfigThenPullThenServing()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var organizationId = NewOrganization();
        gateway.ControlPlane.SetData(organizationId, 3, new Dictionary<string, string> { [ProjectA] = Doc("alpha"), [ProjectB] = Doc("beta") });
        var grant = gateway.ControlPlane.Grant(organizationId, GatewayHarness.GatewayId, projects: [ProjectA, ProjectB, ProjectC]);

        using var response = await gateway.StartAsync(grant.HandshakeToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(grant.AllocationId, body.GetProperty("allocation_id").GetString());
        Assert.Equal(organizationId, body.GetProperty("organization_id").GetString());
        var calls = gateway.ControlPlane.Calls().Select(c => c.Path).ToList();
        Assert.Equal([GatewayPaths.Ready, GatewayPaths.Config, GatewayPaths.DataPull], calls);
        var config = Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Config));
        Assert.Equal(grant.HandshakeToken, config.Body.GetProperty("handshake_token").GetString());
        Assert.Null(config.Bearer);
        var pull = Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPull));
        Assert.Equal(grant.AllocationToken, pull.Bearer);
        Assert.Equal(organizationId, pull.Body.GetProperty("organization_id").GetString());

        var ping = await gateway.PingAsync();
        Assert.Equal("serving", ping.GetProperty("state").GetString());
        Assert.Equal(organizationId, ping.GetProperty("organization_id").GetString());
        Assert.Equal(grant.AllocationId, ping.GetProperty("allocation_id").GetString());
        Assert.Equal(Doc("alpha"), await gateway.GetStateAsync(ProjectA));
        Assert.Null(await gateway.GetStateAsync(ProjectC));
        var activity = await gateway.ActivityAsync();
        Assert.Equal(3, activity.GetProperty("data_version").GetInt64());
        Assert.False(activity.GetProperty("dirty").GetBoolean());
    }

    [Fact]
    public async Task CollabStart_SameTokenRepeated_OneConfigCallAndTheSameAnswer()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var grant = gateway.ControlPlane.Grant(NewOrganization(), GatewayHarness.GatewayId);
        var gate = gateway.ControlPlane.HoldConfig();

        var first = gateway.StartAsync(grant.HandshakeToken);
        await WaitForStateAsync(gateway, "handshaking");
        var repeats = Enumerable.Range(0, 3).Select(_ => gateway.StartAsync(grant.HandshakeToken)).ToList();
        await Task.Delay(100); // let the repeats reach the gateway while it is still handshaking
        gate.SetResult();
        var answers = new List<string>();
        foreach (var start in repeats.Prepend(first))
        {
            using var response = await start;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        using var later = await gateway.StartAsync(grant.HandshakeToken);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        answers.Add(await later.Content.ReadAsStringAsync());

        Assert.Single(answers.Distinct());
        Assert.Contains(grant.AllocationId, answers[0], StringComparison.Ordinal);
        Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Config));
        Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPull));
    }

    [Fact]
    public async Task CollabStart_DifferentTokenWhileHandshaking_Returns409()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var first = gateway.ControlPlane.Grant(NewOrganization(), GatewayHarness.GatewayId);
        var second = gateway.ControlPlane.Grant(NewOrganization(), GatewayHarness.GatewayId);
        var gate = gateway.ControlPlane.HoldConfig();
        var firstStart = gateway.StartAsync(first.HandshakeToken);
        await WaitForStateAsync(gateway, "handshaking");

        using (var conflict = await gateway.StartAsync(second.HandshakeToken))
        {
            await Problems.AssertProblemAsync(conflict, HttpStatusCode.Conflict, "conflict");
        }

        gate.SetResult();
        using var served = await firstStart;
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(first.OrganizationId, (await gateway.PingAsync()).GetProperty("organization_id").GetString());
        var config = Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Config));
        Assert.Equal(first.HandshakeToken, config.Body.GetProperty("handshake_token").GetString());
    }

    [Fact]
    public async Task CollabStart_DifferentTokenWhileServing_Returns409AndKeepsServing()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var first = await gateway.ServeAsync(NewOrganization());
        var second = gateway.ControlPlane.Grant(NewOrganization(), GatewayHarness.GatewayId);

        using var conflict = await gateway.StartAsync(second.HandshakeToken);

        var problem = await Problems.AssertProblemAsync(conflict, HttpStatusCode.Conflict, "conflict");
        Assert.Contains(first.AllocationId, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var ping = await gateway.PingAsync();
        Assert.Equal("serving", ping.GetProperty("state").GetString());
        Assert.Equal(first.OrganizationId, ping.GetProperty("organization_id").GetString());
        Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Config));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(500)]
    public async Task CollabStart_ConfigFails_Returns502AndGoesBackToIdle(int status)
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var refused = gateway.ControlPlane.Grant(NewOrganization(), GatewayHarness.GatewayId);
        gateway.ControlPlane.FailNext(GatewayPaths.Config, status);

        using (var response = await gateway.StartAsync(refused.HandshakeToken))
        {
            var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "handshake-failed");
            Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal("idle", (await gateway.PingAsync()).GetProperty("state").GetString());
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.DataPull));
        // Idle for real: back in the pool, and the next organization is served.
        await gateway.ControlPlane.WaitForCallAsync(GatewayPaths.Ready, count: 2);
        var next = await gateway.ServeAsync(NewOrganization());
        Assert.Equal(next.OrganizationId, (await gateway.PingAsync()).GetProperty("organization_id").GetString());
    }

    [Fact]
    public async Task CollabStart_UnknownToken_Returns502AndStaysIdle()
    {
        await using var gateway = await GatewayHarness.StartAsync();

        using var response = await gateway.StartAsync("hs_never-issued");

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "handshake-failed");
        Assert.Equal(401, Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Config)).Status);
        Assert.Equal("idle", (await gateway.PingAsync()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task CollabStart_PullFails_Returns502AndGoesBackToIdle()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var grant = gateway.ControlPlane.Grant(NewOrganization(), GatewayHarness.GatewayId);
        gateway.ControlPlane.FailNext(GatewayPaths.DataPull, 500);

        using var response = await gateway.StartAsync(grant.HandshakeToken);

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "handshake-failed");
        Assert.Equal("idle", (await gateway.PingAsync()).GetProperty("state").GetString());
        using var read = await gateway.Http.SendAsync(gateway.AsMember(HttpMethod.Get, $"/projects/{ProjectA}/state"));
        await Problems.AssertProblemAsync(read, HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task CollabStart_MissingToken_Returns400()
    {
        await using var gateway = await GatewayHarness.StartAsync();

        using var response = await gateway.Http.SendAsync(await gateway.SignedAsync(new HttpRequestMessage(HttpMethod.Post, "/collab/start") { Content = JsonContent.Create(new { }) }));

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Config));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-control-credential")]
    public async Task CollabStart_WithoutControlCredential_Returns401AndStaysIdle(string? credential)
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var grant = gateway.ControlPlane.Grant(NewOrganization(), GatewayHarness.GatewayId);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/collab/start") { Content = JsonContent.Create(new { handshake_token = grant.HandshakeToken }) };
        if (credential is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", credential);
        }

        using var response = await gateway.Http.SendAsync(request);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Config));
        Assert.Equal("idle", (await gateway.PingAsync()).GetProperty("state").GetString());
    }

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

    [Fact]
    public async Task Ticks_DoNotRearmInactivity_ReleaseHappensAtTheDeadline()
    {
        await using var gateway = await GatewayHarness.StartAsync(autosave: TimeSpan.FromSeconds(1), inactivity: TimeSpan.FromSeconds(10));
        var grant = await gateway.ServeAsync(NewOrganization());
        using (await gateway.PutStateAsync(ProjectA, Doc("a")))
        {
        }

        var releaseAt = (await gateway.ActivityAsync()).GetProperty("release_at").GetDateTimeOffset();
        Assert.Equal(gateway.Time.GetUtcNow() + TimeSpan.FromSeconds(10), releaseAt);
        // Autosave fails three times, so it pushes on four ticks; none of that is user activity.
        gateway.ControlPlane.FailNext(GatewayPaths.DataPush, 503, times: 3);

        for (var second = 1; second < 10; second++)
        {
            await gateway.TickAsync();
            var ping = await gateway.PingAsync();
            var activity = await gateway.ActivityAsync();
            Assert.Equal("serving", ping.GetProperty("state").GetString());
            Assert.Equal(releaseAt, activity.GetProperty("release_at").GetDateTimeOffset());
        }

        Assert.Equal([503, 503, 503, 200], gateway.ControlPlane.Calls(GatewayPaths.DataPush).Select(c => c.Status));
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Stop));

        await gateway.TickAsync();

        var stop = Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Stop));
        Assert.Equal(releaseAt, stop.At);
        Assert.Equal(grant.AllocationToken, stop.Bearer);
        Assert.Equal("idle", (await gateway.PingAsync()).GetProperty("state").GetString());
        Assert.Equal(4, gateway.ControlPlane.Calls(GatewayPaths.DataPush).Count); // clean: no final push needed
    }

    [Fact]
    public async Task UserActivity_RearmsTheInactivityDeadline()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivity: TimeSpan.FromSeconds(10));
        await gateway.ServeAsync(NewOrganization());
        var servedAt = gateway.Time.GetUtcNow();

        await gateway.TickAsync(5);
        await gateway.GetStateAsync(ProjectA);
        Assert.Equal(servedAt + TimeSpan.FromSeconds(15), (await gateway.ActivityAsync()).GetProperty("release_at").GetDateTimeOffset());
        await gateway.TickAsync(5);
        Assert.Equal("serving", (await gateway.PingAsync()).GetProperty("state").GetString());
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Stop));

        await gateway.TickAsync(5);

        Assert.Equal(servedAt + TimeSpan.FromSeconds(15), Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Stop)).At);
    }

    [Fact]
    public async Task Inactivity_FinalPushStopAndReady_ThenServesTheNextOrganizationWithoutRestart()
    {
        await using var gateway = await GatewayHarness.StartAsync(autosave: TimeSpan.FromHours(1), inactivity: TimeSpan.FromSeconds(3));
        var first = NewOrganization();
        gateway.ControlPlane.SetData(first, 2, new Dictionary<string, string> { [ProjectA] = Doc("first a") });
        var firstGrant = await gateway.ServeAsync(first);
        using (await gateway.PutStateAsync(ProjectB, Doc("first b")))
        {
        }

        var callsBefore = gateway.ControlPlane.Calls().Count;
        await gateway.TickAsync(3);
        await gateway.ControlPlane.WaitForCallAsync(GatewayPaths.Ready, count: 2);

        var release = gateway.ControlPlane.Calls().Skip(callsBefore).ToList();
        Assert.Equal([GatewayPaths.DataPush, GatewayPaths.Stop, GatewayPaths.Ready], release.Select(c => c.Path));
        Assert.All(release, c => Assert.Equal(200, c.Status));
        Assert.Equal(firstGrant.AllocationToken, release[0].Bearer);
        Assert.Equal(2, release[0].Body.GetProperty("version").GetInt64());
        Assert.Equal([ProjectB], Projects(release[0]));
        Assert.Equal(firstGrant.AllocationToken, release[1].Bearer);
        Assert.Equal(first, release[1].Body.GetProperty("organization_id").GetString());
        Assert.Equal(gateway.ControlPlane.GatewayToken, release[2].Bearer);
        var idle = await gateway.PingAsync();
        Assert.Equal("idle", idle.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, idle.GetProperty("organization_id").ValueKind);
        using (var read = await gateway.Http.SendAsync(gateway.AsMember(HttpMethod.Get, $"/projects/{ProjectA}/state")))
        {
            Assert.Equal(HttpStatusCode.Conflict, read.StatusCode);
        }

        var second = NewOrganization();
        gateway.ControlPlane.SetData(second, 7, new Dictionary<string, string> { [ProjectC] = Doc("second c") });
        var secondGrant = await gateway.ServeAsync(second);

        Assert.Null(await gateway.GetStateAsync(ProjectA));
        Assert.Null(await gateway.GetStateAsync(ProjectB));
        Assert.Equal(Doc("second c"), await gateway.GetStateAsync(ProjectC));
        Assert.Equal(7, (await gateway.ActivityAsync()).GetProperty("data_version").GetInt64());
        using (await gateway.PutStateAsync(ProjectC, Doc("second c 2")))
        {
        }

        await gateway.TickAsync(3);

        var secondPush = gateway.ControlPlane.Calls(GatewayPaths.DataPush)[1];
        Assert.Equal(secondGrant.AllocationToken, secondPush.Bearer);
        Assert.Equal(second, secondPush.Body.GetProperty("organization_id").GetString());
        Assert.Equal(7, secondPush.Body.GetProperty("version").GetInt64());
        Assert.Equal([ProjectC], Projects(secondPush));
        Assert.Equal(secondGrant.AllocationToken, gateway.ControlPlane.Calls(GatewayPaths.Stop)[1].Bearer);
        Assert.Equal([ProjectA, ProjectB], gateway.ControlPlane.Data(first)!.Projects.Keys.Order());
        Assert.Equal([ProjectC], gateway.ControlPlane.Data(second)!.Projects.Keys);
    }

    [Fact]
    public async Task Push401_DropsTheOrganizationAndGoesIdle_WithoutFurtherPushes()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivity: TimeSpan.FromSeconds(5));
        var grant = await gateway.ServeAsync(NewOrganization());
        using (await gateway.PutStateAsync(ProjectA, Doc("a")))
        {
        }

        gateway.ControlPlane.Revoke(grant.AllocationToken);
        await gateway.TickAsync();

        Assert.Equal(401, Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPush)).Status);
        Assert.Equal("idle", (await gateway.PingAsync()).GetProperty("state").GetString());
        await gateway.ControlPlane.WaitForCallAsync(GatewayPaths.Ready, count: 2);
        using (var write = await gateway.PutStateAsync(ProjectA, Doc("after")))
        {
            Assert.Equal(HttpStatusCode.Conflict, write.StatusCode);
        }

        // Past the old inactivity deadline too: no final push, no stop.
        await gateway.TickAsync(10);
        Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPush));
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Stop));
    }

    [Fact]
    public async Task Push409_KeepsServingAndTheDataStaysDirty()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivity: TimeSpan.FromHours(1));
        var organizationId = NewOrganization();
        gateway.ControlPlane.SetData(organizationId, 3, new Dictionary<string, string> { [ProjectA] = Doc("stored") });
        await gateway.ServeAsync(organizationId);
        gateway.ControlPlane.FailAlways(GatewayPaths.DataPush, 409);
        using (await gateway.PutStateAsync(ProjectA, Doc("mine")))
        {
        }

        await gateway.TickAsync(2);

        Assert.Equal([409, 409], gateway.ControlPlane.Calls(GatewayPaths.DataPush).Select(c => c.Status));
        Assert.All(gateway.ControlPlane.Calls(GatewayPaths.DataPush), c => Assert.Equal(3, c.Body.GetProperty("version").GetInt64()));
        var activity = await gateway.ActivityAsync();
        Assert.Equal("serving", activity.GetProperty("state").GetString());
        Assert.True(activity.GetProperty("dirty").GetBoolean());
        Assert.Equal(3, activity.GetProperty("data_version").GetInt64());
        Assert.Equal(Doc("mine"), await gateway.GetStateAsync(ProjectA));
        Assert.Equal(Doc("stored"), gateway.ControlPlane.Data(organizationId)!.Projects[ProjectA]);
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Stop));

        // Kept, not lost: once the control plane accepts, the same changes are saved.
        gateway.ControlPlane.FailAlways(GatewayPaths.DataPush, null);
        await gateway.TickAsync();
        Assert.Equal(Doc("mine"), gateway.ControlPlane.Data(organizationId)!.Projects[ProjectA]);
        Assert.False((await gateway.ActivityAsync()).GetProperty("dirty").GetBoolean());
    }

    [Fact]
    public async Task InactivityDisabledByTheOrganization_NeverReleases()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivity: TimeSpan.FromSeconds(2));
        await gateway.ServeAsync(NewOrganization(), new Dictionary<string, object?> { ["inactivity_timeout_seconds"] = null });

        Assert.Equal(JsonValueKind.Null, (await gateway.ActivityAsync()).GetProperty("release_at").ValueKind);
        await gateway.TickAsync(5);
        await gateway.JumpAsync(TimeSpan.FromHours(1));

        Assert.Equal("serving", (await gateway.PingAsync()).GetProperty("state").GetString());
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Stop));
    }

    [Fact]
    public async Task InactivityOff_ByFlag_NeverReleases()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await gateway.ServeAsync(NewOrganization());

        await gateway.JumpAsync(TimeSpan.FromHours(1));

        Assert.Equal("serving", (await gateway.PingAsync()).GetProperty("state").GetString());
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Stop));
    }

    [Fact]
    public async Task OrganizationDurations_OverrideTheFlags()
    {
        await using var gateway = await GatewayHarness.StartAsync(autosave: TimeSpan.FromSeconds(1), inactivity: TimeSpan.FromHours(1));
        await gateway.ServeAsync(NewOrganization(), new Dictionary<string, object?>
        {
            ["inactivity_timeout_seconds"] = 6,
            ["autosave_interval_seconds"] = 3,
        });
        using (await gateway.PutStateAsync(ProjectA, Doc("a")))
        {
        }

        await gateway.TickAsync(2);
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.DataPush));
        await gateway.TickAsync();
        Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPush));
        await gateway.TickAsync(2);
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Stop));
        await gateway.TickAsync();
        Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Stop));
    }

    [Fact]
    public async Task CollabRelease_WhileServing_PushesStopsAndGoesIdle()
    {
        await using var gateway = await GatewayHarness.StartAsync(autosave: TimeSpan.FromHours(1), inactivity: TimeSpan.FromHours(1));
        var grant = await gateway.ServeAsync(NewOrganization());
        using (await gateway.PutStateAsync(ProjectA, Doc("a")))
        {
        }

        using var response = await gateway.ReleaseAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("idle", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        Assert.Equal(grant.AllocationToken, Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPush)).Bearer);
        Assert.Equal(grant.AllocationToken, Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Stop)).Bearer);
        using var again = await gateway.ReleaseAsync();
        await Problems.AssertProblemAsync(again, HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Release_PushFails_KeepsServingAndRetriesLater()
    {
        await using var gateway = await GatewayHarness.StartAsync(autosave: TimeSpan.FromHours(1), inactivity: TimeSpan.FromSeconds(2));
        await gateway.ServeAsync(NewOrganization());
        using (await gateway.PutStateAsync(ProjectA, Doc("a")))
        {
        }

        gateway.ControlPlane.FailNext(GatewayPaths.DataPush, 503);
        await gateway.TickAsync(2);

        Assert.Equal(503, Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPush)).Status);
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Stop));
        var activity = await gateway.ActivityAsync();
        Assert.Equal("serving", activity.GetProperty("state").GetString());
        Assert.True(activity.GetProperty("dirty").GetBoolean());

        await gateway.TickAsync(5); // the release retry delay
        Assert.Equal([503, 200], gateway.ControlPlane.Calls(GatewayPaths.DataPush).Select(c => c.Status));
        Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Stop));
    }

    [Fact]
    public async Task Shutdown_WhileServingWithUnsavedData_PushesBeforeExiting()
    {
        await using var gateway = await GatewayHarness.StartAsync(autosave: TimeSpan.FromHours(1));
        var grant = await gateway.ServeAsync(NewOrganization());
        using (await gateway.PutStateAsync(ProjectA, Doc("last words")))
        {
        }

        await gateway.Host.StopAsync(CancellationToken.None);

        var push = Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPush));
        Assert.Equal(200, push.Status);
        Assert.Equal(grant.AllocationToken, push.Bearer);
        Assert.Equal(Doc("last words"), gateway.ControlPlane.Data(grant.OrganizationId)!.Projects[ProjectA]);
    }

    private static string NewOrganization() => Guid.CreateVersion7().ToString();

    private static string Doc(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static IEnumerable<string> Projects(RecordedCall push) =>
        push.Body.GetProperty("data").GetProperty("yjs_state").EnumerateObject().Select(p => p.Name).Order();

    private static Task WaitForStateAsync(GatewayHarness gateway, string state) =>
        GatewayHarness.WaitUntilAsync(() => gateway.Worker.Snapshot().State.ToString().Equals(state, StringComparison.OrdinalIgnoreCase), $"state {state}");

    /// <summary>Moves the fake clock in small steps while real time passes, so background waits on it complete.</summary>
    private static async Task PumpClockUntilAsync(GatewayHarness gateway, Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            Assert.False(timeout.IsCancellationRequested, "Timed out pumping the clock.");
            gateway.FakeTime.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(10);
        }
    }

    private static async Task PumpClockAsync(GatewayHarness gateway, TimeSpan total)
    {
        for (var moved = TimeSpan.Zero; moved < total; moved += TimeSpan.FromMilliseconds(100))
        {
            gateway.FakeTime.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(2);
        }
    }
}

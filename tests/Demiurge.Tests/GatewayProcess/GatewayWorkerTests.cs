using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>
/// The gateway worker in this process against a fake control plane, with its clock moved by the
/// test: the ready announcement and the handshake here; documents and settings in
/// GatewayWorkerTests.Documents.cs, autosave, inactivity and release in GatewayWorkerTests.Release.cs.
/// </summary>
public sealed partial class GatewayWorkerTests
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

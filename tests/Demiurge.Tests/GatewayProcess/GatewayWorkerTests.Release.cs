using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>Autosave, inactivity, release and shutdown: the organization's data is pushed before the worker lets go.</summary>
public sealed partial class GatewayWorkerTests
{
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
}

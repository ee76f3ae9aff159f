using System.Net;
using System.Net.Http.Json;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>Project documents are the organization's data: members only.</summary>
public sealed class ProjectStateAccessTests
{
    private const string Project = GatewayHarness.ProjectA;

    [Fact]
    public async Task ProjectState_Anonymous_Returns401AndChangesNothing()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.ServeAsync(Guid.CreateVersion7().ToString());
        (await gateway.PutStateAsync(Project, "QQ==")).EnsureSuccessStatusCode();

        using var put = await gateway.Http.PutAsJsonAsync($"/projects/{Project}/state", new { state = "Qg==" });
        using var get = await gateway.Http.GetAsync($"/projects/{Project}/state");

        Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
        Assert.Equal("QQ==", await gateway.GetStateAsync(Project));
    }

    [Fact]
    public async Task ProjectState_KnownUserNotAMember_Returns403()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.ServeAsync(Guid.CreateVersion7().ToString());
        var outsider = gateway.ControlPlane.AddUser("mallory");

        using var put = await gateway.PutStateAsync(Project, "Qg==", outsider);

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Null(await gateway.GetStateAsync(Project));
    }

    [Fact]
    public async Task ProjectState_Anonymous_DoesNotKeepTheGatewayAlive()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivity: TimeSpan.FromSeconds(30));
        await gateway.ServeAsync(Guid.CreateVersion7().ToString());
        var before = (await gateway.ActivityAsync()).GetProperty("release_at").GetString();
        Assert.NotNull(before);

        await gateway.JumpAsync(TimeSpan.FromSeconds(10));
        using (await gateway.Http.PutAsJsonAsync($"/projects/{Project}/state", new { state = "Qg==" }))
        {
        }

        Assert.Equal(before, (await gateway.ActivityAsync()).GetProperty("release_at").GetString());
    }

    [Fact]
    public async Task CollabRelease_WithoutTheControlPlanesCredential_Returns401AndKeepsServing()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var organization = Guid.CreateVersion7().ToString();
        await gateway.ServeAsync(organization);

        using var anonymous = await gateway.Http.PostAsync("/collab/release", null);
        using var wrong = await gateway.Http.SendAsync(gateway.AsMember(HttpMethod.Post, "/collab/release"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(organization, (await gateway.PingAsync()).GetProperty("organization_id").GetString());
    }
}

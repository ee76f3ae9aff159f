using Demiurge.Protocol;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>A push that landed but whose answer was lost must not wedge the writer nor lose later edits.</summary>
public sealed class LostPushAnswerTests
{
    private const string Project = GatewayHarness.ProjectA;

    [Fact]
    public async Task LostPushAnswer_NextPushAdoptsTheLandedVersion_AndTheReleaseSavesTheLaterEdits()
    {
        await using var gateway = await GatewayHarness.StartAsync(autosave: TimeSpan.FromSeconds(1), inactivity: TimeSpan.FromSeconds(30));
        var organization = Guid.CreateVersion7().ToString();
        await gateway.ServeAsync(organization);
        (await gateway.PutStateAsync(Project, "QQ==")).EnsureSuccessStatusCode();
        await gateway.JumpAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(1, gateway.ControlPlane.Data(organization)!.Version);

        // B's push commits on the control plane, but its answer is lost (a timeout, say).
        (await gateway.PutStateAsync(Project, "Qg==")).EnsureSuccessStatusCode();
        gateway.ControlPlane.SetData(organization, 2, new Dictionary<string, string> { [Project] = "Qg==" });
        gateway.ControlPlane.FailNext(GatewayPaths.DataPush, 504);
        await gateway.JumpAsync(TimeSpan.FromSeconds(2));

        // C: the next autosave meets 409 at version 2, takes it, and saves C as version 3.
        (await gateway.PutStateAsync(Project, "Qw==")).EnsureSuccessStatusCode();
        await gateway.JumpAsync(TimeSpan.FromSeconds(2));
        var stored = gateway.ControlPlane.Data(organization)!;
        Assert.Equal(3, stored.Version);
        Assert.Equal("Qw==", stored.Projects[Project]);

        // And the release goes through without dropping anything.
        (await gateway.PutStateAsync(Project, "RA==")).EnsureSuccessStatusCode();
        await gateway.JumpAsync(TimeSpan.FromSeconds(40));
        await GatewayHarness.WaitUntilAsync(() => gateway.ControlPlane.Calls(GatewayPaths.Stop).Count > 0, "stop");
        Assert.Equal("RA==", gateway.ControlPlane.Data(organization)!.Projects[Project]);
    }

    [Theory]
    [InlineData(413)]
    [InlineData(400)]
    public async Task FinalPushRefusedForGood_ReleasesInsteadOfHoldingTheGatewayForever(int status)
    {
        await using var gateway = await GatewayHarness.StartAsync(autosave: TimeSpan.FromHours(1), inactivity: TimeSpan.FromSeconds(30));
        var organization = Guid.CreateVersion7().ToString();
        await gateway.ServeAsync(organization);
        (await gateway.PutStateAsync(Project, "QQ==")).EnsureSuccessStatusCode();
        gateway.ControlPlane.FailNext(GatewayPaths.DataPush, status);

        await gateway.JumpAsync(TimeSpan.FromSeconds(40));

        await GatewayHarness.WaitUntilAsync(() => gateway.ControlPlane.Calls(GatewayPaths.Stop).Count > 0, "stop");
        Assert.Null(gateway.ControlPlane.Data(organization));
    }
}

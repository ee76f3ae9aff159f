using System.Net;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>
/// One member cannot stop the saving of the whole organization: unsaved data goes in pushes
/// that fit the control plane's limit, a document that can never be saved is dropped rather than
/// holding back the rest and the release, and a write is refused at the organization's quota or
/// for a project that is not the organization's.
/// </summary>
public sealed class GatewayWorkerSavingTests
{
    // 2,900,000 bytes are 3,866,668 characters of base64: under the gateway's 4 MiB body limit.
    private const int LargeDocumentBytes = 2_900_000;

    [Fact]
    public async Task Autosave_SixLargeDocumentsOverThePushLimit_AllSavedInSeveralPushesWithTheColleaguesEdit()
    {
        await using var gateway = await GatewayHarness.StartAsync(autosave: TimeSpan.FromSeconds(1), inactivity: TimeSpan.FromHours(1));
        var large = Enumerable.Range(0, 6).Select(_ => Guid.CreateVersion7().ToString()).ToList();
        var grant = await gateway.ServeAsync(Guid.CreateVersion7().ToString(), projects: [GatewayHarness.ProjectA, .. large]);
        var documents = large.ToDictionary(id => id, _ => LargeDocument());
        await Task.WhenAll(documents.Select(async d =>
        {
            using var put = await gateway.PutStateAsync(d.Key, d.Value);
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }));
        using (var edit = await gateway.PutStateAsync(GatewayHarness.ProjectA, "ZWRpdA=="))
        {
            Assert.Equal(HttpStatusCode.NoContent, edit.StatusCode);
        }

        await gateway.TickAsync(2);

        var pushes = gateway.ControlPlane.Calls(GatewayPaths.DataPush);
        Assert.All(pushes, p => Assert.Equal(200, p.Status));
        Assert.InRange(pushes.Count, 2, 3);
        var stored = gateway.ControlPlane.Data(grant.OrganizationId)!;
        Assert.Equal(pushes.Count, stored.Version);
        Assert.Equal("ZWRpdA==", stored.Projects[GatewayHarness.ProjectA]);
        Assert.All(documents, d => Assert.Equal(d.Value, stored.Projects[d.Key]));
        Assert.False((await gateway.ActivityAsync()).GetProperty("dirty").GetBoolean());
    }

    [Fact]
    public async Task Release_ADocumentRefusedForGood_DroppedTheRestSavedAndReleased()
    {
        await using var gateway = await GatewayHarness.StartAsync(autosave: TimeSpan.FromHours(1), inactivity: TimeSpan.FromSeconds(10));
        var grant = await gateway.ServeAsync(Guid.CreateVersion7().ToString());
        gateway.ControlPlane.RefuseProject(GatewayHarness.ProjectB);
        using (await gateway.PutStateAsync(GatewayHarness.ProjectB, "cmVmdXNlZA=="))
        using (await gateway.PutStateAsync(GatewayHarness.ProjectA, "a2VwdA=="))
        {
        }

        await gateway.JumpAsync(TimeSpan.FromSeconds(11));
        await GatewayHarness.WaitUntilAsync(() => gateway.ControlPlane.Calls(GatewayPaths.Stop).Count == 1, "the release's stop");

        var stored = gateway.ControlPlane.Data(grant.OrganizationId)!;
        Assert.Equal("a2VwdA==", stored.Projects[GatewayHarness.ProjectA]);
        Assert.False(stored.Projects.ContainsKey(GatewayHarness.ProjectB));
        Assert.Equal("idle", (await gateway.PingAsync()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Autosave_ADocumentRefusedForGood_TheOthersSavedAndNothingLeftDirty()
    {
        await using var gateway = await GatewayHarness.StartAsync(autosave: TimeSpan.FromSeconds(1), inactivity: TimeSpan.FromHours(1));
        var grant = await gateway.ServeAsync(Guid.CreateVersion7().ToString());
        gateway.ControlPlane.RefuseProject(GatewayHarness.ProjectB);
        using (await gateway.PutStateAsync(GatewayHarness.ProjectB, "cmVmdXNlZA=="))
        using (await gateway.PutStateAsync(GatewayHarness.ProjectA, "a2VwdA=="))
        {
        }

        await gateway.TickAsync(2);
        var pushes = gateway.ControlPlane.Calls(GatewayPaths.DataPush).Count;
        await gateway.TickAsync(3);

        Assert.Equal("a2VwdA==", gateway.ControlPlane.Data(grant.OrganizationId)!.Projects[GatewayHarness.ProjectA]);
        Assert.False((await gateway.ActivityAsync()).GetProperty("dirty").GetBoolean());
        Assert.Equal(pushes, gateway.ControlPlane.Calls(GatewayPaths.DataPush).Count); // no retry of what can never be saved
    }

    [Fact]
    public async Task ProjectState_NotAProjectOfTheOrganization_Returns404AndChangesNothing()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        await gateway.ServeAsync(Guid.CreateVersion7().ToString(), projects: [GatewayHarness.ProjectA]);
        var stranger = Guid.CreateVersion7().ToString();

        using var put = await gateway.PutStateAsync(stranger, "QQ==");
        using var get = await gateway.Http.SendAsync(gateway.AsMember(HttpMethod.Get, $"/projects/{stranger}/state"));

        await Problems.AssertProblemAsync(put, HttpStatusCode.NotFound, "not-found");
        await Problems.AssertProblemAsync(get, HttpStatusCode.NotFound, "not-found");
        Assert.False((await gateway.ActivityAsync()).GetProperty("dirty").GetBoolean());
    }

    [Fact]
    public async Task PutProjectState_OverTheQuota_Returns413ProblemAndChangesNothing()
    {
        await using var gateway = await GatewayHarness.StartAsync(autosave: TimeSpan.FromHours(1));
        await gateway.ServeAsync(Guid.CreateVersion7().ToString(), storageQuotaBytes: 100);
        using (var first = await gateway.PutStateAsync(GatewayHarness.ProjectA, new string('A', 60)))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        using var over = await gateway.PutStateAsync(GatewayHarness.ProjectB, new string('B', 60));

        var problem = await Problems.AssertProblemAsync(over, HttpStatusCode.RequestEntityTooLarge, "storage-quota-exceeded");
        Assert.Equal(100, problem.GetProperty("quota_bytes").GetInt64());
        Assert.Equal(60, problem.GetProperty("used_bytes").GetInt64());
        Assert.Null(await gateway.GetStateAsync(GatewayHarness.ProjectB));
        // Replacing a document with a larger one within the quota passes.
        using var replace = await gateway.PutStateAsync(GatewayHarness.ProjectA, new string('C', 96));
        Assert.Equal(HttpStatusCode.NoContent, replace.StatusCode);
    }

    private static string LargeDocument()
    {
        var bytes = new byte[LargeDocumentBytes];
        Random.Shared.NextBytes(bytes);
        return Convert.ToBase64String(bytes);
    }
}

using System.Net;
using Demiurge.Edge;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Edge.Servers;

/// <summary><c>demiurge edge</c> as a process of its own, following routes another process writes to the store.</summary>
public sealed class EdgeCommandProcessTests
{
    [Fact]
    public async Task Edge_RouteWrittenToTheStoreElsewhere_IsServedUntilRemoved()
    {
        using var dataDir = new TempDirectory();
        await using var backend = await TestBackend.StartAsync("gateway");
        await using var edge = DemiurgeProcess.Start(["edge", "--data-dir", dataDir.Path, "--domain", EdgeContractTests.TestDomain, "--edge-http-port", "0", "--edge-https-port", "0"]);
        var port = new Uri((await edge.WaitForOutputAsync("HTTP:")).Replace("{id}", "x", StringComparison.Ordinal)).Port;
        Assert.True(File.Exists(await edge.WaitForOutputAsync("CA:")));
        await using var store = Stores.Sqlite(Path.Combine(dataDir.Path, Demiurge.Store.StoreExtensions.DatabaseFileName));
        var host = $"org-{Guid.NewGuid()}.{EdgeContractTests.TestDomain}";
        using var client = new EdgeClient();

        await store.Edge.EdgeRoutesSetAsync([EdgeRoute.To(host, backend.Url), EdgeRoute.To($"*.{host}", backend.Url)], TestContext.Current.CancellationToken);
        await client.EventuallyAsync(new Uri($"http://uc-1.{host}:{port}/"), backend.Name);
        await store.Edge.EdgeRoutesSetAsync([EdgeRoute.Removed(host), EdgeRoute.Removed($"*.{host}")], TestContext.Current.CancellationToken);
        await client.EventuallyAsync(new Uri($"http://{host}:{port}/"), null);

        edge.Signal(DemiurgeProcess.SigTerm);
        Assert.Equal(0, await edge.WaitForExitAsync());
    }

    [Fact]
    public async Task Edge_InvalidSettings_ListsEveryProblemAndExits()
    {
        using var dataDir = new TempDirectory();
        await using var edge = DemiurgeProcess.Start(["edge", "--data-dir", dataDir.Path, "--edge-listen-address", "not-an-ip", "--edge-https-port", "70000"]);

        Assert.NotEqual(0, await edge.WaitForExitAsync());
        var errors = string.Join('\n', edge.StandardError);
        Assert.Contains("--edge-listen-address", errors, StringComparison.Ordinal);
        Assert.Contains("--edge-https-port", errors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dataDir.Path, "edge")));
    }
}

using Demiurge.Edge;
using Demiurge.Hosting;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Edge.Servers;

/// <summary>The embedded edge as <c>demiurge up</c> runs it (a SQLite store, the router and the edge's own Kestrel), and two backends.</summary>
public sealed class EmbeddedEdgeFixture : IAsyncLifetime
{
    public TempDirectory DataDir { get; } = new();

    internal Stores Store { get; private set; } = null!;

    internal EdgeHost Edge { get; private set; } = null!;

    internal EmbeddedEdgeRouter Router { get; private set; } = null!;

    internal IConfiguration Configuration { get; private set; } = null!;

    public TestBackend BackendA { get; private set; } = null!;

    public TestBackend BackendB { get; private set; } = null!;

    public string DatabasePath => Path.Combine(DataDir.Path, Demiurge.Store.StoreExtensions.DatabaseFileName);

    public async ValueTask InitializeAsync()
    {
        BackendA = await TestBackend.StartAsync("a");
        BackendB = await TestBackend.StartAsync("b");
        Store = Stores.Sqlite(DatabasePath);
        await Store.Database.MigrateAsync(CancellationToken.None);
        Configuration = new ConfigurationBuilder().AddInMemoryCollection(Flags(DataDir.Path)).Build();
        var options = Options.Create(Configuration.GetSection(DemiurgeOptions.SectionName).Get<DemiurgeOptions>()!);
        var table = new EdgeRouteTable();
        Edge = EdgeHost.Create(Configuration, Store.Edge, table);
        await Edge.StartAsync(CancellationToken.None);
        Router = new EmbeddedEdgeRouter(Store.Edge, table, options);
    }

    /// <summary>Settings for a test edge: free ports, the test domain, warnings only.</summary>
    public static Dictionary<string, string?> Flags(string dataDir) => new()
    {
        [global::Demiurge.Hosting.Settings.DataDir.ConfigurationKey] = dataDir,
        [global::Demiurge.Hosting.Settings.Domain.ConfigurationKey] = EdgeContractTests.TestDomain,
        [EdgeSettings.HttpPort.ConfigurationKey] = "0",
        [EdgeSettings.HttpsPort.ConfigurationKey] = "0",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    public async ValueTask DisposeAsync()
    {
        await Edge.StopAsync(CancellationToken.None);
        await Edge.DisposeAsync();
        await Store.DisposeAsync();
        await BackendA.DisposeAsync();
        await BackendB.DisposeAsync();
        DataDir.Dispose();
    }
}

using Demiurge.Edge;
using Demiurge.Edge.Nginx;
using Demiurge.Hosting;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Edge.Servers;

/// <summary>
/// A real nginx (<see cref="NginxServer"/>) in a temporary folder, and the router pointed at it
/// through a wrapper script that records every nginx invocation, following a SQLite store.
/// </summary>
public sealed class NginxFixture : IAsyncLifetime
{
    private NginxServer _nginx = null!;

    public TempDirectory Directory { get; } = new();

    public int Port => _nginx.Port;

    /// <summary>The TLS port the sites listen on too, with certificates of the local authority in the fixture's data folder.</summary>
    public int HttpsPort => _nginx.HttpsPort;

    /// <summary>The local certificate authority's certificate, once a site has been written.</summary>
    public string CertificateAuthorityPath => EdgeHost.CertificateAuthorityFile(Directory.Path);

    public string SitesDir => _nginx.SitesDir;

    internal NginxEdgeRouter Router { get; private set; } = null!;

    /// <summary>The store the router writes to and follows, as every control plane's does.</summary>
    internal Stores Store { get; private set; } = null!;

    public TestBackend BackendA { get; private set; } = null!;

    public TestBackend BackendB { get; private set; } = null!;

    /// <summary>How many times the router has reloaded nginx so far.</summary>
    public int Reloads => _nginx.Reloads;

    /// <inheritdoc cref="NginxServer.WorkersSettledAsync"/>
    public Task WorkersSettledAsync() => _nginx.WorkersSettledAsync();

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async ValueTask InitializeAsync()
    {
        BackendA = await TestBackend.StartAsync("a");
        BackendB = await TestBackend.StartAsync("b");
        _nginx = await NginxServer.StartAsync(Directory.Path);
        var options = new DemiurgeOptions { Domain = EdgeContractTests.TestDomain, DataDir = Directory.Path, Edge = _nginx.EdgeOptions() };
        Store = Stores.Sqlite(Path.Combine(Directory.Path, StoreExtensions.DatabaseFileName));
        await Store.Database.MigrateAsync(CancellationToken.None);
        Router = new NginxEdgeRouter(Store.Edge, Options.Create(options), Options.Create(options.Edge), TimeProvider.System, NullLogger<NginxEdgeRouter>.Instance);
        await Router.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await Router.StopAsync(CancellationToken.None);
        Router.Dispose();
        await Store.DisposeAsync();
        await _nginx.DisposeAsync();
        await BackendA.DisposeAsync();
        await BackendB.DisposeAsync();
        Directory.Dispose();
    }
}

using System.Net;
using Demiurge.Dns;
using Demiurge.Dns.Server;
using Demiurge.Hosting;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Demiurge.Tests.Dns.Servers;

/// <summary>
/// The embedded DNS server on a free loopback port, answering from a real SQLite store in a
/// temporary folder, with the embedded provider writing organizations into it.
/// </summary>
public sealed class EmbeddedDnsServerFixture : IAsyncLifetime
{
    public const string Zone = "zone.test";

    private readonly TempDirectory _directory = new();
    private Stores _store = null!;
    private DnsServer _server = null!;

    internal DemiurgeOptions Options { get; } = ZoneOptions();

    /// <summary>Settings of the test zone: its domain, and the edge at 127.0.0.1 and ::1.</summary>
    internal static DemiurgeOptions ZoneOptions() => new() { Domain = Zone, Dns = { EdgeAddresses = "127.0.0.1, ::1", Port = 0 } };

    internal ServedZone Served { get; private set; } = null!;

    internal EmbeddedDnsProvider Provider { get; private set; } = null!;

    public IPEndPoint EndPoint => _server.EndPoint;

    public async ValueTask InitializeAsync()
    {
        _store = Stores.Sqlite(Path.Combine(_directory.Path, StoreExtensions.DatabaseFileName));
        await _store.Database.MigrateAsync(CancellationToken.None);
        Served = new ServedZone(_store.Dns, Microsoft.Extensions.Options.Options.Create(Options), Microsoft.Extensions.Options.Options.Create(Options.Dns), NullLogger<ServedZone>.Instance);
        Provider = new EmbeddedDnsProvider(_store.Dns, Served, Microsoft.Extensions.Options.Options.Create(Options));
        await Served.SyncAsync(CancellationToken.None);
        _server = DnsServer.Start(new IPEndPoint(IPAddress.Loopback, 0), () => Served.Current, DnsTcpLimits.Default, NullLogger.Instance);
    }

    /// <summary>Writes record sets to the store the way another process would, then lets the zone catch up.</summary>
    internal async Task ApplyAsync(params DnsRecordSet[] sets)
    {
        await _store.Dns.DnsRecordSetsApplyAsync(sets, CancellationToken.None);
        await Served.SyncAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Served.Dispose();
        await _store.DisposeAsync();
        _directory.Dispose();
    }
}

using Demiurge.ApiKeys;
using Demiurge.Coordination;
using Demiurge.Dns;
using Demiurge.Edge;
using Demiurge.Events;
using Demiurge.Gateways;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Security;
using Demiurge.Store;
using Demiurge.Store.Postgres;
using Demiurge.Store.Sqlite;

namespace Demiurge.Tests.Infrastructure;

/// <summary>
/// One database and every feature's store over it, as a control plane's container wires them
/// (<see cref="StoreExtensions.AddStore"/>): for tests that drive the store directly.
/// Disposing it disposes the database.
/// </summary>
internal sealed class Stores(Database database) : IAsyncDisposable
{
    public Database Database => database;

    public IUserStore Users { get; } = new SqlUserStore(database);

    public IOrganizationStore Organizations { get; } = new SqlOrganizationStore(database);

    public IEventStore Events { get; } = new SqlEventStore(database);

    public IApiKeyStore ApiKeys { get; } = new SqlApiKeyStore(database);

    public IKeyRingStore KeyRing { get; } = new SqlKeyRingStore(database);

    public IGatewayStore Gateways { get; } = new SqlGatewayStore(database);

    public IEdgeStore Edge { get; } = new SqlEdgeStore(database);

    public IDnsStore Dns { get; } = new SqlDnsStore(database);

    public IControlPlaneStore ControlPlanes { get; } = new SqlControlPlaneStore(database);

    /// <summary>Stores on the SQLite file at <paramref name="path"/>, not yet migrated.</summary>
    public static Stores Sqlite(string path) => new(new Database(new SqliteDialect(path)));

    /// <summary>Stores on the PostgreSQL database of <paramref name="connectionString"/>, not yet migrated.</summary>
    public static Stores Postgres(string connectionString) => new(new Database(new PostgresDialect(connectionString)));

    public ValueTask DisposeAsync() => database.DisposeAsync();
}

using System.Collections.Concurrent;
using Demiurge.Store;

namespace Demiurge.Tests.Infrastructure;

/// <summary>
/// The one switch that runs the whole suite on PostgreSQL: with <c>DEMIURGE_TEST_STORE=postgres</c>
/// every control plane a test starts (in process or as a <c>demiurge</c> child) stores its state
/// in a database of its own on one cluster started once per test run; otherwise in SQLite in
/// its data directory. The database is chosen by data directory, so a control plane restarted
/// on the same folder finds its state again, as it would with SQLite.
/// </summary>
public static class TestStore
{
    public const string Variable = "DEMIURGE_TEST_STORE";

    private static readonly Lazy<PostgresServer> s_cluster = new(StartCluster);
    private static readonly ConcurrentDictionary<string, Lazy<string>> s_databases = new(StringComparer.Ordinal);

    /// <summary>True when this run uses PostgreSQL for every control plane.</summary>
    public static bool IsPostgres { get; } = System.Environment.GetEnvironmentVariable(Variable) == StoreOptions.Postgres;

    /// <summary>The cluster shared by the whole run, started on first use and stopped when the run ends.</summary>
    public static PostgresServer Cluster => s_cluster.Value;

    /// <summary>Configuration keys that put a control plane using <paramref name="dataDir"/> on the store of this run.</summary>
    public static Dictionary<string, string?> Settings(string dataDir) => IsPostgres
        ? new()
        {
            [Demiurge.Store.StoreSettings.Provider.ConfigurationKey] = StoreOptions.Postgres,
            [Demiurge.Store.StoreSettings.Postgres.ConfigurationKey] = ConnectionString(dataDir),
        }
        : [];

    /// <summary>The same as environment variables, for a <c>demiurge</c> child process.</summary>
    public static Dictionary<string, string> Environment(string dataDir) => IsPostgres
        ? new()
        {
            [Demiurge.Store.StoreSettings.Provider.EnvironmentVariable] = StoreOptions.Postgres,
            [Demiurge.Store.StoreSettings.Postgres.EnvironmentVariable] = ConnectionString(dataDir),
        }
        : [];

    /// <summary>The database of the control planes using <paramref name="dataDir"/>, created on first use.</summary>
    public static string ConnectionString(string dataDir) =>
        s_databases.GetOrAdd(Path.GetFullPath(dataDir), _ => new Lazy<string>(Cluster.CreateDatabase)).Value;

    private static PostgresServer StartCluster()
    {
        var server = PostgresServer.StartAsync().GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }
}

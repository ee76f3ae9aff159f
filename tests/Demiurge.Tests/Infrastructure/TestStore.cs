using System.Collections.Concurrent;
using Demiurge.Store;
using Npgsql;

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

    /// <summary>
    /// Everything the store of <paramref name="dataDir"/> holds, as text, to check that a secret
    /// never reaches it: the SQLite files' bytes, or every row of every PostgreSQL table.
    /// </summary>
    public static async Task<string> StoredTextAsync(string dataDir)
    {
        if (!IsPostgres)
        {
            var database = Path.Combine(dataDir, StoreExtensions.DatabaseFileName);
            return System.Text.Encoding.ASCII.GetString([.. await ReadSharedAsync(database), .. await ReadSharedAsync(database + "-wal")]);
        }

        await using var connection = new NpgsqlConnection(ConnectionString(dataDir));
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
#pragma warning disable CA2100 // Table names come from the catalog, quoted.
            await using var rows = new NpgsqlCommand($"SELECT t::text FROM {table} t", connection);
#pragma warning restore CA2100
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.AppendLine(reader.GetString(0));
            }
        }

        return text.ToString();
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }

    private static PostgresServer StartCluster()
    {
        var server = PostgresServer.StartAsync().GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }
}

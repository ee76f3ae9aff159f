using System.Collections.Concurrent;
using Demiurge.Store;
using Npgsql;

namespace Demiurge.Tests.Infrastructure;

/// <summary>
/// The one switch that runs the whole suite on PostgreSQL: with <c>DEMIURGE_TEST_STORE=postgres</c>
/// every control plane a test starts (in process or as a <c>demiurge</c> child) stores its state
/// on a PostgreSQL cluster of its own (<see cref="PostgresServer"/>), started on first use and
/// stopped when its data directory is deleted; otherwise in SQLite in its data directory. The
/// cluster goes by data directory, so a control plane restarted on the same folder finds its
/// state again, as it would with SQLite.
/// </summary>
public static class TestStore
{
    public const string Variable = "DEMIURGE_TEST_STORE";

    private static readonly ConcurrentDictionary<string, Lazy<PostgresServer>> s_clusters = new(StringComparer.Ordinal);

    static TestStore() =>
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var dataDir in s_clusters.Keys)
            {
                Release(dataDir);
            }
        };

    /// <summary>True when this run uses PostgreSQL for every control plane.</summary>
    public static bool IsPostgres { get; } = System.Environment.GetEnvironmentVariable(Variable) == StoreOptions.Postgres;

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

    /// <summary>The cluster of the control planes using <paramref name="dataDir"/>, started on first use.</summary>
    public static string ConnectionString(string dataDir) =>
        s_clusters.GetOrAdd(Path.GetFullPath(dataDir), _ => new Lazy<PostgresServer>(() => PostgresServer.StartAsync().GetAwaiter().GetResult()))
            .Value.ConnectionString();

    /// <summary>Stops the cluster of <paramref name="dataDir"/>, if it has one (<see cref="TempDirectory"/> calls this as it deletes the folder).</summary>
    public static void Release(string dataDir)
    {
        if (s_clusters.TryRemove(Path.GetFullPath(dataDir), out var cluster) && cluster.IsValueCreated)
        {
            cluster.Value.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

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
}

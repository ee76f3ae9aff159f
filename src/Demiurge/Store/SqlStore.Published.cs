using System.Data;
using System.Data.Common;
using System.Text.Json;
using Demiurge.Dns;
using Demiurge.Edge;

namespace Demiurge.Store;

/// <summary>DNS record sets and edge routes, each table versioned so that watchers read only what changed.</summary>
internal abstract partial class SqlStore : IDnsStore, IEdgeStore
{
    // A route's destinations, as [{"address": "http://…", "weight": 1, "draining": false}].
    private static readonly JsonSerializerOptions s_routeJson = new(JsonSerializerDefaults.Web);

    public async Task<long> DnsRecordSetsApplyAsync(IReadOnlyList<DnsRecordSet> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        long version = 0;
        await WriteAsync(async (connection, transaction) =>
        {
            version = await NextVersionAsync(connection, transaction, "dns", cancellationToken);
            foreach (var set in changes)
            {
                await ExecuteAsync(connection, transaction, """
                    INSERT INTO dns_record_sets (name, type, ttl, "values", version) VALUES (@name, @type, @ttl, @values, @version)
                    ON CONFLICT (name, type) DO UPDATE SET ttl = excluded.ttl, "values" = excluded."values", version = excluded.version
                    """, cancellationToken,
                    ("@name", set.Name), ("@type", set.Type), ("@ttl", set.Ttl),
                    ("@values", set.IsDeleted ? null : JsonSerializer.Serialize(set.Values)), ("@version", version));
            }

            return false;
        }, null, cancellationToken);
        return version;
    }

    public Task<(long Version, IReadOnlyList<DnsRecordSet> Changes)> DnsRecordSetsChangedAsync(long afterVersion, CancellationToken cancellationToken) =>
        ChangedAsync("dns", """SELECT name, type, ttl, "values" FROM dns_record_sets WHERE version > @after ORDER BY version""", afterVersion,
            r => new DnsRecordSet(r.GetString(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? [] : JsonSerializer.Deserialize<string[]>(r.GetString(3))!),
            cancellationToken);

    public async Task<long> EdgeRoutesSetAsync(IReadOnlyList<EdgeRoute> routes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(routes);
        long version = 0;
        await WriteAsync(async (connection, transaction) =>
        {
            version = await NextVersionAsync(connection, transaction, "edge", cancellationToken);
            foreach (var route in routes)
            {
                await ExecuteAsync(connection, transaction, """
                    INSERT INTO edge_routes (host, destinations, version) VALUES (@host, @destinations, @version)
                    ON CONFLICT (host) DO UPDATE SET destinations = excluded.destinations, version = excluded.version
                    """, cancellationToken,
                    ("@host", route.Host), ("@destinations", route.IsRemoved ? null : JsonSerializer.Serialize(route.Destinations, s_routeJson)), ("@version", version));
            }

            return false;
        }, null, cancellationToken);
        return version;
    }

    public Task<(long Version, IReadOnlyList<EdgeRoute> Changes)> EdgeRoutesChangedAsync(long afterVersion, CancellationToken cancellationToken) =>
        ChangedAsync("edge", "SELECT host, destinations FROM edge_routes WHERE version > @after ORDER BY version", afterVersion,
            r => new EdgeRoute(r.GetString(0), r.IsDBNull(1) ? [] : JsonSerializer.Deserialize<EdgeDestination[]>(r.GetString(1), s_routeJson)!),
            cancellationToken);

    // The row lock taken by the UPDATE holds until commit, so versions commit in order and a
    // watcher that has seen version n has seen every change up to n.
    private static async Task<long> NextVersionAsync(DbConnection connection, DbTransaction transaction, string name, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, "UPDATE versions SET version = version + 1 WHERE name = @name", cancellationToken, ("@name", name));
        return await ScalarAsync<long>(connection, transaction, "SELECT version FROM versions WHERE name = @name", cancellationToken, ("@name", name));
    }

    private async Task<(long Version, IReadOnlyList<T> Changes)> ChangedAsync<T>(string name, string sql, long afterVersion, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // One snapshot for the version and the rows: under read committed a change committed
        // between the two statements would come back with a version that does not cover it.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var version = await ScalarAsync<long>(connection, transaction, "SELECT version FROM versions WHERE name = @name", cancellationToken, ("@name", name));
        var changes = version > afterVersion
            ? await ListAsync(connection, transaction, sql, read, cancellationToken, ("@after", afterVersion))
            : [];
        await transaction.CommitAsync(cancellationToken);
        return (version, changes);
    }
}

using System.Text.Json;
using Demiurge.Dns;

namespace Demiurge.Store;

/// <summary>DNS record sets (migration 0003), a <see cref="ChangeFeed"/> that the DNS servers follow.</summary>
internal sealed class SqlDnsStore(Database database) : IDnsStore
{
    private const string Feed = "dns";

    public Task<long> DnsRecordSetsApplyAsync(IReadOnlyList<DnsRecordSet> changes, CancellationToken cancellationToken) =>
        ChangeFeed.WriteAsync(database, Feed, changes, """
            INSERT INTO dns_record_sets (name, type, ttl, "values", version) VALUES (@name, @type, @ttl, @values, @version)
            ON CONFLICT (name, type) DO UPDATE SET ttl = excluded.ttl, "values" = excluded."values", version = excluded.version
            """,
            set => [("@name", set.Name), ("@type", set.Type), ("@ttl", set.Ttl), ("@values", set.IsDeleted ? null : JsonSerializer.Serialize(set.Values))],
            cancellationToken);

    public Task<(long Version, IReadOnlyList<DnsRecordSet> Changes)> DnsRecordSetsChangedAsync(long afterVersion, CancellationToken cancellationToken) =>
        ChangeFeed.ChangedAsync(database, Feed, """SELECT name, type, ttl, "values" FROM dns_record_sets WHERE version > @after ORDER BY version""", afterVersion,
            r => new DnsRecordSet(r.GetString(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? [] : JsonSerializer.Deserialize<string[]>(r.GetString(3))!),
            cancellationToken);
}

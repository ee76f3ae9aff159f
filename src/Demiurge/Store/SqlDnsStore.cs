using System.Text.Json;
using Demiurge.Dns;

namespace Demiurge.Store;

/// <summary>DNS record sets (migration 0003), a <see cref="ChangeFeed"/> that the DNS servers follow.</summary>
internal sealed class SqlDnsStore(Database database) : IDnsStore
{
    private const string Feed = "dns";

    public async Task<long> DnsRecordSetsApplyAsync(IReadOnlyList<DnsRecordSet> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        long version = 0;
        await database.WriteAsync(async session =>
        {
            version = await ChangeFeed.NextVersionAsync(session, Feed, cancellationToken);
            foreach (var set in changes)
            {
                await session.ExecuteAsync("""
                    INSERT INTO dns_record_sets (name, type, ttl, "values", version) VALUES (@name, @type, @ttl, @values, @version)
                    ON CONFLICT (name, type) DO UPDATE SET ttl = excluded.ttl, "values" = excluded."values", version = excluded.version
                    """, cancellationToken,
                    ("@name", set.Name), ("@type", set.Type), ("@ttl", set.Ttl),
                    ("@values", set.IsDeleted ? null : JsonSerializer.Serialize(set.Values)), ("@version", version));
            }

            return true;
        }, null, cancellationToken);
        return version;
    }

    public Task<(long Version, IReadOnlyList<DnsRecordSet> Changes)> DnsRecordSetsChangedAsync(long afterVersion, CancellationToken cancellationToken) =>
        ChangeFeed.ChangedAsync(database, Feed, """SELECT name, type, ttl, "values" FROM dns_record_sets WHERE version > @after ORDER BY version""", afterVersion,
            r => new DnsRecordSet(r.GetString(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? [] : JsonSerializer.Deserialize<string[]>(r.GetString(3))!),
            cancellationToken);
}

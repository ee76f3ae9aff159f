using Demiurge.Events;

namespace Demiurge.Store;

/// <summary>The audit journal, in portable SQL; <see cref="Database.WriteAsync"/> appends a change's own event.</summary>
internal sealed class SqlEventStore(Database database) : IEventStore
{
    public Task EventAppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(_ => Task.FromResult(true), auditEvent, cancellationToken);

    public Task<IReadOnlyList<AuditEvent>> EventListAsync(long afterSeq, int limit, CancellationToken cancellationToken) =>
        database.ListAsync("""
            SELECT event_id, kind, actor_user_id, organization_id, subject_id, detail, created_at, seq
            FROM events WHERE seq > @after
            ORDER BY seq LIMIT @limit
            """,
            r => new AuditEvent(r.GetString(0), r.GetString(1), r.GetNullableString(2), r.GetNullableString(3), r.GetNullableString(4), r.GetNullableString(5), r.GetTime(6))
            {
                Seq = r.GetInt64(7),
            },
            cancellationToken, ("@after", afterSeq), ("@limit", limit));
}

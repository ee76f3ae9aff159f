namespace Demiurge.Events;

/// <summary>
/// The audit journal. Changes append their own event in their transaction, through their own
/// store; this appends the events that record no change and lists them all.
/// </summary>
internal interface IEventStore
{
    /// <summary>Appends an event that records no change of its own (a scale decision, an exhausted pool).</summary>
    Task EventAppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Events in commit order whose <see cref="AuditEvent.Seq"/> is greater than <paramref name="afterSeq"/>.</summary>
    Task<IReadOnlyList<AuditEvent>> EventListAsync(long afterSeq, int limit, CancellationToken cancellationToken);
}

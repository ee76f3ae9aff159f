namespace Demiurge.Events;

/// <summary>One row of the append-only event table. <see cref="Seq"/> is assigned by the store when it appends.</summary>
internal sealed record AuditEvent(
    string EventId,
    string Kind,
    string? ActorUserId,
    string? OrganizationId,
    string? SubjectId,
    string? Detail,
    DateTimeOffset CreatedAt)
{
    public long Seq { get; init; }
}

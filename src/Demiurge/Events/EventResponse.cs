namespace Demiurge.Events;

internal sealed record EventResponse(long Seq, string EventId, string Kind, string? ActorUserId, string? OrganizationId, string? SubjectId, string? Detail, DateTimeOffset CreatedAt)
{
    public static EventResponse From(AuditEvent e) => new(e.Seq, e.EventId, e.Kind, e.ActorUserId, e.OrganizationId, e.SubjectId, e.Detail, e.CreatedAt);
}

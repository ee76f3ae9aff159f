namespace Demiurge.Events;

/// <summary>One row of the append-only event table.</summary>
internal sealed record AuditEvent(
    string EventId,
    string Kind,
    string? ActorUserId,
    string? OrganizationId,
    string? SubjectId,
    string? Detail,
    DateTimeOffset CreatedAt);

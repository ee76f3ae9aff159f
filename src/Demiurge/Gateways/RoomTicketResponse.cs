namespace Demiurge.Gateways;

/// <summary>A room ticket: pass it as <c>?ticket=</c> when opening <see cref="Path"/> on the organization's gateway before <see cref="ExpiresAt"/>.</summary>
internal sealed record RoomTicketResponse(string Ticket, DateTimeOffset ExpiresAt, string OrganizationId, string ProjectId, string Path);

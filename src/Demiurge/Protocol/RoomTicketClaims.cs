namespace Demiurge.Protocol;

/// <summary>What a <see cref="RoomTicket"/> says: who may open which project's room, until when.</summary>
internal sealed record RoomTicketClaims(string OrganizationId, string ProjectId, string UserId, string Username, DateTimeOffset ExpiresAt);

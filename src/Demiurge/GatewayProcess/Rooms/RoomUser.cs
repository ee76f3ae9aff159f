namespace Demiurge.GatewayProcess.Rooms;

/// <summary>Who is connected: the user the token or ticket named.</summary>
internal sealed record RoomUser(string UserId, string Username);

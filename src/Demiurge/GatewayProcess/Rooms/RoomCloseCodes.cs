namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// The WebSocket close codes a room closes a connection with (docs/rooms.md). y-websocket 3
/// reconnects after every close but those from 4400 to 4499, which it takes as final: the 44xx
/// codes below are refusals a new connection would meet again, the others pass.
/// </summary>
internal static class RoomCloseCodes
{
    /// <summary>The organization was released (or the gateway is stopping): reconnect, and the next allocation serves the room.</summary>
    public const int Released = 1012;

    /// <summary>A message that is not the y-websocket protocol (a text frame, a bad encoding, an unknown type).</summary>
    public const int ProtocolError = 4400;

    /// <summary>The user is no longer a member of the organization.</summary>
    public const int NotMember = 4403;

    /// <summary>The project was deleted.</summary>
    public const int ProjectDeleted = 4404;

    /// <summary>The project's stored document is not a room document (written whole through <c>PUT /projects/{id}/state</c>, say).</summary>
    public const int Unreadable = 4422;

    /// <summary>A message over the limit (<see cref="RoomLimits.MessageMaxBytes"/>).</summary>
    public const int MessageTooLarge = 4413;

    /// <summary>The update would take the organization's data over its storage quota; it was not applied.</summary>
    public const int StorageQuotaExceeded = 4420;

    /// <summary>The room has <see cref="RoomLimits.ConnectionsPerRoom"/> connections already.</summary>
    public const int RoomFull = 4503;

    /// <summary>The gateway has <see cref="RoomLimits.RoomsPerGateway"/> rooms open already.</summary>
    public const int GatewayFull = 4504;

    /// <summary>The client does not read what the room sends it fast enough.</summary>
    public const int TooSlow = 4508;

    /// <summary>More than <see cref="RoomLimits.UpdatesPerSecond"/> updates per second.</summary>
    public const int TooManyUpdates = 4529;
}

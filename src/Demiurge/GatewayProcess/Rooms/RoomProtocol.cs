using Demiurge.GatewayProcess.Permissions;

namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// What one connection's messages do in its room: sync step 1 is answered, members' updates are
/// applied and relayed, viewers' are refused with y-protocols' permission-denied, awareness is
/// relayed, query-awareness answered. Document updates and awareness changes are user activity;
/// sync step 1, query-awareness and an awareness renewal that repeats the same state are not.
/// </summary>
internal sealed partial class RoomProtocol(
    Room room, RoomConnection connection, Func<MemberRole?> role, RoomLimits limits, TimeProvider time, ILogger logger)
{
    /// <summary>Handles one whole message from the client; a message that breaks the protocol or a limit closes the connection.</summary>
    public void Handle(RoomConnection from, ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        var position = 0;
        if (!RoomWire.TryReadVarUint(span, ref position, out var type))
        {
            ProtocolError("an empty message");
            return;
        }

        switch (type)
        {
            case RoomMessages.Sync:
                if (!RoomWire.TryReadVarUint(span, ref position, out var syncType) || !RoomWire.TryReadVarBytes(span, ref position, out var payload))
                {
                    ProtocolError("a sync message cut short");
                }
                else if (syncType == RoomMessages.SyncStep1)
                {
                    if (!room.SyncStep1(from, span[payload]))
                    {
                        ProtocolError("a state vector that does not decode");
                    }
                }
                else if (syncType is RoomMessages.SyncStep2 or RoomMessages.SyncUpdate)
                {
                    if (TakeUpdate())
                    {
                        Update(span[payload], step2: syncType == RoomMessages.SyncStep2);
                    }
                }
                else
                {
                    ProtocolError($"sync message type {syncType}");
                }

                break;
            case RoomMessages.Awareness:
                if (!TakeUpdate())
                {
                    break;
                }

                if (!RoomWire.TryReadVarBytes(span, ref position, out var awareness) || RoomMessages.ReadAwareness(span[awareness]) is not { } entries)
                {
                    ProtocolError("an awareness message that is not one");
                }
                else
                {
                    room.Awareness(from, entries);
                }

                break;
            case RoomMessages.QueryAwareness:
                room.QueryAwareness(from);
                break;
            case RoomMessages.Auth:
                break; // y-protocols' auth goes from the server to the client only: nothing to do
            default:
                ProtocolError($"message type {type}");
                break;
        }
    }

    /// <summary>A client's update; <paramref name="step2"/> for its sync step 2, which often holds only what the room has already.</summary>
    private void Update(ReadOnlySpan<byte> update, bool step2)
    {
        if (!RoomDocument.IsValid(update))
        {
            ProtocolError("an update that does not decode");
            return;
        }

        var current = role();
        if (current is null)
        {
            Refuse(RoomCloseCodes.NotMember, "not a member of the organization");
            return;
        }

        if (current == MemberRole.Viewer)
        {
            // A viewer's sync step 2 with nothing new is no write: it is not refused.
            if (!room.AddsNothing(update))
            {
                LogViewerRefused(logger, room.ProjectId, connection.User.UserId, update.Length);
                connection.Send(RoomMessages.PermissionDenied("viewers read only: this update was not applied"));
            }

            return;
        }

        switch (room.Update(connection, update, step2))
        {
            case ProjectAccess.Done:
                break;
            case ProjectAccess.QuotaExceeded:
                Refuse(RoomCloseCodes.StorageQuotaExceeded, "the organization's storage quota is used up");
                break;
            case ProjectAccess.UnknownProject:
                Refuse(RoomCloseCodes.ProjectDeleted, "the project was deleted");
                break;
            default:
                connection.Close(RoomCloseCodes.Released, "organization released");
                break;
        }
    }

    private bool TakeUpdate()
    {
        if (connection.TryTakeUpdate(time.GetTimestamp(), time, limits.UpdatesPerSecond))
        {
            return true;
        }

        Refuse(RoomCloseCodes.TooManyUpdates, $"more than {limits.UpdatesPerSecond} updates per second");
        return false;
    }

    private void ProtocolError(string what) => Refuse(RoomCloseCodes.ProtocolError, $"not the y-websocket protocol: {what}");

    private void Refuse(int code, string reason)
    {
        LogClosed(logger, room.ProjectId, connection.User.UserId, code, reason);
        connection.Close(code, reason);
    }

    [LoggerMessage(EventId = 4210, Level = LogLevel.Warning, Message = "Room of project {ProjectId} closed the connection of user {UserId} with {CloseCode}: {Reason}")]
    private static partial void LogClosed(ILogger logger, string projectId, string userId, int closeCode, string reason);

    [LoggerMessage(EventId = 4211, Level = LogLevel.Information, Message = "Room of project {ProjectId} refused an update of {Bytes} bytes from viewer {UserId}")]
    private static partial void LogViewerRefused(ILogger logger, string projectId, string userId, int bytes);
}

using System.Buffers;

namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// The y-websocket protocol's messages, framed as <c>y-protocols</c> frames them: a varUint
/// message type, then for sync a varUint sync type and a varUint8Array (a state vector or an
/// update), for awareness a varUint8Array of awareness entries, for auth a varUint reason type
/// and a varString.
/// </summary>
internal static class RoomMessages
{
    public const ulong Sync = 0;
    public const ulong Awareness = 1;
    public const ulong Auth = 2;
    public const ulong QueryAwareness = 3;

    public const ulong SyncStep1 = 0;
    public const ulong SyncStep2 = 1;
    public const ulong SyncUpdate = 2;

    private const ulong AuthPermissionDenied = 0;

    /// <summary>The sync message of <paramref name="syncType"/> carrying <paramref name="payload"/> (a state vector for step 1, an update otherwise).</summary>
    public static byte[] SyncMessage(ulong syncType, ReadOnlySpan<byte> payload)
    {
        var writer = new ArrayBufferWriter<byte>(payload.Length + 8);
        RoomWire.WriteVarUint(writer, Sync);
        RoomWire.WriteVarUint(writer, syncType);
        RoomWire.WriteVarBytes(writer, payload);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>An awareness message of the given entries.</summary>
    public static byte[] AwarenessMessage(IReadOnlyCollection<AwarenessEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var inner = new ArrayBufferWriter<byte>();
        RoomWire.WriteVarUint(inner, (ulong)entries.Count);
        foreach (var entry in entries)
        {
            RoomWire.WriteVarUint(inner, entry.ClientId);
            RoomWire.WriteVarUint(inner, entry.Clock);
            RoomWire.WriteVarString(inner, entry.State);
        }

        var writer = new ArrayBufferWriter<byte>(inner.WrittenCount + 8);
        RoomWire.WriteVarUint(writer, Awareness);
        RoomWire.WriteVarBytes(writer, inner.WrittenSpan);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The auth message y-protocols reads as permission denied, with <paramref name="reason"/>.</summary>
    public static byte[] PermissionDenied(string reason)
    {
        var writer = new ArrayBufferWriter<byte>();
        RoomWire.WriteVarUint(writer, Auth);
        RoomWire.WriteVarUint(writer, AuthPermissionDenied);
        RoomWire.WriteVarString(writer, reason);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The awareness entries of an awareness message's payload; null when it is not one. The
    /// state is kept as the JSON text the client sent (<c>null</c> for a removed client): the room
    /// relays it and compares it, never interprets it.
    /// </summary>
    public static List<AwarenessEntry>? ReadAwareness(ReadOnlySpan<byte> payload)
    {
        var position = 0;
        if (!RoomWire.TryReadVarUint(payload, ref position, out var count) || count > (ulong)payload.Length)
        {
            return null;
        }

        var entries = new List<AwarenessEntry>((int)count);
        for (ulong i = 0; i < count; i++)
        {
            if (!RoomWire.TryReadVarUint(payload, ref position, out var clientId)
                || !RoomWire.TryReadVarUint(payload, ref position, out var clock)
                || !RoomWire.TryReadVarString(payload, ref position, out var state))
            {
                return null;
            }

            entries.Add(new AwarenessEntry(clientId, clock, state));
        }

        return position == payload.Length ? entries : null;
    }
}

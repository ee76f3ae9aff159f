using Demiurge.Yjs;

namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// A room's Yjs document as the server holds it: one merged update (<see cref="YUpdate"/>), with
/// no document model. The only class of the rooms that knows the update format; the room locks
/// around it. The project's document stores that update, base64.
/// </summary>
/// <remarks>
/// Every applied update is merged into the whole document at once, which costs time in the
/// document's size; the rooms benchmark (bench/rooms.sh) measures it.
/// </remarks>
internal sealed class RoomDocument
{
    private byte[] _merged;
    private byte[] _stateVector;

    private RoomDocument(byte[] merged)
    {
        _merged = merged;
        _stateVector = YUpdate.EncodeStateVector(merged);
    }

    /// <summary>What the document weighs in memory.</summary>
    public long Bytes => _merged.Length;

    /// <summary>
    /// The document stored for the project (base64, as the project document holds it), or an empty
    /// one for none; null when the stored content is not a Yjs update.
    /// </summary>
    public static RoomDocument? Load(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return new RoomDocument(YUpdate.Empty.ToArray());
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(stored);
        }
        catch (FormatException)
        {
            return null;
        }

        return YUpdate.IsValid(bytes) ? new RoomDocument(bytes) : null;
    }

    /// <summary>Whether a client's update decodes: one that does not is never stored or relayed.</summary>
    public static bool IsValid(ReadOnlySpan<byte> update) => YUpdate.IsValid(update);

    /// <summary>The server's sync step 1: its state vector.</summary>
    public byte[] StateVector() => _stateVector;

    /// <summary>The answer to a client's sync step 1: a step 2 with what it lacks; null for a state vector that does not decode.</summary>
    public byte[]? SyncStep2(ReadOnlySpan<byte> clientStateVector)
    {
        try
        {
            return RoomMessages.SyncMessage(RoomMessages.SyncStep2, YUpdate.Diff(_merged, clientStateVector));
        }
        catch (YjsFormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// The document with a valid <paramref name="update"/> merged in, or null when the update adds
    /// nothing (a client's sync step 2 of what the room already holds). This one is unchanged.
    /// </summary>
    public byte[]? With(ReadOnlySpan<byte> update)
    {
        if (YUpdate.IsEmpty(update))
        {
            return null;
        }

        var merged = YUpdate.Merge([_merged, update.ToArray()]);
        return merged.AsSpan().SequenceEqual(_merged) ? null : merged;
    }

    /// <summary>Takes the document <see cref="With"/> gave, once it is stored.</summary>
    public void Apply(byte[] merged)
    {
        _merged = merged;
        _stateVector = YUpdate.EncodeStateVector(merged);
    }
}

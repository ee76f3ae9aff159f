using System.Buffers;

namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// A room's Yjs document as the server holds it: updates, without a document model. The only
/// class of the rooms that knows the update format; the room locks around it.
/// </summary>
/// <remarks>
/// <para>
/// STAND-IN, TO SWAP FOR <c>Demiurge.Yjs.YUpdate</c> AT MERGE. Until the codec lands this keeps
/// every update it received, in order, and stores them framed as a lib0 list (<see cref="s_listMagic"/>,
/// a varUint count, then each update as a varUint8Array), base64; a stored document without that
/// prefix (one written whole through <c>PUT /projects/{id}/state</c>) is taken as one update. yjs applies updates in any order and any number of
/// times, so answering sync step 1 with an empty step 2 followed by one update message per stored
/// update gives every client the whole document. With <c>YUpdate</c> each member changes as its
/// comment says: the document becomes ONE merged update (<c>YUpdate.Merge</c>), stored as that
/// update's base64, step 2 becomes <c>YUpdate.Diff</c> against the client's state vector, and step 1
/// sends <c>YUpdate.EncodeStateVector</c>. <see cref="Load"/> must then still read the stand-in
/// list (merging its updates) for documents saved before the swap, or the lead drops that format.
/// </para>
/// </remarks>
internal sealed class RoomDocument
{
    /// <summary>The empty update: no structs, an empty delete set.</summary>
    public static readonly byte[] EmptyUpdate = [0, 0];

    /// <summary>
    /// Opens the stand-in's list. A Yjs update starting so would list 8,831 clients in its first
    /// varUint, then a client with a 22-byte name: not a document anyone stores.
    /// </summary>
    private static readonly byte[] s_listMagic = [0xFF, .. "demiurge-room-list-v1\n"u8];

    /// <summary>The empty state vector: no clients.</summary>
    private static readonly byte[] s_emptyStateVector = [0];

    // YUpdate: one merged update instead of this list.
    private readonly List<byte[]> _updates;

    private RoomDocument(List<byte[]> updates)
    {
        _updates = updates;
        Bytes = updates.Sum(u => (long)u.Length);
    }

    /// <summary>What the document weighs in memory.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// The document stored for the project (base64, as the project document holds it), or an empty
    /// one for none; null when the stored content is not a room document.
    /// </summary>
    public static RoomDocument? Load(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return new RoomDocument([]);
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

        // YUpdate: the stored bytes are one update; check it decodes (YUpdate.EncodeStateVector throws on garbage) and keep it.
        if (!bytes.AsSpan().StartsWith(s_listMagic))
        {
            return new RoomDocument([bytes]);
        }

        var position = s_listMagic.Length;
        if (!RoomWire.TryReadVarUint(bytes, ref position, out var count) || count > (ulong)bytes.Length)
        {
            return null;
        }

        var updates = new List<byte[]>((int)count);
        for (ulong i = 0; i < count; i++)
        {
            if (!RoomWire.TryReadVarBytes(bytes, ref position, out var update))
            {
                return null;
            }

            updates.Add(bytes[update]);
        }

        return position == bytes.Length ? new RoomDocument(updates) : null;
    }

    /// <summary>The server's sync step 1: its state vector.</summary>
#pragma warning disable CA1822 // an instance member: with YUpdate it is the merged update's state vector
    public byte[] StateVector() => s_emptyStateVector; // YUpdate: YUpdate.EncodeStateVector(merged)
#pragma warning restore CA1822

    /// <summary>The answer to a client's sync step 1: the sync messages that give it what it lacks.</summary>
    public List<byte[]> SyncStep2(ReadOnlySpan<byte> clientStateVector)
    {
        _ = clientStateVector; // YUpdate: [SyncMessage(SyncStep2, YUpdate.Diff(merged, clientStateVector))], and nothing else
        var messages = new List<byte[]>(_updates.Count + 1) { RoomMessages.SyncMessage(RoomMessages.SyncStep2, EmptyUpdate) };
        messages.AddRange(_updates.Select(update => RoomMessages.SyncMessage(RoomMessages.SyncUpdate, update)));
        return messages;
    }

    /// <summary>
    /// Whether <paramref name="update"/> would change nothing: a viewer may send such an update
    /// (its sync step 2 when it has nothing new) without being told it may not write.
    /// </summary>
    public bool AddsNothing(ReadOnlySpan<byte> update)
    {
        // YUpdate: YUpdate.IsEmpty(update) || YUpdate.IsEmpty(YUpdate.Diff(update, EncodeStateVector(merged))) with no deletions.
        if (update.SequenceEqual(EmptyUpdate))
        {
            return true;
        }

        foreach (var stored in _updates)
        {
            if (update.SequenceEqual(stored))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The document with <paramref name="update"/> applied, encoded as <see cref="Apply"/> would store it; this one is unchanged.</summary>
    public string EncodeWith(ReadOnlySpan<byte> update)
    {
        // YUpdate: Convert.ToBase64String(YUpdate.Merge([merged, update])), kept to be taken by Apply.
        var writer = new ArrayBufferWriter<byte>((int)Math.Min(int.MaxValue, Bytes + update.Length + 64 + (_updates.Count * 4)));
        writer.Write(s_listMagic);
        RoomWire.WriteVarUint(writer, (ulong)_updates.Count + 1);
        foreach (var stored in _updates)
        {
            RoomWire.WriteVarBytes(writer, stored);
        }

        RoomWire.WriteVarBytes(writer, update);
        return Convert.ToBase64String(writer.WrittenSpan);
    }

    /// <summary>Applies <paramref name="update"/> (once its encoding was stored).</summary>
    public void Apply(ReadOnlySpan<byte> update)
    {
        // YUpdate: merged = the Merge computed by EncodeWith.
        _updates.Add(update.ToArray());
        Bytes += update.Length;
    }
}

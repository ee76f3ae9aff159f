using Demiurge.Yjs;

namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// A room's Yjs document as the server holds it: one merged update (<see cref="YUpdate"/>), with
/// no document model, and the updates taken since it was last merged. The only class of the rooms
/// that knows the update format; the room locks around it.
/// </summary>
/// <remarks>
/// Merging costs time in the document's size, so an update is not merged when it comes: it is
/// kept, and the document is merged when a sync needs it whole (a client's sync step 1, the
/// room's state vector) or when the kept updates pass a bound (<see cref="MaxPendingUpdates"/>,
/// or as many bytes as the document).
/// </remarks>
internal sealed class RoomDocument
{
    /// <summary>Updates kept unmerged at most.</summary>
    public const int MaxPendingUpdates = 64;

    private const int MinPendingBytes = 64 * 1024;

    private readonly List<ReadOnlyMemory<byte>> _pending = [];
    private byte[] _merged;
    private byte[]? _stateVector;
    private long _pendingBytes;

    private RoomDocument(byte[] merged)
    {
        _merged = merged;
    }

    /// <summary>What the document weighs in memory.</summary>
    public long Bytes => _merged.Length + _pendingBytes;

    /// <summary>Whether it took an update since it was loaded.</summary>
    public bool Changed { get; private set; }

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
    public byte[] StateVector()
    {
        Merge();
        return _stateVector ??= YUpdate.EncodeStateVector(_merged);
    }

    /// <summary>The answer to a client's sync step 1: a step 2 with what it lacks; null for a state vector that does not decode.</summary>
    public byte[]? SyncStep2(ReadOnlySpan<byte> clientStateVector)
    {
        Merge();
        try
        {
            return RoomMessages.SyncMessage(RoomMessages.SyncStep2, YUpdate.Diff(_merged, clientStateVector));
        }
        catch (YjsFormatException)
        {
            return null;
        }
    }

    /// <summary>Whether a valid <paramref name="update"/> would change nothing (a client's sync step 2 of what the room already holds).</summary>
    public bool AddsNothing(ReadOnlySpan<byte> update) => With(update.ToArray()) is null;

    /// <summary>
    /// The whole document with a valid <paramref name="update"/> merged in, or null when that changes
    /// nothing; this one is unchanged until <see cref="Take"/>. For a client's sync step 2, which
    /// must be compared with the document anyway: the merge that compares it is kept.
    /// </summary>
    public byte[]? With(byte[] update)
    {
        if (YUpdate.IsEmpty(update))
        {
            return null;
        }

        Merge();
        var merged = YUpdate.Merge([_merged, update]);
        return merged.AsSpan().SequenceEqual(_merged) ? null : merged;
    }

    /// <summary>Takes the document <see cref="With"/> gave, once its update is stored.</summary>
    public void Take(byte[] merged)
    {
        _merged = merged;
        _stateVector = null;
        Changed = true;
    }

    /// <summary>Takes a valid update (kept as it is: it must not change); true when that merged the document (its size changed).</summary>
    public bool Append(byte[] update)
    {
        ArgumentNullException.ThrowIfNull(update);
        _pending.Add(update);
        _pendingBytes += update.Length;
        Changed = true;
        return (_pending.Count >= MaxPendingUpdates || _pendingBytes > Math.Max(MinPendingBytes, _merged.Length)) && Merge();
    }

    /// <summary>The whole document, merged.</summary>
    public byte[] Snapshot()
    {
        Merge();
        return _merged;
    }

    /// <summary>Merges the kept updates into the document; false when there were none.</summary>
    public bool Merge()
    {
        if (_pending.Count == 0)
        {
            return false;
        }

        _pending.Insert(0, _merged);
        _merged = YUpdate.Merge(_pending);
        _pending.Clear();
        _pendingBytes = 0;
        _stateVector = null;
        return true;
    }
}

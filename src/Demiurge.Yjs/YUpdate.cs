namespace Demiurge.Yjs;

/// <summary>
/// Yjs updates (format v1) without a document: merge them, read their state vector, and cut the part a peer
/// lacks. Each method gives what the function of the same name in the <c>yjs</c> package gives, and checks its
/// input completely: a malformed update throws <see cref="YjsFormatException"/> and nothing is returned.
/// </summary>
public static class YUpdate
{
    private static readonly byte[] s_empty = [0, 0];

    /// <summary>The update that changes nothing: no structs and an empty delete set.</summary>
    public static ReadOnlySpan<byte> Empty => s_empty;

    /// <summary>
    /// Merges updates into one, as <c>Y.mergeUpdates</c> does; for updates Yjs wrote, the bytes are the ones it gives.
    /// Parts of a client that are missing between the updates become skips, so the result still applies
    /// (pending the missing parts) in Yjs. A single update is checked and returned as a copy.
    /// </summary>
    public static byte[] Merge(IReadOnlyList<ReadOnlyMemory<byte>> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (updates.Count == 1)
        {
            Validate(updates[0].Span);
            return updates[0].ToArray();
        }
        return UpdateMerger.Merge(updates);
    }

    /// <summary>
    /// The state vector of an update, as <c>Y.encodeStateVectorFromUpdate</c> gives it: per client, the clock up to
    /// which the update holds every struct from clock 0 on. Clients whose structs do not start at 0 are left out.
    /// </summary>
    public static byte[] EncodeStateVector(ReadOnlySpan<byte> update)
    {
        var reader = new UpdateReader(update);
        var entries = new List<YId>();
        if (reader.TryRead(out var block))
        {
            var client = block.Client;
            var counting = block.Clock == 0;
            ulong clock = counting ? block.End : 0;
            // As in Yjs, the first struct goes through the loop too: a leading skip stops the count after it.
            do
            {
                if (block.Client != client)
                {
                    if (clock != 0)
                    {
                        entries.Add(new YId(client, clock));
                    }
                    client = block.Client;
                    clock = 0;
                    counting = block.Clock == 0;
                }
                if (block.Kind == YBlockKind.Skip)
                {
                    counting = false;
                }
                if (counting)
                {
                    clock = block.End;
                }
            }
            while (reader.TryRead(out block));
            if (clock != 0)
            {
                entries.Add(new YId(client, clock));
            }
        }
        reader.ReadDeleteSet();
        var writer = new Lib0Writer(1 + (entries.Count * 12));
        writer.WriteVarUint((ulong)entries.Count);
        foreach (var entry in entries)
        {
            writer.WriteVarUint(entry.Client);
            writer.WriteVarUint(entry.Clock);
        }
        return writer.ToArray();
    }

    /// <summary>Encodes a state vector (client → next expected clock), clients in descending order as Yjs writes them.</summary>
    public static byte[] EncodeStateVector(IReadOnlyDictionary<ulong, ulong> stateVector)
    {
        ArgumentNullException.ThrowIfNull(stateVector);
        var writer = new Lib0Writer(1 + (stateVector.Count * 12));
        writer.WriteVarUint((ulong)stateVector.Count);
        foreach (var (client, clock) in stateVector.OrderByDescending(pair => pair.Key))
        {
            writer.WriteVarUint(client);
            writer.WriteVarUint(clock);
        }
        return writer.ToArray();
    }

    /// <summary>Decodes a state vector: client → the clock it expects next. A client named twice keeps its last clock.</summary>
    public static IReadOnlyDictionary<ulong, ulong> DecodeStateVector(ReadOnlySpan<byte> stateVector)
    {
        var reader = new Lib0Reader(stateVector);
        var count = reader.ReadVarUint();
        // An entry takes at least two bytes, which bounds a forged count.
        var state = new Dictionary<ulong, ulong>((int)Math.Min(count, (ulong)reader.Remaining / 2));
        for (ulong i = 0; i < count; i++)
        {
            var client = reader.ReadVarUint();
            state[client] = reader.ReadVarUint();
        }
        return state;
    }

    /// <summary>
    /// The part of <paramref name="update"/> that a peer with <paramref name="stateVector"/> lacks, as <c>Y.diffUpdate</c>
    /// gives it. The delete set is kept whole, since a state vector says nothing about deletions.
    /// </summary>
    public static byte[] Diff(ReadOnlySpan<byte> update, ReadOnlySpan<byte> stateVector)
    {
        var state = DecodeStateVector(stateVector);
        var writer = new StructWriter();
        var reader = new UpdateReader(update);
        var has = reader.TryRead(out var current);
        while (has)
        {
            var client = current.Client;
            var known = state.GetValueOrDefault(client);
            if (current.Kind == YBlockKind.Skip)
            {
                // The first struct written for a client is never a skip.
                has = reader.TryRead(out current);
                continue;
            }
            if (current.End > known)
            {
                writer.Write(current, update, known > current.Clock ? known - current.Clock : 0);
                has = reader.TryRead(out current);
                while (has && current.Client == client)
                {
                    writer.Write(current, update, 0);
                    has = reader.TryRead(out current);
                }
            }
            else
            {
                while (has && current.Client == client && current.End <= known)
                {
                    has = reader.TryRead(out current);
                }
            }
        }
        var deletes = reader.ReadDeleteSet();
        var output = new Lib0Writer(update.Length + 16);
        writer.Finish(output);
        deletes.Write(output);
        return output.ToArray();
    }

    /// <summary>Whether the update changes nothing: no item or GC struct, and no deleted range of non-zero length.</summary>
    public static bool IsEmpty(ReadOnlySpan<byte> update)
    {
        var reader = new UpdateReader(update);
        var empty = true;
        while (reader.TryRead(out var block))
        {
            empty &= block.Kind == YBlockKind.Skip;
        }
        return !reader.ReadDeleteSet().HasDeletions && empty;
    }

    /// <summary>Checks that <paramref name="update"/> is a well-formed v1 update; throws <see cref="YjsFormatException"/> if not.</summary>
    public static void Validate(ReadOnlySpan<byte> update)
    {
        var reader = new UpdateReader(update);
        reader.ReadDeleteSet();
    }

    /// <summary>Whether <paramref name="update"/> is a well-formed v1 update.</summary>
    public static bool IsValid(ReadOnlySpan<byte> update)
    {
        try
        {
            Validate(update);
            return true;
        }
        catch (YjsFormatException)
        {
            return false;
        }
    }
}

namespace Demiurge.Yjs;

/// <summary>
/// The delete set at the end of an update: per client, the clock ranges that are deleted.
/// Clients keep the order in which they first appeared; ranges keep the order they were read in until merged.
/// </summary>
internal sealed class DeleteSet
{
    private readonly Dictionary<ulong, List<DeleteRange>> _ranges = [];

    public int ClientCount => _ranges.Count;

    public bool HasDeletions => _ranges.Values.Any(ranges => ranges.Any(range => range.Length > 0));

    public static DeleteSet Read(ref Lib0Reader reader)
    {
        var set = new DeleteSet();
        var clients = reader.ReadVarUint();
        for (ulong c = 0; c < clients; c++)
        {
            var client = reader.ReadVarUint();
            var count = reader.ReadVarUint();
            if (count == 0)
            {
                // Yjs forgets a client with no ranges.
                continue;
            }
            if (!set._ranges.TryGetValue(client, out var ranges))
            {
                // A range takes at least two bytes, which bounds a forged count.
                ranges = new List<DeleteRange>((int)Math.Min(count, (ulong)reader.Remaining / 2));
                set._ranges.Add(client, ranges);
            }
            for (ulong i = 0; i < count; i++)
            {
                var range = new DeleteRange(reader.ReadVarUint(), reader.ReadVarUint());
                if (range.End > Lib0Reader.MaxSafeInteger)
                {
                    throw new YjsFormatException("A deleted range ends beyond 53 bits.");
                }
                ranges.Add(range);
            }
        }
        return set;
    }

    /// <summary>Every range of every set, per client sorted by clock with overlapping and adjacent ranges joined.</summary>
    public static DeleteSet Merge(IReadOnlyList<DeleteSet> sets)
    {
        var merged = new DeleteSet();
        foreach (var set in sets)
        {
            foreach (var (client, ranges) in set._ranges)
            {
                if (!merged._ranges.TryGetValue(client, out var into))
                {
                    into = [];
                    merged._ranges.Add(client, into);
                }
                into.AddRange(ranges);
            }
        }
        foreach (var ranges in merged._ranges.Values)
        {
            SortAndJoin(ranges);
        }
        return merged;
    }

    /// <summary>Writes the set with clients in descending order, as Yjs does to be deterministic.</summary>
    public void Write(Lib0Writer writer)
    {
        writer.WriteVarUint((ulong)_ranges.Count);
        foreach (var (client, ranges) in _ranges.OrderByDescending(pair => pair.Key))
        {
            writer.WriteVarUint(client);
            writer.WriteVarUint((ulong)ranges.Count);
            foreach (var range in ranges)
            {
                writer.WriteVarUint(range.Clock);
                writer.WriteVarUint(range.Length);
            }
        }
    }

    private static void SortAndJoin(List<DeleteRange> ranges)
    {
        // Ranges with equal clocks join to the longer one whatever their order, so an unstable sort is fine.
        ranges.Sort(static (a, b) => a.Clock.CompareTo(b.Clock));
        var kept = 1;
        for (var i = 1; i < ranges.Count; i++)
        {
            var left = ranges[kept - 1];
            var right = ranges[i];
            if (left.End >= right.Clock)
            {
                ranges[kept - 1] = new DeleteRange(left.Clock, Math.Max(left.Length, right.End - left.Clock));
            }
            else
            {
                ranges[kept++] = right;
            }
        }
        if (ranges.Count > kept)
        {
            ranges.RemoveRange(kept, ranges.Count - kept);
        }
    }
}

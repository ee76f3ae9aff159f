using System.Runtime.InteropServices;

namespace Demiurge.Yjs;

/// <summary>
/// Merges updates as Yjs's <c>mergeUpdates</c> does, struct for struct: higher clients first, overlapping
/// parts written once, gaps of a client filled with skips, the delete sets joined. Following its order
/// exactly is what makes the output byte for byte the one Yjs gives.
/// </summary>
internal sealed class UpdateMerger
{
    private readonly IReadOnlyList<ReadOnlyMemory<byte>> _updates;
    private readonly List<YBlock>[] _blocks;
    private readonly int[] _positions;
    private readonly DeleteSet[] _deletes;
    private readonly StructWriter _writer = new();
    private readonly Func<int, int, int> _compare;

    private UpdateMerger(IReadOnlyList<ReadOnlyMemory<byte>> updates)
    {
        _updates = updates;
        _blocks = new List<YBlock>[updates.Count];
        _positions = new int[updates.Count];
        _deletes = new DeleteSet[updates.Count];
        _compare = CompareDecoders;
        for (var i = 0; i < updates.Count; i++)
        {
            var reader = new UpdateReader(updates[i].Span);
            var blocks = new List<YBlock>();
            while (reader.TryRead(out var block))
            {
                // Merging ignores the skips of its inputs and computes its own.
                if (block.Kind != YBlockKind.Skip)
                {
                    block.Source = i;
                    blocks.Add(block);
                }
            }
            _deletes[i] = reader.ReadDeleteSet();
            _blocks[i] = blocks;
        }
    }

    public static byte[] Merge(IReadOnlyList<ReadOnlyMemory<byte>> updates)
    {
        var merger = new UpdateMerger(updates);
        return merger.Run();
    }

    private byte[] Run()
    {
        var order = new List<int>(_blocks.Length);
        for (var i = 0; i < _blocks.Length; i++)
        {
            order.Add(i);
        }
        YBlock pending = default;
        var hasPending = false;
        var mixedTies = -1; // unknown until the first full sort
        while (true)
        {
            mixedTies = Reorder(order, mixedTies);
            if (order.Count == 0)
            {
                break;
            }
            var decoder = order[0];
            var firstClient = Current(decoder).Client;
            if (hasPending)
            {
                if (!Step(decoder, firstClient, ref pending))
                {
                    continue;
                }
            }
            else
            {
                pending = Current(decoder);
                hasPending = true;
                _positions[decoder]++;
            }
            // Write on from this decoder while it continues the same client without a gap.
            while (HasCurrent(decoder))
            {
                var next = Current(decoder);
                if (next.Client != firstClient || next.Clock != pending.End)
                {
                    break;
                }
                Write(pending);
                pending = next;
                _positions[decoder]++;
            }
        }
        if (hasPending)
        {
            Write(pending);
        }
        var output = new Lib0Writer((int)Math.Min(_updates.Sum(update => (long)update.Length) + 16, 1 << 20));
        _writer.Finish(output);
        DeleteSet.Merge(_deletes).Write(output);
        return output.ToArray();
    }

    /// <summary>One step with a struct pending; false when the decoders must be sorted again first.</summary>
    private bool Step(int decoder, ulong firstClient, ref YBlock pending)
    {
        var iterated = false;
        // Pass over what has been written already (higher clients are written first).
        while (HasCurrent(decoder) && Current(decoder).End <= pending.End && Current(decoder).Client >= pending.Client)
        {
            _positions[decoder]++;
            iterated = true;
        }
        if (!HasCurrent(decoder))
        {
            return false;
        }
        var current = Current(decoder);
        if (current.Client != firstClient || (iterated && current.Clock > pending.End))
        {
            return false;
        }
        if (firstClient != pending.Client)
        {
            Write(pending);
            pending = current;
            _positions[decoder]++;
        }
        else if (pending.End < current.Clock)
        {
            if (pending.Kind == YBlockKind.Skip)
            {
                pending.Length = current.End - pending.Clock;
            }
            else
            {
                Write(pending);
                pending = YBlock.Filler(YBlockKind.Skip, firstClient, pending.End, current.Clock - pending.End);
            }
        }
        else
        {
            var overlap = pending.End - current.Clock;
            if (overlap > 0)
            {
                if (pending.Kind == YBlockKind.Skip)
                {
                    // Shorten the skip rather than the struct, which carries more.
                    pending.Length -= overlap;
                }
                else
                {
                    current = current.SliceFrom(overlap);
                }
            }
            if (!TryJoin(ref pending, current))
            {
                Write(pending);
                pending = current;
                _positions[decoder]++;
            }
        }
        return true;
    }

    /// <summary>Yjs joins adjacent GCs and adjacent skips here; items never, as the lazy items have no right neighbour.</summary>
    private static bool TryJoin(ref YBlock left, in YBlock right)
    {
        if (left.Kind == YBlockKind.Item || left.Kind != right.Kind)
        {
            return false;
        }
        left.Length += right.Length;
        return true;
    }

    private void Write(in YBlock block) =>
        _writer.Write(block, block.Kind == YBlockKind.Item ? _updates[block.Source].Span : default, 0);

    /// <summary>
    /// Filters and sorts the decoders as Yjs does before each step; returns the number of mixed ties (an item and
    /// a GC at the same clock, which Yjs's comparator orders inconsistently) behind the first decoder.
    /// </summary>
    /// <remarks>
    /// A step only moves the first decoder on. Without mixed ties the comparator is consistent, so V8's stable sort
    /// puts the first decoder before its equals and leaves the rest alone: a binary search finds its place in
    /// O(log n) instead of Yjs's O(n) filter and sort. With mixed ties the whole sort is replayed.
    /// </remarks>
    private int Reorder(List<int> order, int mixedTies)
    {
        if (mixedTies == 0 && order.Count > 0)
        {
            var first = order[0];
            order.RemoveAt(0);
            if (!HasCurrent(first))
            {
                return 0;
            }
            ref readonly var moved = ref Current(first);
            int low = 0, high = order.Count;
            while (low < high)
            {
                var middle = low + ((high - low) >> 1);
                ref readonly var other = ref Current(order[middle]);
                if (other.Client > moved.Client || (other.Client == moved.Client && other.Clock < moved.Clock))
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }
            if (low >= order.Count || !IsMixedTie(moved, Current(order[low])))
            {
                order.Insert(low, first);
                return 0;
            }
            // Replay the sort on the array as Yjs holds it: the decoder that moved is still first.
            order.Insert(0, first);
        }
        order.RemoveAll(d => !HasCurrent(d));
        JsArraySort.Sort(order, _compare);
        var ties = 0;
        for (var i = 2; i < order.Count; i++)
        {
            ties += IsMixedTie(Current(order[i - 1]), Current(order[i])) ? 1 : 0;
        }
        return ties;
    }

    private static bool IsMixedTie(in YBlock a, in YBlock b) => a.Client == b.Client && a.Clock == b.Clock && a.Kind != b.Kind;

    private bool HasCurrent(int decoder) => _positions[decoder] < _blocks[decoder].Count;

    private ref readonly YBlock Current(int decoder) => ref CollectionsMarshal.AsSpan(_blocks[decoder])[_positions[decoder]];

    /// <summary>Higher clients first, then lower clocks, compared exactly as Yjs compares them (see <see cref="JsArraySort"/>).</summary>
    private int CompareDecoders(int a, int b)
    {
        ref readonly var left = ref Current(a);
        ref readonly var right = ref Current(b);
        if (left.Client != right.Client)
        {
            return right.Client < left.Client ? -1 : 1;
        }
        if (left.Clock != right.Clock)
        {
            return left.Clock < right.Clock ? -1 : 1;
        }
        // Yjs's comparator: equal kinds are equal, a skip goes last, and any other pair answers −1 both ways.
        if (left.Kind == right.Kind)
        {
            return 0;
        }
        return left.Kind == YBlockKind.Skip ? 1 : -1;
    }
}

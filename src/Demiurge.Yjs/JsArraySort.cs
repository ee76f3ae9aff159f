namespace Demiurge.Yjs;

/// <summary>
/// Sorts the way V8's <c>Array.prototype.sort</c> sorts short arrays: find the leading run (reversing it when it
/// strictly descends), then binary-insert the rest. Yjs's merge sorts its decoders with a comparator that is not
/// consistent (an item and a GC at the same clock each sort before the other); only the same sequence of
/// comparisons gives the same order, and so the same bytes, as yjs under node.
/// </summary>
/// <remarks>
/// V8 sorts arrays of 64 or more elements in several runs that it then merges. This sorts them as one run, which
/// is the same order for every consistent comparison and may differ only in the case above.
/// </remarks>
internal static class JsArraySort
{
    public static void Sort<T>(List<T> items, Func<T, T, int> compare)
    {
        var count = items.Count;
        if (count < 2)
        {
            return;
        }
        var run = LeadingRun(items, compare);
        for (var start = run; start < count; start++)
        {
            var pivot = items[start];
            var left = 0;
            var right = start;
            while (left < right)
            {
                var middle = left + ((right - left) >> 1);
                if (compare(pivot, items[middle]) < 0)
                {
                    right = middle;
                }
                else
                {
                    left = middle + 1;
                }
            }
            for (var i = start; i > left; i--)
            {
                items[i] = items[i - 1];
            }
            items[left] = pivot;
        }
    }

    /// <summary>The length of the run at the start: non-descending, or strictly descending and then reversed.</summary>
    private static int LeadingRun<T>(List<T> items, Func<T, T, int> compare)
    {
        var length = 2;
        var descending = compare(items[1], items[0]) < 0;
        for (var i = 2; i < items.Count; i++)
        {
            var order = compare(items[i], items[i - 1]);
            if (descending ? order >= 0 : order < 0)
            {
                break;
            }
            length++;
        }
        if (descending)
        {
            items.Reverse(0, length);
        }
        return length;
    }
}

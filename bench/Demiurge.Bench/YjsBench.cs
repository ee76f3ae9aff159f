using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Demiurge.Yjs;

namespace Demiurge.Bench;

/// <summary>
/// Demiurge.Yjs on the updates tests/node/yjs-bench.mjs wrote: merge, state vector of the merge, and diff against
/// the peer's state vector, each the median of some rounds, and whether the bytes equal yjs's. bench/yjs.sh runs both.
/// </summary>
internal static class YjsBench
{
    public static int Run(string directory, int rounds)
    {
        var updates = JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(directory, "updates.json")))!
            .Select(u => (ReadOnlyMemory<byte>)Convert.FromBase64String(u)).ToList();
        var yjsMerged = File.ReadAllBytes(Path.Combine(directory, "merged.bin"));
        var peerStateVector = File.ReadAllBytes(Path.Combine(directory, "peer-sv.bin"));
        var yjsDiff = File.ReadAllBytes(Path.Combine(directory, "diff.bin"));

        var (merged, mergeMs) = Median(rounds, () => YUpdate.Merge(updates));
        var (_, stateVectorMs) = Median(rounds, () => YUpdate.EncodeStateVector(merged));
        var (diff, diffMs) = Median(rounds, () => YUpdate.Diff(merged, peerStateVector));
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        YUpdate.Merge(updates);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            updates = updates.Count,
            mergedBytes = merged.Length,
            mergeMs,
            stateVectorMs,
            diffMs,
            mergeAllocatedBytes = allocated,
            mergeEqualsYjs = merged.AsSpan().SequenceEqual(yjsMerged),
            diffEqualsYjs = diff.AsSpan().SequenceEqual(yjsDiff),
        }));
        return merged.AsSpan().SequenceEqual(yjsMerged) && diff.AsSpan().SequenceEqual(yjsDiff) ? 0 : 1;
    }

    private static (byte[] Result, double Ms) Median(int rounds, Func<byte[]> action)
    {
        var times = new List<double>();
        byte[] result = [];
        for (var i = 0; i < rounds; i++)
        {
            var clock = Stopwatch.StartNew();
            result = action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return (result, Math.Round(times[times.Count / 2], 3, MidpointRounding.AwayFromZero));
    }

    public static int Run(string[] args) =>
        Run(args[1], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5);
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Demiurge.Yjs.Tests;

/// <summary>
/// Hand-written updates with every content kind, legacy JSON content, GCs, skips and surrogate pairs, sliced at
/// every clock: our bytes against the bytes yjs's own functions give for the same input.
/// </summary>
public sealed class YjsAgreementTests
{
    [Fact]
    public async Task HandWrittenUpdates_MergeDiffAndStateVector_AreYjsBytes()
    {
        var all = TestUpdates.AllContentKinds();
        var cases = new List<(string Name, JsonObject Request, byte[] Ours)>();
        void Add(string name, string op, byte[][] updates, byte[]? sv, byte[] ours)
        {
            var request = new JsonObject
            {
                ["op"] = op,
                ["updates"] = new JsonArray(updates.Select(u => (JsonNode)Convert.ToBase64String(u)).ToArray()),
            };
            if (sv is not null)
            {
                request["sv"] = Convert.ToBase64String(sv);
            }
            cases.Add((name, request, ours));
        }

        Add("state vector", "stateVector", [all], null, YUpdate.EncodeStateVector(all));
        for (ulong clock = 0; clock <= 26; clock++)
        {
            var sv = TestUpdates.StateVector((7, clock), (3, clock % 2));
            var diff = YUpdate.Diff(all, sv);
            Add($"diff at clock {clock}", "diff", [all], sv, diff);
            // The sliced part overlaps the whole at every clock, so merging them slices again.
            Add($"merge with diff at clock {clock}", "merge", [diff, all], null, YUpdate.Merge([diff, all]));
            Add($"merge diff first at clock {clock}", "merge", [all, diff], null, YUpdate.Merge([all, diff]));
        }
        var tail = TestUpdates.Text(7, 26, "tail");
        Add("merge across a gap", "merge", [tail, all], null, YUpdate.Merge([tail, all]));
        var text = TestUpdates.Text(9, 0, "a😀b😀c");
        for (ulong clock = 1; clock < 7; clock++)
        {
            var sv = TestUpdates.StateVector((9, clock));
            var diff = YUpdate.Diff(text, sv);
            Add($"text diff at {clock}", "diff", [text], sv, diff);
            Add($"text merge at {clock}", "merge", [diff, text, tail], null, YUpdate.Merge([diff, text, tail]));
        }

        // An item in one update and a GC in another at the same clock: Yjs's comparator orders them inconsistently,
        // so only replaying V8's sort picks the one yjs picks.
        var random = new Random(5);
        byte[][] parts =
        [
            TestUpdates.Gc(9, 0, 2), TestUpdates.Text(9, 0, "ab"), TestUpdates.Gc(9, 0, 1), TestUpdates.Text(9, 2, "cd"),
            TestUpdates.Gc(9, 2, 3), TestUpdates.Text(8, 0, "x"), TestUpdates.Gc(8, 0, 1), tail,
        ];
        for (var round = 0; round < 40; round++)
        {
            var chosen = Enumerable.Range(0, 2 + random.Next(12)).Select(_ => parts[random.Next(parts.Length)]).ToArray();
            Add($"mixed ties {round}", "merge", chosen, null, YUpdate.Merge(chosen.Select(u => (ReadOnlyMemory<byte>)u).ToList()));
        }

        var directory = Directory.CreateTempSubdirectory("demiurge-yjs-ops-");
        try
        {
            var path = Path.Combine(directory.FullName, "requests.json");
            await File.WriteAllTextAsync(path, new JsonArray(cases.Select(c => (JsonNode)c.Request).ToArray()).ToJsonString());
            var (exitCode, output, error) = await NodeScript.RunAsync("yjs-ops.mjs", path);
            Assert.True(exitCode == 0, error);
            var responses = JsonNode.Parse(output)!.AsArray();
            Assert.Equal(cases.Count, responses.Count);
            for (var i = 0; i < cases.Count; i++)
            {
                var response = responses[i]!.AsObject();
                Assert.True(response["error"] is null, $"{cases[i].Name}: yjs failed: {response["error"]}");
                Assert.True(
                    Convert.ToHexString(cases[i].Ours) == Convert.ToHexString(Convert.FromBase64String(response["bytes"]!.GetValue<string>())),
                    $"{cases[i].Name}: ours {Convert.ToHexString(cases[i].Ours)}, yjs {Convert.ToHexString(Convert.FromBase64String(response["bytes"]!.GetValue<string>()))}");
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

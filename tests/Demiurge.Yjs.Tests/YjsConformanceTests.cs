using System.Diagnostics;
using System.Text.Json;

namespace Demiurge.Yjs.Tests;

/// <summary>
/// Our merge, state vector and diff against the real yjs: node plays thousands of random editing sessions,
/// this library computes from their updates, and node applies what it computed in fresh Y.Docs.
/// </summary>
public sealed class YjsConformanceTests(ITestOutputHelper output)
{
    private const int Seed = 20261202;

    private static int SessionCount =>
        int.TryParse(Environment.GetEnvironmentVariable("DEMIURGE_YJS_SESSIONS"), out var count) ? count : 2000;

    [Fact]
    public async Task RandomSessions_MergeStateVectorAndDiff_GiveYjsDocumentsAndBytes()
    {
        var directory = Directory.CreateTempSubdirectory("demiurge-yjs-");
        try
        {
            var sessionsPath = Path.Combine(directory.FullName, "sessions.json");
            var resultsPath = Path.Combine(directory.FullName, "results.json");
            var clock = Stopwatch.StartNew();
            var generated = await NodeScript.RunAsync("yjs-sessions.mjs", "generate", $"{Seed}", $"{SessionCount}", sessionsPath);
            Assert.True(generated.ExitCode == 0, generated.Error);
            var generateTime = clock.Elapsed;

            clock.Restart();
            var (sessions, updates) = ComputeResults(sessionsPath, resultsPath);
            var computeTime = clock.Elapsed;

            clock.Restart();
            var verified = await NodeScript.RunAsync("yjs-sessions.mjs", "verify", sessionsPath, resultsPath);
            output.WriteLine($"{sessions} sessions, {updates} updates: generate {generateTime.TotalSeconds:F1} s, " +
                $"compute {computeTime.TotalSeconds:F1} s, verify {clock.Elapsed.TotalSeconds:F1} s");
            output.WriteLine(verified.Output);
            Assert.True(verified.ExitCode == 0, verified.Output + verified.Error);

            using var summary = JsonDocument.Parse(verified.Output);
            var root = summary.RootElement;
            Assert.Equal(SessionCount, root.GetProperty("sessions").GetInt32());
            Assert.Equal(updates, root.GetProperty("updates").GetInt32());
            Assert.Equal(0, root.GetProperty("failures").GetArrayLength());
            // Byte equality with yjs's own functions, for every session and every update.
            var bytesEqual = root.GetProperty("bytesEqual");
            foreach (var key in new[] { "merge", "mergeOfMerges", "stateVector", "diff", "cutDiff" })
            {
                Assert.Equal(SessionCount, bytesEqual.GetProperty(key).GetInt32());
            }
            Assert.Equal(updates, bytesEqual.GetProperty("updateStateVector").GetInt32());
            Assert.Equal(updates, bytesEqual.GetProperty("updateDiff").GetInt32());
            Assert.Equal(updates, bytesEqual.GetProperty("updateCutDiff").GetInt32());
        }
        finally
        {
            // DEMIURGE_YJS_KEEP=1 keeps the sessions and our results, to rerun the node side on them.
            if (Environment.GetEnvironmentVariable("DEMIURGE_YJS_KEEP") == "1")
            {
                output.WriteLine($"kept in {directory.FullName}");
            }
            else
            {
                directory.Delete(recursive: true);
            }
        }
    }

    private static (int Sessions, int Updates) ComputeResults(string sessionsPath, string resultsPath)
    {
        using var sessions = JsonDocument.Parse(File.ReadAllBytes(sessionsPath));
        using var stream = File.Create(resultsPath);
        using var json = new Utf8JsonWriter(stream);
        var count = 0;
        var updateCount = 0;
        json.WriteStartArray();
        foreach (var session in sessions.RootElement.EnumerateArray())
        {
            var updates = session.GetProperty("updates").EnumerateArray()
                .Select(u => (ReadOnlyMemory<byte>)u.GetBytesFromBase64()).ToList();
            var groups = session.GetProperty("groups").EnumerateArray()
                .Select(g => (ReadOnlyMemory<byte>)YUpdate.Merge(g.EnumerateArray().Select(i => updates[i.GetInt32()]).ToList()))
                .ToList();
            var peerStateVector = session.GetProperty("peerSv").GetBytesFromBase64();
            var cutStateVector = session.GetProperty("cutSv").GetBytesFromBase64();
            var merged = YUpdate.Merge(updates);

            json.WriteStartObject();
            json.WriteBase64String("merge", merged);
            json.WriteBase64String("mergeOfMerges", YUpdate.Merge(groups));
            json.WriteBase64String("stateVector", YUpdate.EncodeStateVector(merged));
            json.WriteBase64String("diff", YUpdate.Diff(merged, peerStateVector));
            json.WriteBase64String("cutDiff", YUpdate.Diff(merged, cutStateVector));
            json.WriteStartArray("updateStateVectors");
            foreach (var update in updates)
            {
                json.WriteBase64StringValue(YUpdate.EncodeStateVector(update.Span));
            }
            json.WriteEndArray();
            json.WriteStartArray("updateDiffs");
            foreach (var update in updates)
            {
                json.WriteBase64StringValue(YUpdate.Diff(update.Span, peerStateVector));
            }
            json.WriteEndArray();
            json.WriteStartArray("updateCutDiffs");
            foreach (var update in updates)
            {
                json.WriteBase64StringValue(YUpdate.Diff(update.Span, cutStateVector));
            }
            json.WriteEndArray();
            json.WriteEndObject();
            count++;
            updateCount += updates.Count;
        }
        json.WriteEndArray();
        return (count, updateCount);
    }
}

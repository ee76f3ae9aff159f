using System.Collections.Concurrent;

namespace Demiurge.Tests.Security;

/// <summary>
/// HTTP fuzzing of every control-plane operation from its schema (<see cref="HttpFuzzer"/>), with a
/// fixed seed, in parallel on one control plane: every answer is a 4xx problem+json, and nothing is
/// written (no audit event but a refused write's <c>request.refused</c>).
/// </summary>
public sealed class HttpFuzzTests(TenantFixture fixture) : IClassFixture<TenantFixture>
{
    public const int Requests = 10_000;
    public const int Seed = 20261202;

    /// <summary>Audit events a refused request may leave (the audit of refused writes).</summary>
    public const string RefusedKind = "request.refused";

    [Fact]
    public async Task EveryOperation_InvalidRequests_Answer4xxProblemAndWriteNothing()
    {
        var pathValues = new Dictionary<string, string>
        {
            ["organization_id"] = fixture.OrganizationId,
            ["project_id"] = await fixture.ProjectAsync(),
            ["secret_id"] = await fixture.SecretAsync(),
            ["user_id"] = (await fixture.MemberAsync("member")).UserId,
            ["gateway_id"] = Guid.NewGuid().ToString(),
        };
        var operations = await ApiOperation.ReadAsync(fixture.ControlPlane.Admin);
        var fuzzer = new HttpFuzzer(operations, pathValues, ["system_admin", "owner", "admin", "member", "viewer", "outsider", "anonymous"], Seed);
        var cases = Enumerable.Range(0, Requests).Select(_ => fuzzer.Next()).ToArray();
        // Every operation that reads a body, a path or a query is fuzzed; the rest have no input to get wrong.
        Assert.True(fuzzer.Operations.Count >= 20, $"Only {fuzzer.Operations.Count} operations to fuzz.");
        Assert.Equal(fuzzer.Operations.Select(o => o.Key).Order(), cases.Select(c => c.Operation).Distinct().Order());
        var before = await fixture.EventsAsync();

        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var transportRetries = 0;
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (fuzzCase, cancellationToken) =>
        {
            HttpResponseMessage response;
            try
            {
                response = await SendAsync(fixture.Callers[fuzzCase.Caller], fuzzCase, cancellationToken);
            }
            catch (HttpRequestException)
            {
                // About 1 in 5,000 pooled requests ends "prematurely" under this load; sent again, alone,
                // the same inputs always got their 400. An answer the server really cuts short fails again here.
                Interlocked.Increment(ref transportRetries);
                using var fresh = fixture.ControlPlane.Client(fuzzCase.Caller == "anonymous" ? null : Token(fuzzCase.Caller));
                try
                {
                    response = await SendAsync(fresh, fuzzCase, cancellationToken);
                }
                catch (HttpRequestException exception)
                {
                    failures.Enqueue($"{fuzzCase}: no answer: {exception.Message} {exception.InnerException?.Message}");
                    statuses.AddOrUpdate(0, 1, (_, n) => n + 1);
                    return;
                }
            }

            using var _ = response;
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (!HttpFuzzer.IsRefusal(fuzzCase, status, mediaType, body))
            {
                failures.Enqueue($"{fuzzCase}: {status} {mediaType} {body[..Math.Min(200, body.Length)]}");
            }
        });

        var after = await fixture.EventsAsync();
        var written = after.Skip(before.Count).Where(e => e.GetProperty("kind").GetString() != RefusedKind).ToArray();
        Assert.True(failures.IsEmpty, $"{failures.Count} of {Requests} answers were not a 4xx problem (seed {Seed}):\n" + string.Join("\n", failures.Take(40)));
        Assert.True(written.Length == 0, $"Invalid requests wrote {written.Length} audit events: " + string.Join(", ", written.Take(10)));
        Assert.Equal(Requests, statuses.Values.Sum());
        Assert.True(transportRetries < Requests / 100, $"{transportRetries} requests lost their connection and were sent again.");
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, FuzzCase fuzzCase, CancellationToken cancellationToken)
    {
        using var request = fuzzCase.ToRequest();
        return await client.SendAsync(request, cancellationToken);
    }

    private string Token(string caller) => fixture.Callers[caller].DefaultRequestHeaders.Authorization!.Parameter!;
}

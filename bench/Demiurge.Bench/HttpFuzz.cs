using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Tests.Security;

namespace Demiurge.Bench;

/// <summary>
/// The long run of the HTTP fuzzer (<see cref="HttpFuzzer"/>) against a real
/// <c>demiurge controlplane</c> with the rate limit off: every answer must be a 4xx problem, no audit
/// event but <c>request.refused</c> may appear, and its log must hold no error or exception.
/// </summary>
internal static class HttpFuzz
{
    private const string Token = "bench-fuzz-admin-token-0123456789";
    private const string RefusedKind = "request.refused";

    public static async Task<int> RunAsync(string executable, int requests, int seed)
    {
        var dataDir = Directory.CreateTempSubdirectory("demiurge-http-fuzz-").FullName;
        var log = new ConcurrentQueue<string>();
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "controlplane", "--data-dir", dataDir, "--api-port", "0", "--admin-token", Token, "--pool-size", "0", "--pool-min-ready", "0", "--rate-limit", "off" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var server = Process.Start(start)!;
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
        server.BeginErrorReadLine();
        Uri? api = null;
        while (api is null && await server.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.TrimStart().StartsWith("API:", StringComparison.Ordinal))
            {
                api = new Uri(line.Trim()[4..].Trim());
            }
        }

        var draining = Task.Run(async () => { while (await server.StandardOutput.ReadLineAsync() is not null) { } });
        var clients = new List<HttpClient>();
        HttpClient Client(string? token)
        {
            var client = new HttpClient { BaseAddress = api };
            if (token is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            clients.Add(client);
            return client;
        }

        var counts = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var retries = 0;
        var clock = new Stopwatch();
        int written;
        try
        {
            if (api is null)
            {
                Console.Error.WriteLine("The control plane printed no API URL.");
                return 1;
            }

            var admin = Client(Token);
            var callers = new Dictionary<string, HttpClient> { ["system_admin"] = admin, ["anonymous"] = Client(null) };
            var owner = Client(await UserAsync(admin, "owner"));
            callers["owner"] = owner;
            var organizationId = await IdAsync(owner, "/orgs", new { name = "Fuzzed" }, "organization_id");
            var members = new Dictionary<string, string>();
            foreach (var role in new[] { "admin", "member", "viewer" })
            {
                var token = await UserAsync(admin, role);
                var me = await Client(token).GetFromJsonAsync<JsonElement>("/users/me");
                members[role] = me.GetProperty("user_id").GetString()!;
                using var added = await owner.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = members[role], role });
                added.EnsureSuccessStatusCode();
                callers[role] = Client(token);
            }

            var outsider = Client(await UserAsync(admin, "outsider"));
            await IdAsync(outsider, "/orgs", new { name = "Other" }, "organization_id");
            callers["outsider"] = outsider;
            var pathValues = new Dictionary<string, string>
            {
                ["organization_id"] = organizationId,
                ["project_id"] = await IdAsync(owner, $"/orgs/{organizationId}/projects", new { name = "p" }, "project_id"),
                ["secret_id"] = await IdAsync(owner, $"/orgs/{organizationId}/secrets", new { name = "S", value = "v" }, "secret_id"),
                ["user_id"] = members["member"],
                ["gateway_id"] = Guid.NewGuid().ToString(),
            };

            var fuzzer = new HttpFuzzer(await ApiOperation.ReadAsync(admin), pathValues, ["system_admin", "owner", "admin", "member", "viewer", "outsider", "anonymous"], seed);
            var before = await EventsAsync(admin);
            clock.Start();
            var sent = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, requests).Select(_ => fuzzer.Next()), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (fuzzCase, cancellationToken) =>
            {
                HttpResponseMessage response;
                try
                {
                    response = await SendAsync(callers[fuzzCase.Caller], fuzzCase, cancellationToken);
                }
                catch (HttpRequestException)
                {
                    // As in the test: sent again once on a new connection; a real cut fails again.
                    Interlocked.Increment(ref retries);
                    using var fresh = new HttpClient { BaseAddress = api };
                    fresh.DefaultRequestHeaders.Authorization = callers[fuzzCase.Caller].DefaultRequestHeaders.Authorization;
                    try
                    {
                        response = await SendAsync(fresh, fuzzCase, cancellationToken);
                    }
                    catch (HttpRequestException exception)
                    {
                        failures.Enqueue($"{fuzzCase}: no answer: {exception.Message}");
                        counts.AddOrUpdate(0, 1, (_, n) => n + 1);
                        return;
                    }
                }

                using var _ = response;
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var status = (int)response.StatusCode;
                counts.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (!HttpFuzzer.IsRefusal(fuzzCase, status, response.Content.Headers.ContentType?.MediaType, body))
                {
                    failures.Enqueue($"{fuzzCase}: {status} {response.Content.Headers.ContentType?.MediaType} {body[..Math.Min(200, body.Length)]}");
                }

                if (Interlocked.Increment(ref sent) % 50_000 == 0)
                {
                    Console.WriteLine($"{sent,8} requests, {sent / clock.Elapsed.TotalSeconds,6:F0}/s, failures {failures.Count}");
                }
            });
            clock.Stop();
            written = (await EventsAsync(admin)).Skip(before.Count).Count(e => e.GetProperty("kind").GetString() != RefusedKind);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            if (!server.WaitForExit(10_000))
            {
                server.Kill();
            }

            await draining;
            Directory.Delete(dataDir, recursive: true);
        }

        var errors = log.Where(l => l.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || l.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal)
            || l.Contains("Exception", StringComparison.Ordinal)).ToList();
        Console.WriteLine();
        Console.WriteLine($"HTTP fuzzing (seed {seed}): {requests} requests in {clock.Elapsed.TotalSeconds:F1} s, {requests / clock.Elapsed.TotalSeconds:F0} requests/s");
        Console.WriteLine($"  answers: {string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}: {c.Value}"))}");
        Console.WriteLine($"  not a 4xx problem: {failures.Count}; sent again after a lost connection: {retries}; audit events written: {written}");
        Console.WriteLine($"  server exit code {server.ExitCode}, {log.Count} log lines, {errors.Count} with an error or an exception");
        foreach (var failure in failures.Take(20).Concat(errors.Take(5)))
        {
            Console.WriteLine("  " + failure);
        }

        return failures.IsEmpty && written == 0 && errors.Count == 0 ? 0 : 1;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, FuzzCase fuzzCase, CancellationToken cancellationToken)
    {
        using var request = fuzzCase.ToRequest();
        return await client.SendAsync(request, cancellationToken);
    }

    private static async Task<string> UserAsync(HttpClient admin, string name) =>
        await IdAsync(admin, "/users", new { username = "fuzz-" + name }, "token");

    private static async Task<string> IdAsync(HttpClient client, string path, object body, string property)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty(property).GetString()!;
    }

    private static async Task<List<JsonElement>> EventsAsync(HttpClient admin)
    {
        var events = new List<JsonElement>();
        long after = 0;
        while (await admin.GetFromJsonAsync<JsonElement[]>($"/events?after={after}&limit=1000") is { Length: > 0 } page)
        {
            events.AddRange(page);
            after = page[^1].GetProperty("seq").GetInt64();
        }

        return events;
    }
}

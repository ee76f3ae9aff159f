using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

// Gateway pool benchmark: allocate-to-ready latency, allocations per second under
// concurrency, and idle RSS per gateway, against a real `demiurge up` on loopback.
//   dotnet run -c Release --project bench/Demiurge.Bench -- [cycles] [concurrency] [control-planes]
// With DEMIURGE_BENCH_POSTGRES set to a connection string (of an empty database), it starts
// [control-planes] `demiurge controlplane` processes on that PostgreSQL instead, and spreads the
// requests over them (bench/postgres.sh does this for 1 and 3).
// Runtime benchmark: gateway start time and idle RSS, as a process and as a container.
//   dotnet run -c Release --project bench/Demiurge.Bench -- runtime [rounds]
// DNS packet fuzzing of `demiurge dns`, reproducible from its seed.
//   dotnet run -c Release --project bench/Demiurge.Bench -- dns-fuzz [packets] [seed]
// HTTP fuzzing of every control-plane operation from its OpenAPI schema, reproducible from its seed.
//   dotnet run -c Release --project bench/Demiurge.Bench -- http-fuzz [requests] [seed]
// Demiurge.Yjs merge, state vector and diff on updates written by tests/node/yjs-bench.mjs (bench/yjs.sh runs both).
//   dotnet run -c Release --project bench/Demiurge.Bench -- yjs <dir> [rounds]
if (args is ["yjs", _, ..])
{
    return Demiurge.Bench.YjsBench.Run(args);
}

var root = FindRoot();
var executable = Path.Combine(root, "artifacts", "demiurge", "demiurge");
if (!File.Exists(executable))
{
    Console.Error.WriteLine("Build first: ./demiurge --version");
    return 1;
}

// The modes come before the pool benchmark's numeric arguments are read.
switch (args)
{
    case ["runtime", ..]:
        return await Demiurge.Bench.RuntimeBench.RunAsync(executable, args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10);
    case ["dns-fuzz", ..]:
        return await Demiurge.Bench.DnsFuzz.RunAsync(
            executable, args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1);
    case ["http-fuzz", ..]:
        return await Demiurge.Bench.HttpFuzz.RunAsync(
            executable, args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1);
}

var cycles = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
var controlPlanes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
var postgres = Environment.GetEnvironmentVariable("DEMIURGE_BENCH_POSTGRES");

const string Token = "bench-admin-token-0123456789";
var poolSize = concurrency + 2;
var servers = new List<(Process Process, string DataDir)>();
var clients = new List<HttpClient>();
for (var i = 0; i < (postgres is null ? 1 : controlPlanes); i++)
{
    var dataDir = Directory.CreateTempSubdirectory("demiurge-bench-").FullName;
    var start = new ProcessStartInfo(executable)
    {
        ArgumentList =
        {
            postgres is null ? "up" : "controlplane", "--data-dir", dataDir, "--api-port", "0", "--admin-token", Token,
            "--pool-size", poolSize.ToString(CultureInfo.InvariantCulture), "--pool-min-ready", "0", "--pool-max", poolSize.ToString(CultureInfo.InvariantCulture),
            "--pool-check-interval", "500ms", "--gateway-inactivity-timeout", "off", "--edge-http-port", "0", "--edge-https-port", "0",
        },
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    if (postgres is not null)
    {
        start.Environment["DEMIURGE_STORE"] = "postgres";
        start.Environment["DEMIURGE_POSTGRES"] = postgres;
    }

    var server = Process.Start(start)!;
    servers.Add((server, dataDir));
    server.ErrorDataReceived += (_, _) => { };
    server.BeginErrorReadLine();
    string? api = null;
    while (api is null && await server.StandardOutput.ReadLineAsync() is { } line)
    {
        if (line.TrimStart().StartsWith("API:", StringComparison.Ordinal))
        {
            api = line.Trim()[4..].Trim();
        }
    }

    _ = Task.Run(async () => { while (await server.StandardOutput.ReadLineAsync() is not null) { } });
    var client = new HttpClient { BaseAddress = new Uri(api!) };
    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    clients.Add(client);
}

var http = clients[0];
var next = 0;
try
{
    await WaitForReadyAsync(poolSize);
    var organizations = new List<string>();
    for (var i = 0; i < concurrency; i++)
    {
        using var created = await http.PostAsJsonAsync("/orgs", new { name = $"Bench {i}" });
        organizations.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organization_id").GetString()!);
    }

    // Idle RSS, before any allocation.
    var gateways = await http.GetFromJsonAsync<JsonElement>("/gateways");
    var rss = gateways.EnumerateArray().Where(g => g.GetProperty("state").GetString() == "ready")
        .Select(g => RssKiB(g.GetProperty("pid").GetInt32())).Where(r => r > 0).ToList();

    // Sequential allocate-to-ready latency: start, then release and wait for the gateway to be
    // ready again. The pool hands out the longest-ready worker, so the first poolSize cycles are
    // each worker's first allocation (cold); the rest are warm.
    var cold = new List<double>();
    var latencies = new List<double>();
    for (var i = 0; i < cycles + poolSize; i++)
    {
        var started = Stopwatch.GetTimestamp();
        var gatewayId = await StartAsync(organizations[0]);
        (i < poolSize ? cold : latencies).Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        await ReleaseAsync(gatewayId);
        await WaitForReadyAsync(poolSize);
    }

    // Allocations per second: every organization at once, repeated.
    var rounds = Math.Max(1, cycles / concurrency / 4);
    var allocated = 0;
    var busy = TimeSpan.Zero;
    for (var round = 0; round < rounds; round++)
    {
        var started = Stopwatch.GetTimestamp();
        var ids = await Task.WhenAll(organizations.Select(StartAsync));
        busy += Stopwatch.GetElapsedTime(started);
        allocated += ids.Length;
        await Task.WhenAll(ids.Select(ReleaseAsync));
        await WaitForReadyAsync(poolSize);
    }

    latencies.Sort();
    cold.Sort();
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
    Console.WriteLine($"store: {(postgres is null ? "sqlite" : "postgres")}, control planes: {clients.Count}");
    Console.WriteLine($"allocate-to-ready, warm, over {cycles} cycles: p50 {Percentile(latencies, 0.50):0.0} ms, p99 {Percentile(latencies, 0.99):0.0} ms, max {latencies[^1]:0.0} ms");
    Console.WriteLine($"allocate-to-ready, each worker's first allocation ({cold.Count}): p50 {Percentile(cold, 0.50):0.0} ms, max {cold[^1]:0.0} ms");
    Console.WriteLine($"allocations/s with {concurrency} concurrent organizations: {allocated / busy.TotalSeconds:0} ({allocated} allocations in {busy.TotalSeconds:0.00} s)");
    Console.WriteLine($"idle RSS per gateway: median {Percentile([.. rss.Order().Select(r => (double)r)], 0.5) / 1024:0.0} MiB over {rss.Count} gateways");
    return 0;
}
finally
{
    // SIGTERM: each control plane exits cleanly; the leader stops the gateways.
    foreach (var (server, _) in servers)
    {
        Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
    }

    foreach (var (server, dataDir) in servers)
    {
        await server.WaitForExitAsync();
        server.Dispose();
        Directory.Delete(dataDir, recursive: true);
    }

    foreach (var client in clients)
    {
        client.Dispose();
    }
}

// Requests go round-robin over the control planes.
HttpClient Next() => clients[Interlocked.Increment(ref next) % clients.Count];

async Task<string> StartAsync(string organizationId)
{
    while (true)
    {
        using var response = await Next().PostAsJsonAsync("/gateway/start", new { organization_id = organizationId });
        if (response.IsSuccessStatusCode)
        {
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("gateway_id").GetString()!;
        }

        await Task.Delay(10);
    }
}

async Task ReleaseAsync(string gatewayId)
{
    using var response = await Next().PostAsync($"/gateways/{gatewayId}/release", null);
    response.EnsureSuccessStatusCode();
}

async Task WaitForReadyAsync(int count)
{
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (DateTime.UtcNow < deadline)
    {
        var stats = await http.GetFromJsonAsync<JsonElement>("/gateways/stats");
        if (stats.GetProperty("by_state").GetProperty("ready").GetInt32() >= count)
        {
            return;
        }

        await Task.Delay(5);
    }

    throw new TimeoutException($"Fewer than {count} gateways became ready.");
}

static long RssKiB(int pid)
{
    var status = $"/proc/{pid}/status";
    var line = File.Exists(status) ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)) : null;
    return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

static string FindRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Demiurge.slnx")))
    {
        directory = directory.Parent;
    }

    return directory?.FullName ?? throw new InvalidOperationException("Run from inside the repository.");
}

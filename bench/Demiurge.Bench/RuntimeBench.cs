using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Demiurge.Bench;

/// <summary>
/// Gateway start time (start to ready) and idle RSS on the process runtime and on the Docker
/// runtime, side by side: two <c>demiurge up</c> with a pool of one each, and rounds that take
/// turns between them, so both see the same machine noise. Each round kills the ready worker
/// (SIGKILL) and times its replacement from the control plane's own events: <c>gateway.started</c>
/// (the row is written, then the runtime starts the worker) to <c>gateway.ready</c> (the worker
/// reported ready after its warm-up).
/// </summary>
internal static class RuntimeBench
{
    private const string Token = "bench-admin-token-0123456789";

    public static async Task<int> RunAsync(string executable, int rounds)
    {
        var runtimes = new[] { "process", "docker" };
        var planes = new List<(string Runtime, Process Up, HttpClient Http, string DataDir)>();
        try
        {
            foreach (var runtime in runtimes)
            {
                planes.Add(await StartAsync(executable, runtime));
            }

            var startMs = runtimes.ToDictionary(r => r, _ => new List<double>());
            var rssKiB = runtimes.ToDictionary(r => r, _ => new List<double>());
            var shimKiB = new List<double>();
            var previous = new Dictionary<string, string?>();
            // Round 0 is the pool's first start (for Docker it includes hashing and, once, building the image).
            for (var round = 0; round <= rounds; round++)
            {
                foreach (var (runtime, _, http, _) in planes)
                {
                    var gateway = await ReadyGatewayAsync(http, previous.GetValueOrDefault(runtime));
                    var id = gateway.GetProperty("gateway_id").GetString()!;
                    var pid = gateway.GetProperty("pid").GetInt32();
                    if (round > 0)
                    {
                        startMs[runtime].Add(await StartToReadyMsAsync(http, id));
                        // Idle means after the warm-up's allocations have been collected.
                        await Task.Delay(2000);
                        rssKiB[runtime].Add(RssKiB(pid));
                        if (runtime == "docker")
                        {
                            // Each container also costs its containerd shim, the worker's parent.
                            shimKiB.Add(RssKiB(ParentPid(pid)));
                        }
                    }

                    previous[runtime] = id;
                    Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
                }
            }

            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {rounds} starts per runtime, taking turns");
            Console.WriteLine("| runtime | start to ready p50 | min | max | idle RSS p50 |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var runtime in runtimes)
            {
                var starts = startMs[runtime].Order().ToList();
                var rss = rssKiB[runtime].Order().ToList();
                Console.WriteLine($"| {runtime} | {Median(starts):0} ms | {starts[0]:0} ms | {starts[^1]:0} ms | {Median(rss) / 1024:0.0} MiB |");
            }

            Console.WriteLine($"containerd shim per container: RSS p50 {Median([.. shimKiB.Order()]) / 1024:0.0} MiB");
            Console.WriteLine($"docker/process: start {Median([.. startMs["docker"].Order()]) / Median([.. startMs["process"].Order()]):0.00}x, RSS {Median([.. rssKiB["docker"].Order()]) / Median([.. rssKiB["process"].Order()]):0.00}x");
            return 0;
        }
        finally
        {
            foreach (var (_, up, http, dataDir) in planes)
            {
                // SIGTERM: demiurge stops its gateways (and removes their containers) and exits.
                Process.Start("kill", ["-TERM", up.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
                await up.WaitForExitAsync();
                up.Dispose();
                http.Dispose();
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }

    private static async Task<(string, Process, HttpClient, string)> StartAsync(string executable, string runtime)
    {
        var dataDir = Directory.CreateTempSubdirectory($"demiurge-bench-{runtime}-").FullName;
        var up = Process.Start(new ProcessStartInfo(executable)
        {
            ArgumentList =
            {
                "up", "--data-dir", dataDir, "--api-port", "0", "--admin-token", Token, "--runtime", runtime,
                "--pool-size", "1", "--pool-min-ready", "0", "--pool-max", "1", "--pool-check-interval", "200ms",
                "--gateway-inactivity-timeout", "off",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        up.ErrorDataReceived += (_, _) => { };
        up.BeginErrorReadLine();
        string? api = null;
        while (api is null && await up.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.TrimStart().StartsWith("API:", StringComparison.Ordinal))
            {
                api = line.Trim()[4..].Trim();
            }
        }

        _ = Task.Run(async () => { while (await up.StandardOutput.ReadLineAsync() is not null) { } });
        var http = new HttpClient { BaseAddress = new Uri(api ?? throw new InvalidOperationException($"demiurge up --runtime {runtime} did not start.")) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return (runtime, up, http, dataDir);
    }

    private static async Task<JsonElement> ReadyGatewayAsync(HttpClient http, string? notId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            var gateways = await http.GetFromJsonAsync<JsonElement>("/gateways");
            foreach (var gateway in gateways.EnumerateArray())
            {
                if (gateway.GetProperty("state").GetString() == "ready" && gateway.GetProperty("gateway_id").GetString() != notId)
                {
                    return gateway;
                }
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("No gateway became ready.");
    }

    private static async Task<double> StartToReadyMsAsync(HttpClient http, string gatewayId)
    {
        var events = (await http.GetFromJsonAsync<JsonElement>("/events?limit=1000")).EnumerateArray()
            .Where(e => e.GetProperty("subject_id").GetString() == gatewayId).ToList();
        DateTimeOffset At(string kind) => events.First(e => e.GetProperty("kind").GetString() == kind).GetProperty("created_at").GetDateTimeOffset();
        return (At("gateway.ready") - At("gateway.started")).TotalMilliseconds;
    }

    private static long RssKiB(int pid)
    {
        var status = $"/proc/{pid}/status";
        var line = File.Exists(status) ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)) : null;
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static int ParentPid(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("PPid:", StringComparison.Ordinal));
        return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1].Trim(), CultureInfo.InvariantCulture);
    }

    private static double Median(List<double> sorted) => sorted.Count == 0 ? 0 : sorted[(sorted.Count - 1) / 2];
}

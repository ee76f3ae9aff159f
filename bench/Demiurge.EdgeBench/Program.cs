using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Demiurge.Common;
using Demiurge.Edge;
using Demiurge.Edge.Nginx;
using Demiurge.Hosting;
using Demiurge.Store;
using Demiurge.Store.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// Edge benchmark, on loopback only, in throwaway folders:
//   routes [sizes...]   route update time with N routes already, embedded edge and nginx: from the
//                       router's call until the new host answers through the edge.
//   weighted [sizes...] the same with every route, the new ones too, to two weighted destinations
//                       (nginx: an upstream block per route).
//   Either takes "embedded" or "nginx" before the sizes to measure one edge only.
//   proxy [seconds] [connections] [rounds]
//                       wrk through the embedded edge and through nginx to the same backend,
//                       alternating rounds in one run; medians of requests/s and latency.
//   dotnet run -c Release --project bench/Demiurge.EdgeBench -- routes 1000 10000 100000
const string Domain = "bench.localhost";
var mode = args.Length > 0 ? args[0] : "routes";
var nginxBinary = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
await using var backend = await Backend.StartAsync();
await using var second = await Backend.StartAsync();
using var http = new HttpClient(new SocketsHttpHandler
{
    ConnectCallback = async (context, cancellationToken) =>
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    },
});

if (mode is "routes" or "weighted")
{
    var weighted = mode == "weighted";
    var edges = args.Length > 1 && args[1] is "embedded" or "nginx" ? [args[1]] : new[] { "embedded", "nginx" };
    var sizeArgs = args.Skip(edges.Length == 1 ? 2 : 1).ToArray();
    var sizes = sizeArgs.Length > 0 ? sizeArgs.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1000, 10000, 100000];
    Console.WriteLine($"Route update until the new host answers, {(weighted ? "two weighted destinations" : "one destination")} per route, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    Console.WriteLine($"{"edge",-9} {"routes",8} {"updates",8} {"median ms",10} {"p90 ms",8} {"start s",8} {"resets",7}");
    foreach (var size in sizes)
    {
        if (edges.Contains("embedded"))
        {
            await RoutesEmbeddedAsync(size, weighted);
        }

        if (edges.Contains("nginx"))
        {
            await RoutesNginxAsync(size, weighted);
        }
    }
}
else if (mode == "proxy")
{
    var seconds = args.Length > 1 ? args[1] : "10";
    var connections = args.Length > 2 ? args[2] : "32";
    var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
    await ProxyAsync(seconds, connections, rounds);
}
else
{
    Console.Error.WriteLine("usage: routes [sizes...] | weighted [sizes...] | proxy [seconds] [connections] [rounds]");
    return 2;
}

return 0;

// A new route: to the backend, or to it and the second backend, weighed 3 to 1.
EdgeRoute NewRoute(string host, bool weighted) => weighted
    ? new EdgeRoute(host, [new EdgeDestination(backend.Address, 3), new EdgeDestination(second.Address, 1)])
    : EdgeRoute.To(host, backend.Address);

async Task RoutesEmbeddedAsync(int size, bool weighted)
{
    var dir = Directory.CreateTempSubdirectory("demiurge-edgebench-").FullName;
    try
    {
        var databasePath = Path.Combine(dir, "demiurge.db");
        await using var database = new Database(new SqliteDialect(databasePath));
        await database.MigrateAsync(CancellationToken.None);
        var store = new SqlEdgeStore(database);
        await PreloadStoreAsync(databasePath, size, weighted);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Demiurge:DataDir"] = dir,
            ["Demiurge:Domain"] = Domain,
            ["Demiurge:Edge:HttpPort"] = "0",
            ["Demiurge:Edge:HttpsPort"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        }).Build();
        var options = Options.Create(configuration.GetSection(DemiurgeOptions.SectionName).Get<DemiurgeOptions>()!);
        var table = new EdgeRouteTable();
        var started = Stopwatch.StartNew();
        await using var edge = EdgeHost.Create(configuration, store, table);
        await edge.StartAsync(CancellationToken.None);
        var startSeconds = started.Elapsed.TotalSeconds;
        var router = new EmbeddedEdgeRouter(store, table, options);
        var (times, resets) = await MeasureUpdatesAsync(router, edge.HttpUrl.Port, 200, weighted);
        Report("embedded", size, times, startSeconds, resets);
        await edge.StopAsync(CancellationToken.None);
    }
    finally
    {
        Directory.Delete(dir, recursive: true);
    }
}

// nginx's settings for a bench folder, with the sites folder and the shared file every site needs.
async Task<EdgeOptions> NginxSitesAsync(string dir, int port)
{
    var edgeOptions = new EdgeOptions
    {
        Provider = EdgeOptions.Nginx,
        HttpPort = port,
        NginxBinary = nginxBinary,
        NginxPrefix = dir,
        NginxConfig = Path.Combine(dir, "nginx.conf"),
        NginxSitesDir = Path.Combine(dir, "sites"),
    };
    Directory.CreateDirectory(edgeOptions.NginxSitesDir);
    await File.WriteAllTextAsync(Path.Combine(edgeOptions.NginxSitesDir, NginxSite.SharedFileName), NginxSite.SharedContent);
    return edgeOptions;
}

async Task RoutesNginxAsync(int size, bool weighted)
{
    var dir = Directory.CreateTempSubdirectory("demiurge-edgebench-").FullName;
    var port = FreePort();
    var edgeOptions = await NginxSitesAsync(dir, port);
    for (var i = 0; i < size; i++)
    {
        var host = $"r-{Guid.NewGuid()}.{Domain}";
        await File.WriteAllTextAsync(Path.Combine(edgeOptions.NginxSitesDir, NginxSite.FileName(host)), NginxSite.Render(host, [NewRoute(host, weighted)], edgeOptions));
    }

    var started = Stopwatch.StartNew();
    using var nginx = StartNginx(dir, edgeOptions.NginxSitesDir, port);
    try
    {
        await WaitForPortAsync(port, nginx);
        var startSeconds = started.Elapsed.TotalSeconds;
        // The router writes this host's nginx, then the store (the sites above are not in it, and
        // nothing here follows it).
        await using var database = new Database(new SqliteDialect(Path.Combine(dir, "demiurge.db")));
        await database.MigrateAsync(CancellationToken.None);
        using var router = new NginxEdgeRouter(new SqlEdgeStore(database), Options.Create(new PlatformOptions { Domain = Domain }), Options.Create(edgeOptions), TimeProvider.System, NullLogger<NginxEdgeRouter>.Instance);
        var (times, resets) = await MeasureUpdatesAsync(router, port, size >= 100000 ? 3 : size >= 10000 ? 5 : 20, weighted);
        Report("nginx", size, times, startSeconds, resets);
    }
    finally
    {
        await StopNginxAsync(nginx);
        Directory.Delete(dir, recursive: true);
    }
}

async Task<(List<double> Times, int Resets)> MeasureUpdatesAsync(IEdgeRouter router, int port, int updates, bool weighted)
{
    var times = new List<double>();
    var resets = 0;
    for (var i = 0; i < updates; i++)
    {
        var host = $"r-{Guid.NewGuid()}.{Domain}";
        var url = new Uri($"http://{host}:{port}/");
        var watch = Stopwatch.StartNew();
        await router.SetRoutesAsync([NewRoute(host, weighted)], CancellationToken.None);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // An nginx worker retiring after a reload may reset a kept-alive connection.
                resets++;
            }

            await Task.Delay(1);
        }

        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    return (times, resets);
}

async Task ProxyAsync(string seconds, string connections, int rounds)
{
    var dir = Directory.CreateTempSubdirectory("demiurge-edgebench-").FullName;
    var host = $"r-{Guid.NewGuid()}.{Domain}";
    try
    {
        await using var database = new Database(new SqliteDialect(Path.Combine(dir, "demiurge.db")));
        await database.MigrateAsync(CancellationToken.None);
        var store = new SqlEdgeStore(database);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Demiurge:DataDir"] = dir,
            ["Demiurge:Domain"] = Domain,
            ["Demiurge:Edge:HttpPort"] = "0",
            ["Demiurge:Edge:HttpsPort"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        }).Build();
        var options = Options.Create(configuration.GetSection(DemiurgeOptions.SectionName).Get<DemiurgeOptions>()!);
        var table = new EdgeRouteTable();
        await using var edge = EdgeHost.Create(configuration, store, table);
        await edge.StartAsync(CancellationToken.None);
        await new EmbeddedEdgeRouter(store, table, options).SetRoutesAsync([NewRoute(host, weighted: false)], CancellationToken.None);

        var port = FreePort();
        var edgeOptions = await NginxSitesAsync(dir, port);
        await File.WriteAllTextAsync(Path.Combine(edgeOptions.NginxSitesDir, NginxSite.FileName(host)), NginxSite.Render(host, [NewRoute(host, weighted: false)], edgeOptions));
        using var nginx = StartNginx(dir, edgeOptions.NginxSitesDir, port);
        try
        {
            await WaitForPortAsync(port, nginx);
            var targets = new (string Name, int Port)[] { ("direct", backend.Address.Port), ("embedded", edge.HttpUrl.Port), ("nginx", port) };
            var results = targets.ToDictionary(t => t.Name, _ => new List<(double Rps, double P50, double P99, long Errors)>());
            Console.WriteLine($"wrk -t2 -c{connections} -d{seconds}s, {rounds} alternating rounds, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (name, targetPort) in targets)
                {
                    results[name].Add(await WrkAsync(host, targetPort, seconds, connections));
                }
            }

            Console.WriteLine($"{"target",-9} {"req/s",10} {"p50 ms",8} {"p99 ms",8} {"errors",7}");
            foreach (var (name, runs) in results)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-9} {Median(runs.Select(r => r.Rps)),10:0} {Median(runs.Select(r => r.P50)),8:0.00} {Median(runs.Select(r => r.P99)),8:0.00} {runs.Sum(r => r.Errors),7}"));
            }
        }
        finally
        {
            await StopNginxAsync(nginx);
        }

        await edge.StopAsync(CancellationToken.None);
    }
    finally
    {
        Directory.Delete(dir, recursive: true);
    }
}

static async Task<(double Rps, double P50, double P99, long Errors)> WrkAsync(string host, int port, string seconds, string connections)
{
    using var wrk = Process.Start(new ProcessStartInfo("wrk")
    {
        ArgumentList = { "-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-H", $"Host: {host}", $"http://127.0.0.1:{port}/" },
        RedirectStandardOutput = true,
    })!;
    var output = await wrk.StandardOutput.ReadToEndAsync();
    await wrk.WaitForExitAsync();
    double Field(string prefix) => output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).Select(Milliseconds).FirstOrDefault(double.NaN);
    var errors = output.Split('\n').Where(l => l.Contains("Non-2xx", StringComparison.Ordinal) || l.Contains("Socket errors", StringComparison.Ordinal)).Count();
    var rps = output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("Requests/sec:", StringComparison.Ordinal))
        .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).First();
    return (rps, Field("50%"), Field("99%"), errors);
}

static double Milliseconds(string value) =>
    value.EndsWith("us", StringComparison.Ordinal) ? double.Parse(value[..^2], CultureInfo.InvariantCulture) / 1000
    : value.EndsWith("ms", StringComparison.Ordinal) ? double.Parse(value[..^2], CultureInfo.InvariantCulture)
    : value.EndsWith('s') ? double.Parse(value[..^1], CultureInfo.InvariantCulture) * 1000
    : double.NaN;

static void Report(string edge, int size, List<double> times, double startSeconds, int resets)
{
    times.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{edge,-9} {size,8} {times.Count,8} {Median(times),10:0.00} {times[(int)Math.Floor(times.Count * 0.9)],8:0.00} {startSeconds,8:0.0} {resets,7}"));
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

// The store's routes written in one transaction, as if 'size' routes had been set.
async Task PreloadStoreAsync(string databasePath, int size, bool weighted)
{
    await using var connection = new SqliteConnection($"Data Source={databasePath}");
    await connection.OpenAsync();
    await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
    var insert = connection.CreateCommand();
    insert.Transaction = transaction;
    insert.CommandText = "INSERT INTO edge_routes (host, destinations, version) VALUES ($host, $destinations, $version)";
    var hostParameter = insert.Parameters.Add("$host", SqliteType.Text);
    insert.Parameters.AddWithValue("$destinations", JsonSerializer.Serialize(NewRoute("x", weighted).Destinations, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
    var versionParameter = insert.Parameters.Add("$version", SqliteType.Integer);
    for (var i = 1; i <= size; i++)
    {
        hostParameter.Value = $"r-{Guid.NewGuid()}.{Domain}";
        versionParameter.Value = i;
        await insert.ExecuteNonQueryAsync();
    }

    var version = connection.CreateCommand();
    version.Transaction = transaction;
    version.CommandText = "UPDATE versions SET version = $size WHERE name = 'edge'";
    version.Parameters.AddWithValue("$size", size);
    await version.ExecuteNonQueryAsync();
    await transaction.CommitAsync();
}

static Process StartNginx(string dir, string sitesDir, int port)
{
    var user = Environment.UserName == "root" ? "user root;" : "";
    File.WriteAllText(Path.Combine(dir, "nginx.conf"), $$"""
        {{user}}
        worker_processes auto;
        error_log {{dir}}/error.log warn;
        pid {{dir}}/nginx.pid;
        events { worker_connections 4096; }
        http {
            access_log off;
            client_body_temp_path {{dir}}/body;
            proxy_temp_path {{dir}}/proxy;
            fastcgi_temp_path {{dir}}/fastcgi;
            uwsgi_temp_path {{dir}}/uwsgi;
            scgi_temp_path {{dir}}/scgi;
            include {{sitesDir}}/*.conf;
            server {
                listen 127.0.0.1:{{port}} default_server;
                return 404;
            }
        }
        """);
    return Process.Start(new ProcessStartInfo(File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx")
    {
        ArgumentList = { "-p", dir, "-c", Path.Combine(dir, "nginx.conf"), "-g", "daemon off;" },
        RedirectStandardError = false,
    })!;
}

static async Task WaitForPortAsync(int port, Process process)
{
    while (true)
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException("nginx exited at start; see its error.log.");
        }

        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return;
        }
        catch (SocketException)
        {
            await Task.Delay(50);
        }
    }
}

// A graceful quit of the master (by its pid) stops its workers too.
static async Task StopNginxAsync(Process nginx)
{
    if (!nginx.HasExited)
    {
        _ = Native.Kill(nginx.Id, 3);
        await nginx.WaitForExitAsync();
    }
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

/// <summary>The backend both edges forward to: Kestrel answering a short text on a free loopback port.</summary>
internal sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Backend(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    public static async Task<Backend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync("hello from the gateway\n"));
        await app.StartAsync();
        return new Backend(app) { Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

internal static partial class Native
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}

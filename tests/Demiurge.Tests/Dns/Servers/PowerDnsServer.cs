using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Demiurge.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Demiurge.Tests.Dns.Servers;

/// <summary>
/// A real <c>pdns_server</c> with the gsqlite3 backend and the API on, in a temporary folder,
/// on free loopback ports; stopped by its pid.
/// </summary>
public sealed class PowerDnsServer : IAsyncLifetime
{
    public const string ApiKey = "demiurge-test-key";

    private const string Schema = "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql";

    private readonly TempDirectory _directory = new();
    private Process? _process;

    public IPEndPoint DnsEndPoint { get; private set; } = null!;

    public Uri ApiUrl { get; private set; } = null!;

    /// <summary>
    /// False (the default for tests) turns PowerDNS's caches off, so that an answer shows the last
    /// change; the benchmark keeps the defaults, which are how PowerDNS runs in production.
    /// </summary>
    public bool Caches { get; init; }

    public async ValueTask InitializeAsync()
    {
        var database = Path.Combine(_directory.Path, "pdns.sqlite3");
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString()))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = await File.ReadAllTextAsync(Schema);
            await command.ExecuteNonQueryAsync();
        }

        // Free ports can be taken between the probe and pdns_server's bind; a failed start tries new ones.
        for (var attempt = 1; ; attempt++)
        {
            DnsEndPoint = new IPEndPoint(IPAddress.Loopback, FreePort());
            ApiUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
            if (await TryStartAsync(database) || attempt == 3)
            {
                break;
            }
        }

        if (_process is null)
        {
            throw new InvalidOperationException($"pdns_server did not start; its log: {await File.ReadAllTextAsync(Path.Combine(_directory.Path, "pdns.log"))}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _directory.Dispose();
    }

    private async Task<bool> TryStartAsync(string database)
    {
        var settings = new Dictionary<string, string>
        {
            ["launch"] = "gsqlite3",
            ["gsqlite3-database"] = database,
            ["api"] = "yes",
            ["api-key"] = ApiKey,
            ["webserver"] = "yes",
            ["webserver-address"] = "127.0.0.1",
            ["webserver-port"] = ApiUrl.Port.ToString(CultureInfo.InvariantCulture),
            ["webserver-allow-from"] = "127.0.0.0/8",
            ["local-address"] = "127.0.0.1",
            ["local-port"] = DnsEndPoint.Port.ToString(CultureInfo.InvariantCulture),
            ["socket-dir"] = _directory.Path,
            ["guardian"] = "no",
            ["daemon"] = "no",
            ["disable-syslog"] = "yes",
            // No security-status lookups: traffic stays on loopback.
            ["security-poll-suffix"] = string.Empty,
        };
        if (!Caches)
        {
            settings["cache-ttl"] = settings["negquery-cache-ttl"] = settings["query-cache-ttl"] = "0";
        }

        await File.WriteAllLinesAsync(Path.Combine(_directory.Path, "pdns.conf"), settings.Select(s => $"{s.Key}={s.Value}"));
        var start = new ProcessStartInfo("pdns_server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add($"--config-dir={_directory.Path}");
        var process = Process.Start(start)!;
        var log = new StreamWriter(Path.Combine(_directory.Path, "pdns.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { BaseAddress = ApiUrl, Timeout = TimeSpan.FromSeconds(2) };
        http.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync("api/v1/servers/localhost");
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        await StopAsync();
        return false;
    }

    private async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }

    // A port free for both UDP and TCP at the time of asking.
    private static int FreePort()
    {
        while (true)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for TCP; try another.
            }
        }
    }
}

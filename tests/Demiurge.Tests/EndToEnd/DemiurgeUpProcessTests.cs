using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.EndToEnd;

/// <summary>The built executable, run the way the README runs it.</summary>
public sealed partial class DemiurgeUpProcessTests
{
    [Theory]
    [InlineData(DemiurgeProcess.SigTerm)]
    [InlineData(DemiurgeProcess.SigInt)]
    public async Task Up_ServesUntilSignalled_ThenExitsZero(int signal)
    {
        using var dataDir = new TempDirectory();
        await using var process = DemiurgeProcess.Start(["up", "--data-dir", dataDir.Path, "--api-port", "0", "--pool-ports", PortBlocks.Next()]);
        var api = new Uri(await process.WaitForOutputAsync("API:"));
        await process.WaitForOutputAsync("Press Ctrl-C");

        using var http = new HttpClient { BaseAddress = api };
        using var health = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(IPAddress.Loopback.ToString(), api.Host);

        process.Signal(signal);

        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.Contains("Demiurge up stopped.", process.StandardOutput);
    }

    [Fact]
    public async Task Up_FirstStart_PrintsAdminTokenOnce_AndRestartKeepsData()
    {
        using var dataDir = new TempDirectory();
        string token;
        string organizationId;
        await using (var first = DemiurgeProcess.Start(["up", "--data-dir", dataDir.Path, "--api-port", "0", "--pool-ports", PortBlocks.Next()]))
        {
            var api = new Uri(await first.WaitForOutputAsync("API:"));
            await first.WaitForOutputAsync("Press Ctrl-C"); // the banner's last line: the token line is in
            token = first.StandardOutput.Select(l => l.Trim()).Single(l => l.StartsWith("dmg_", StringComparison.Ordinal));
            using var http = Authorized(api, token);
            using var created = await http.PostAsJsonAsync("/orgs", new { name = "Persistent" });
            organizationId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organization_id").GetString()!;
            first.Signal(DemiurgeProcess.SigTerm);
            Assert.Equal(0, await first.WaitForExitAsync());
        }

        await using var second = DemiurgeProcess.Start(["up", "--data-dir", dataDir.Path, "--api-port", "0", "--pool-ports", PortBlocks.Next()]);
        var secondApi = new Uri(await second.WaitForOutputAsync("API:"));
        await second.WaitForOutputAsync("Admin token: set earlier");
        Assert.DoesNotContain(second.StandardOutput, l => l.Contains("dmg_", StringComparison.Ordinal));
        using var again = Authorized(secondApi, token);
        var organizations = await again.GetFromJsonAsync<JsonElement>("/orgs");
        Assert.Contains(organizations.EnumerateArray(), o => o.GetProperty("organization_id").GetString() == organizationId);
    }

    [Fact]
    public async Task Up_SettingsFromFlagsAndEnvironment_FlagsWin()
    {
        using var dataDir = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["DEMIURGE_DATA_DIR"] = dataDir.Path,
            ["DEMIURGE_API_PORT"] = "0",
            ["DEMIURGE_DOMAIN"] = "from-env.example",
            ["DEMIURGE_ADMIN_TOKEN"] = "env-admin-token-0123456789",
        };
        await using var process = DemiurgeProcess.Start(["up", "--domain", "from-flag.example", "--pool-ports", PortBlocks.Next()], environment);

        var api = new Uri(await process.WaitForOutputAsync("API:"));

        Assert.Equal("from-flag.example", await process.WaitForOutputAsync("Domain:"));
        Assert.Equal(dataDir.Path, await process.WaitForOutputAsync("Data:"));
        Assert.True(File.Exists(Path.Combine(dataDir.Path, "demiurge.db")));
        using var http = Authorized(api, "env-admin-token-0123456789");
        var me = await http.GetFromJsonAsync<JsonElement>("/users/me");
        Assert.True(me.GetProperty("is_admin").GetBoolean());
        await process.WaitForOutputAsync("Press Ctrl-C");
        Assert.DoesNotContain(process.StandardOutput, l => l.Contains("env-admin-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Up_Metrics_ExportRequestCountsAndLatencyHistograms()
    {
        using var dataDir = new TempDirectory();
        await using var process = DemiurgeProcess.Start(["up", "--data-dir", dataDir.Path, "--api-port", "0", "--admin-token", "metrics-admin-token-0123", "--pool-ports", PortBlocks.Next()]);
        using var http = Authorized(new Uri(await process.WaitForOutputAsync("API:")), "metrics-admin-token-0123");

        using var created = await http.PostAsJsonAsync("/orgs", new { name = "Metered" });
        using var missing = await http.GetAsync($"/orgs/{Guid.NewGuid()}");
        var text = await http.GetStringAsync("/metrics");

        Assert.Contains(text.Split('\n'), l => l.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal)
            && l.Contains("http_route=\"/orgs/\"", StringComparison.Ordinal) && l.Contains("http_response_status_code=\"201\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
        Assert.Contains(text.Split('\n'), l => l.StartsWith("http_server_request_duration_seconds_bucket{", StringComparison.Ordinal)
            && l.Contains("http_response_status_code=\"404\"", StringComparison.Ordinal));
        Assert.Contains(text.Split('\n'), l => l.StartsWith("demiurge_organizations_created_total", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Up_AppsettingsInWorkingDirectory_IsReadAndEnvironmentOverridesIt()
    {
        using var dataDir = new TempDirectory();
        using var workingDirectory = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(workingDirectory.Path, "appsettings.json"), $$"""
            { "Demiurge": { "DataDir": "{{dataDir.Path}}", "ApiPort": 0, "Domain": "from-file.example", "AdminToken": "file-admin-token-0123456789" } }
            """);

        await using var fromFile = DemiurgeProcess.Start(["up", "--pool-ports", PortBlocks.Next()], workingDirectory: workingDirectory.Path);
        Assert.Equal("from-file.example", await fromFile.WaitForOutputAsync("Domain:"));
        Assert.Equal(dataDir.Path, await fromFile.WaitForOutputAsync("Data:"));
        using (var http = Authorized(new Uri(await fromFile.WaitForOutputAsync("API:")), "file-admin-token-0123456789"))
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/users/me")).StatusCode);
        }

        fromFile.Signal(DemiurgeProcess.SigTerm);
        Assert.Equal(0, await fromFile.WaitForExitAsync());

        await using var overridden = DemiurgeProcess.Start(["up", "--pool-ports", PortBlocks.Next()], new Dictionary<string, string> { ["DEMIURGE_DOMAIN"] = "from-env.example" }, workingDirectory.Path);
        Assert.Equal("from-env.example", await overridden.WaitForOutputAsync("Domain:"));
    }

    /// <summary>Standard error is not a terminal here, so the default is JSON too.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("json")]
    public async Task Up_LogsAreJsonLinesCarryingTheRequestId(string? logFormat)
    {
        using var dataDir = new TempDirectory();
        List<string> arguments = ["up", "--data-dir", dataDir.Path, "--api-port", "0", "--pool-ports", PortBlocks.Next()];
        if (logFormat is not null)
        {
            arguments.AddRange(["--log-format", logFormat]);
        }

        await using var process = DemiurgeProcess.Start(arguments);
        var api = new Uri(await process.WaitForOutputAsync("API:"));
        using var http = new HttpClient { BaseAddress = api };

        using var response = await http.GetAsync("/healthz");
        var requestId = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        process.Signal(DemiurgeProcess.SigTerm);
        await process.WaitForExitAsync();

        var logs = process.StandardError.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(logs, l => Assert.True(l.TryGetProperty("LogLevel", out _)));
        Assert.Contains(logs, l => l.TryGetProperty("Scopes", out var scopes)
            && scopes.EnumerateArray().Any(s => s.TryGetProperty("RequestId", out var id) && id.GetString() == requestId));
        Assert.DoesNotContain(process.StandardError, l => l.Contains("No XML encryptor configured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Up_LogFormatText_OneReadableLinePerEventAndTheSummaryAlone()
    {
        using var dataDir = new TempDirectory();
        await using var process = DemiurgeProcess.Start(["up", "--data-dir", dataDir.Path, "--api-port", "0", "--pool-ports", PortBlocks.Next(), "--log-format", "text"]);
        await process.WaitForOutputAsync("Press Ctrl-C");
        // The pool's workers log in the control plane's format too, though their standard error is a file.
        var workerLines = await WorkerLogLinesAsync(dataDir.Path);
        process.Signal(DemiurgeProcess.SigTerm);
        Assert.Equal(0, await process.WaitForExitAsync());

        Assert.Contains(workerLines, l => TextLogLine().IsMatch(l));
        Assert.DoesNotContain(workerLines, l => l.StartsWith('{'));

        var lines = process.StandardError.ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): [\w.]+\[\d+\] ", l));
        Assert.Contains(lines, l => l.Contains(" info: Demiurge.Identity.AdminBootstrap[1001] Created the built-in admin user", StringComparison.Ordinal));
        // The host's own lines repeat the summary; on the console the summary says it once.
        Assert.DoesNotContain(lines, l => l.Contains("Now listening on", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("No XML encryptor configured", StringComparison.Ordinal));
        Assert.Equal("Demiurge up is running.", process.StandardOutput.First());
    }

    /// <summary>The room limits an operator gives <c>up</c> reach the pool's workers as their flags.</summary>
    [Fact]
    public async Task Up_RoomLimits_ReachThePoolsWorkers()
    {
        using var dataDir = new TempDirectory();
        const string token = "room-limits-admin-token-0123";
        await using var process = DemiurgeProcess.Start(["up", "--data-dir", dataDir.Path, "--api-port", "0", "--pool-ports", PortBlocks.Next(), "--admin-token", token,
            "--rooms", "3", "--room-connections", "2", "--room-updates-per-second", "7", "--room-message-max-bytes", "64KiB"]);
        using var http = new HttpClient { BaseAddress = new Uri(await process.WaitForOutputAsync("API:")) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);

        int? pid = null;
        for (var i = 0; i < 300 && pid is null; i++)
        {
            pid = (await http.GetFromJsonAsync<JsonElement>("/gateways")).EnumerateArray()
                .Select(g => g.GetProperty("pid")).Where(p => p.ValueKind == JsonValueKind.Number).Select(p => (int?)p.GetInt32()).FirstOrDefault();
            if (pid is null)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(pid);
        var arguments = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Split('\0');
        process.Signal(DemiurgeProcess.SigTerm);
        Assert.Equal(0, await process.WaitForExitAsync());

        string After(string flag) => arguments[Array.IndexOf(arguments, flag) + 1];
        Assert.Equal(("3", "2", "7", "65536"), (After("--rooms"), After("--room-connections"), After("--room-updates-per-second"), After("--room-message-max-bytes")));
    }

    [Fact]
    public async Task Up_InvalidSettings_Exits78ListingEveryError()
    {
        using var dataDir = new TempDirectory();
        await using var process = DemiurgeProcess.Start(["up", "--data-dir", dataDir.Path, "--api-port", "99999", "--domain", "Not A Domain", "--admin-token", "short"]);

        Assert.Equal(78, await process.WaitForExitAsync());
        var errors = string.Join(Environment.NewLine, process.StandardError);
        Assert.Contains("--api-port", errors, StringComparison.Ordinal);
        Assert.Contains("--domain", errors, StringComparison.Ordinal);
        Assert.Contains("--admin-token", errors, StringComparison.Ordinal);
    }

    private static HttpClient Authorized(Uri api, string token)
    {
        var http = new HttpClient { BaseAddress = api };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    // Waits for the first worker's log to hold a log line (its ready announcement), and returns its lines.
    private static async Task<List<string>> WorkerLogLinesAsync(string dataDir)
    {
        var logs = Path.Combine(dataDir, "logs");
        for (var wait = 0; wait < 600; wait++)
        {
            foreach (var file in Directory.Exists(logs) ? Directory.GetFiles(logs, "gateway-*.log") : [])
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
                if (lines.Any(l => TextLogLine().IsMatch(l) || l.StartsWith('{')))
                {
                    return lines;
                }
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"No gateway worker logged a line in {logs}.");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): [\w.]+\[\d+\] ")]
    private static partial System.Text.RegularExpressions.Regex TextLogLine();
}

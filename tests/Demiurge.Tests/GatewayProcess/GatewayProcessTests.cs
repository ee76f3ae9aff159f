using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.GatewayProcess;

/// <summary><c>demiurge gateway</c> as the pool manager runs it: the built executable, a child process.</summary>
public sealed class GatewayProcessTests
{
    private const string ProjectA = GatewayHarness.ProjectA;

    [Theory]
    [InlineData(DemiurgeProcess.SigTerm)]
    [InlineData(DemiurgeProcess.SigInt)]
    public async Task Gateway_ReadyWithTheEnvironmentToken_FinalPushAndExitZeroOnSignal(int signal)
    {
        const string token = "gw_from-the-environment-0123456789";
        await using var controlPlane = await FakeControlPlane.StartAsync(gatewayToken: token);
        var port = FreePorts.Tcp();
        await using var process = DemiurgeProcess.Start(
            ["gateway", "--control-plane", controlPlane.Url.ToString(), "--port", port.ToString(CultureInfo.InvariantCulture), "--gateway-id", "gw-proc-1"],
            new Dictionary<string, string> { [Demiurge.Protocol.WorkerEnvironment.GatewayToken] = token, [Demiurge.Protocol.WorkerEnvironment.ControlPlaneKeys] = TestSigningKey.Variable });

        var url = new Uri(await process.WaitForOutputAsync("Listening:"));
        var ready = await controlPlane.WaitForCallAsync(GatewayPaths.Ready);

        Assert.Equal(IPAddress.Loopback.ToString(), url.Host);
        Assert.Equal(port, url.Port);
        Assert.Equal(token, ready.Bearer);
        Assert.Equal(200, ready.Status);
        Assert.Equal("gw-proc-1", ready.Body.GetProperty("gateway_id").GetString());

        var grant = controlPlane.Grant(Guid.CreateVersion7().ToString(), "gw-proc-1", projects: [ProjectA]);
        using var http = new HttpClient { BaseAddress = url };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", controlPlane.DefaultMember.Token);
        using (var start = await http.SendAsync(await TestSigningKey.SignAsync(
            new HttpRequestMessage(HttpMethod.Post, "/collab/start") { Content = JsonContent.Create(new { handshake_token = grant.HandshakeToken }) }, "gw-proc-1", DateTimeOffset.UtcNow)))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        var document = Convert.ToBase64String(Encoding.UTF8.GetBytes("unsaved at shutdown"));
        using (var put = await http.PutAsJsonAsync($"/projects/{ProjectA}/state", new { state = document }))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        process.Signal(signal);

        Assert.Equal(0, await process.WaitForExitAsync());
        var push = Assert.Single(controlPlane.Calls(GatewayPaths.DataPush));
        Assert.Equal(grant.AllocationToken, push.Bearer);
        Assert.Equal(document, controlPlane.Data(grant.OrganizationId)!.Projects[ProjectA]);
        Assert.Contains("Demiurge gateway gw-proc-1 stopped.", process.StandardOutput);
        Assert.DoesNotContain(process.StandardOutput.Concat(process.StandardError), l => l.Contains(token, StringComparison.Ordinal));
        var logs = process.StandardError.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(logs, l => l.GetProperty("EventId").GetInt32() == 4001
            && l.GetProperty("State").GetProperty("GatewayId").GetString() == "gw-proc-1");
    }

    [Fact]
    public async Task Gateway_InvalidArgumentsAndNoToken_Exits78ListingEveryError()
    {
        await using var process = DemiurgeProcess.Start(
            ["gateway", "--control-plane", "ftp://example.com", "--port", "70000", "--inactivity-timeout", "5", "--autosave-interval", "off"]);

        Assert.Equal(78, await process.WaitForExitAsync());
        var lines = process.StandardError.ToList();
        Assert.Equal("Invalid configuration:", lines[0]);
        var problems = lines.Skip(1).Select(l => l.Trim()).ToList();
        Assert.Equal(7, problems.Count);
        Assert.All(problems, p => Assert.StartsWith("- ", p, StringComparison.Ordinal));
        Assert.Single(problems, p => p.Contains("--control-plane 'ftp://example.com'", StringComparison.Ordinal));
        Assert.Single(problems, p => p.Contains("--port", StringComparison.Ordinal) && p.Contains("70000", StringComparison.Ordinal));
        Assert.Single(problems, p => p.Contains("--gateway-id is required", StringComparison.Ordinal));
        Assert.Single(problems, p => p.Contains("--inactivity-timeout '5'", StringComparison.Ordinal));
        Assert.Single(problems, p => p.Contains("--autosave-interval 'off'", StringComparison.Ordinal));
        Assert.Single(problems, p => p.Contains("DEMIURGE_GATEWAY_TOKEN must be set", StringComparison.Ordinal));
        Assert.Single(problems, p => p.Contains("DEMIURGE_CONTROL_PLANE_KEYS must list", StringComparison.Ordinal));
        Assert.Empty(process.StandardOutput);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Demiurge.GatewayProcess;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>
/// A gateway knows every control plane (the leader's pings name them) and goes on with the next
/// when one cannot be reached, but never repeats a call that may have been carried out.
/// </summary>
public sealed class ControlPlaneFailoverTests
{
    private const string Organization = "0198a0a0-0000-7000-8000-0000000000f1";

    [Fact]
    public async Task Ping_NamesControlPlanes_CallsThatCannotConnectGoToTheNextWhichThenComesFirst()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var dead = $"http://127.0.0.1:{FreePorts.Tcp()}/";
        var alive = gateway.ControlPlane.Url.AbsoluteUri;

        using (var ping = await gateway.PingAsync($"{dead}, {alive}"))
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
            Assert.Equal([dead, alive], ControlPlanes(await ping.Content.ReadFromJsonAsync<JsonElement>()));
        }

        // The handshake's /gateway/config cannot connect to the first, so the second serves it.
        await gateway.ServeAsync(Organization);

        Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.Config));
        using var after = await gateway.PingAsync(controlPlanes: null);
        Assert.Equal([alive, dead], ControlPlanes(await after.Content.ReadFromJsonAsync<JsonElement>()));
    }

    [Fact]
    public async Task Ping_WithoutTheControlPlanesCredential_401AndTheListIsKept()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var elsewhere = $"http://127.0.0.1:{FreePorts.Tcp()}/";

        using (var wrong = await gateway.PingAsync(elsewhere, signature: "key=test-signing-key,ts=0,sig=AAAA"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var anonymous = new HttpRequestMessage(HttpMethod.Get, "/collab/ping"))
        {
            anonymous.Headers.Add(Demiurge.Protocol.GatewayHeaders.ControlPlanes, elsewhere);
            using var response = await gateway.Http.SendAsync(anonymous);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // A plain ping, as anyone may send it, answers without the list.
        Assert.False((await gateway.PingAsync()).TryGetProperty("control_planes", out _));
        using var ping = await gateway.PingAsync(controlPlanes: null);
        Assert.Equal([gateway.ControlPlane.Url.AbsoluteUri], ControlPlanes(await ping.Content.ReadFromJsonAsync<JsonElement>()));
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:21/")]
    [InlineData("127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:5080/, not a url")]
    [InlineData(",")]
    public async Task Ping_InvalidControlPlanes_400AndTheListIsKept(string header)
    {
        await using var gateway = await GatewayHarness.StartAsync();

        using var response = await gateway.PingAsync(header);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var ping = await gateway.PingAsync(controlPlanes: null);
        Assert.Equal([gateway.ControlPlane.Url.AbsoluteUri], ControlPlanes(await ping.Content.ReadFromJsonAsync<JsonElement>()));
    }

    [Fact]
    public async Task Ping_MoreControlPlanesThanTheLimit_400()
    {
        await using var gateway = await GatewayHarness.StartAsync();

        using var response = await gateway.PingAsync(string.Join(", ",
            Enumerable.Range(0, ControlPlaneClient.MaxControlPlanes + 1).Select(i => $"http://127.0.0.{i + 1}:5080/")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Call_FirstControlPlaneConnectsButNeverAnswers_NotRepeatedOnTheNext()
    {
        await using var gateway = await GatewayHarness.StartAsync(requestTimeout: TimeSpan.FromSeconds(1));
        // Accepts connections (the kernel does, from the backlog) and never answers.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var silentUrl = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/";
        using (var ping = await gateway.PingAsync($"{silentUrl}, {gateway.ControlPlane.Url.AbsoluteUri}"))
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        }

        var grant = gateway.ControlPlane.Grant(Organization, gateway.GatewayIdInUse);
        using var start = await gateway.StartAsync(grant.HandshakeToken);

        // The silent one may have redeemed the handshake token: asking the next would be a second redemption.
        Assert.Equal(HttpStatusCode.BadGateway, start.StatusCode);
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Config));
    }

    private static List<string> ControlPlanes(JsonElement ping) =>
        [.. ping.GetProperty("control_planes").EnumerateArray().Select(url => url.GetString()!)];
}

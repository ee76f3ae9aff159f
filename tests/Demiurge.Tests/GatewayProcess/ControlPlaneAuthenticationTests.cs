using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Demiurge.Protocol;
using Demiurge.Security;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>
/// Only the control plane starts a gateway: <c>/collab/start</c> takes a call signed by a key the
/// worker was started with, for this worker, this request and now. Anything else is 401 and the
/// handshake token is never redeemed.
/// </summary>
public sealed class ControlPlaneAuthenticationTests
{
    [Fact]
    public async Task CollabStart_Unsigned_401AndTheTokenIsNotRedeemed()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var grant = gateway.ControlPlane.Grant(Guid.CreateVersion7().ToString(), GatewayHarness.GatewayId);

        using var response = await gateway.Http.PostAsJsonAsync("/collab/start", new { handshake_token = grant.HandshakeToken });

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Config));
        Assert.Equal("idle", (await gateway.PingAsync()).GetProperty("state").GetString());
        using var signed = await gateway.StartAsync(grant.HandshakeToken);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
    }

    public static TheoryData<string> Forgeries => ["other gateway", "too old", "too new", "other key", "body changed", "other path"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task CollabStart_ForgedOrReplayedSignature_401(string forgery)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var grant = gateway.ControlPlane.Grant(Guid.CreateVersion7().ToString(), GatewayHarness.GatewayId);
        var now = gateway.Time.GetUtcNow();
        var body = System.Text.Encoding.UTF8.GetBytes($$"""{"handshake_token":"{{grant.HandshakeToken}}"}""");
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = forgery switch
        {
            "other gateway" => Sign(TestSigningKey.Private, "gw-someone-else", "/collab/start", now, body),
            "too old" => Sign(TestSigningKey.Private, GatewayHarness.GatewayId, "/collab/start", now - TimeSpan.FromMinutes(2), body),
            "too new" => Sign(TestSigningKey.Private, GatewayHarness.GatewayId, "/collab/start", now + TimeSpan.FromMinutes(2), body),
            "other key" => Sign(otherKey, GatewayHarness.GatewayId, "/collab/start", now, body),
            "body changed" => Sign(TestSigningKey.Private, GatewayHarness.GatewayId, "/collab/start", now, System.Text.Encoding.UTF8.GetBytes("""{"handshake_token":"hs_other"}""")),
            _ => Sign(TestSigningKey.Private, GatewayHarness.GatewayId, "/collab/release", now, body),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/collab/start") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(Demiurge.Protocol.GatewayHeaders.Signature, signature);

        using var response = await gateway.Http.SendAsync(request);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.Config));
    }

    [Theory]
    [InlineData("")]
    [InlineData("key=test-signing-key")]
    [InlineData("key=test-signing-key,ts=99999999999999999999,sig=AAAA")]
    [InlineData("key=test-signing-key,ts=1,sig=!!!")]
    [InlineData("nonsense")]
    public async Task CollabRelease_MalformedSignature_401(string header)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/collab/release");
        request.Headers.TryAddWithoutValidation(Demiurge.Protocol.GatewayHeaders.Signature, header);

        using var response = await gateway.Http.SendAsync(request);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    private static string Sign(ECDsa key, string gatewayId, string path, DateTimeOffset at, byte[] body) =>
        ControlPlaneSignature.Sign(key, TestSigningKey.KeyId, gatewayId, "POST", path, at, body, null);
}

using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.GatewayProcess;
using Demiurge.GatewayProcess.Users;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Demiurge.Tests.GatewayProcess.Users;

/// <summary>The gateway's user-token check against a real control plane's <c>GET /users/me</c>.</summary>
public sealed class UserTokenVerifierTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    private static readonly string[] s_read = ["org:read"];

    [Fact]
    public async Task Verify_RealUserToken_TheUsersIdAndName()
    {
        var user = await fixture.CreateUserAsync();
        using var controlPlane = Client();
        var verifier = new UserTokenVerifier(controlPlane, new FakeTimeProvider(), NullLogger<UserTokenVerifier>.Instance);

        var verification = await verifier.VerifyAsync("Bearer " + user.Token, CancellationToken.None);

        Assert.Equal(UserVerificationStatus.Verified, verification.Status);
        Assert.Equal(user.UserId, verification.User!.UserId);
        Assert.Equal(user.Username, verification.User.Username);
    }

    [Fact]
    public async Task Verify_ValidApiKey_InvalidOnTheGateway()
    {
        var user = await fixture.CreateUserAsync();
        using var created = await user.Client.PostAsJsonAsync("/tokens", new { name = "gateway", scopes = s_read }, TestContext.Current.CancellationToken);
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("token").GetString();
        using var check = fixture.Client(key);
        using var me = await check.GetAsync("/users/me", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, me.StatusCode);
        using var controlPlane = Client();
        var verifier = new UserTokenVerifier(controlPlane, new FakeTimeProvider(), NullLogger<UserTokenVerifier>.Instance);

        var verification = await verifier.VerifyAsync("Bearer " + key, CancellationToken.None);

        Assert.Equal(UserVerificationStatus.Invalid, verification.Status);
        Assert.Null(verification.User);
    }

    [Theory]
    [InlineData("Bearer dmg_not-a-token", "Invalid")]
    [InlineData("Bearer ", "Missing")]
    [InlineData("Basic dXNlcjpwdw==", "Missing")]
    [InlineData("Bearer has\u00e9accent", "Missing")]
    [InlineData(null, "Missing")]
    public async Task Verify_NotAUserToken_Refused(string? header, string status)
    {
        using var controlPlane = Client();
        var verifier = new UserTokenVerifier(controlPlane, new FakeTimeProvider(), NullLogger<UserTokenVerifier>.Instance);

        var verification = await verifier.VerifyAsync(header, CancellationToken.None);

        Assert.Equal(status, verification.Status.ToString());
        Assert.Null(verification.User);
    }

    [Fact]
    public async Task Verify_ControlPlaneUnreachable_UnavailableNotInvalid()
    {
        using var controlPlane = new ControlPlaneClient(Microsoft.Extensions.Options.Options.Create(Options(new Uri("http://127.0.0.1:1"))), Microsoft.Extensions.Logging.Abstractions.NullLogger<ControlPlaneClient>.Instance);
        var verifier = new UserTokenVerifier(controlPlane, new FakeTimeProvider(), NullLogger<UserTokenVerifier>.Instance);

        var verification = await verifier.VerifyAsync("Bearer dmg_whatever", CancellationToken.None);

        Assert.Equal(UserVerificationStatus.Unavailable, verification.Status);
    }

    [Fact]
    public async Task Verify_SameToken_CachedFor30SecondsOrUntilCleared()
    {
        var user = await fixture.CreateUserAsync();
        using var controlPlane = Client();
        var time = new FakeTimeProvider();
        var verifier = new UserTokenVerifier(controlPlane, time, NullLogger<UserTokenVerifier>.Instance);
        Assert.Equal("verified", (await verifier.VerifyAsync("Bearer " + user.Token, CancellationToken.None)).Detail);

        // Within 30 s the cache answers without asking; after that, or once cleared, the control plane is asked again.
        time.Advance(UserTokenVerifier.CacheLifetime - TimeSpan.FromTicks(1));
        Assert.Equal("verified (cached)", (await verifier.VerifyAsync("Bearer " + user.Token, CancellationToken.None)).Detail);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal("verified", (await verifier.VerifyAsync("Bearer " + user.Token, CancellationToken.None)).Detail);
        Assert.Equal("verified (cached)", (await verifier.VerifyAsync("Bearer " + user.Token, CancellationToken.None)).Detail);
        verifier.Clear();
        Assert.Equal("verified", (await verifier.VerifyAsync("Bearer " + user.Token, CancellationToken.None)).Detail);
    }

    private ControlPlaneClient Client() => new(Microsoft.Extensions.Options.Options.Create(Options(fixture.ApiUrl)), Microsoft.Extensions.Logging.Abstractions.NullLogger<ControlPlaneClient>.Instance);

    private static GatewayProcessOptions Options(Uri controlPlane) => new()
    {
        ControlPlane = controlPlane,
        Port = 0,
        GatewayId = "gw-verifier",
        GatewayToken = "gw_unused-0123456789",
        ControlPlaneKeys = TestSigningKey.Keys,
        RequestTimeout = TimeSpan.FromSeconds(5),
    };
}

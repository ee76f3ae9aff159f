using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;
using static Demiurge.Tests.GatewayProcess.ManagerCalls;

namespace Demiurge.Tests.GatewayProcess.OAuth;

/// <summary>
/// The gateway's OAuth 2 provider over HTTP against a fake control plane: authorization code
/// with PKCE, token and refresh rotation, introspection by containers, with the clock in the test's hands.
/// </summary>
public sealed class OAuthEndpointsTests
{
    [Fact]
    public async Task Authorize_MemberWithPkce_CodeThenTokensThenActiveIntrospection()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var (verifier, challenge) = NewPkce();

        using var authorize = await AuthorizeAsync(gateway, org.Member.Token, AuthorizeQuery(container, challenge));
        var redirect = AssertRedirect(authorize, container.RedirectUri);
        Assert.Equal(State, redirect["state"]);
        Assert.StartsWith("gwc_", redirect["code"], StringComparison.Ordinal);
        Assert.Equal(org.Member.Token, gateway.ControlPlane.Calls(GatewayPaths.Me)[^1].Bearer);

        using var token = await RedeemAsync(gateway, container, redirect["code"], verifier);
        var tokens = await AssertTokensAsync(token);
        Assert.NotEqual(tokens.GetProperty("access_token").GetString(), tokens.GetProperty("refresh_token").GetString());

        var introspection = await IntrospectOkAsync(gateway, container, tokens.GetProperty("access_token").GetString()!);
        Assert.True(introspection.GetProperty("active").GetBoolean());
        Assert.Equal(org.Member.UserId, introspection.GetProperty("user_id").GetString());
        Assert.Equal(org.Member.Username, introspection.GetProperty("username").GetString());
        Assert.Equal(container.ClientId, introspection.GetProperty("client_id").GetString());
        Assert.Equal((gateway.Time.GetUtcNow() + TimeSpan.FromHours(1)).ToUnixTimeSeconds(), introspection.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task Authorize_RedirectUriWithItsOwnQuery_KeepsItAndAddsCodeAndState()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId, "/cb?app=lab");
        var query = AuthorizeQuery(container, NewPkce().Challenge);
        query["redirect_uri"] = RedirectUri(org.OrganizationId, container.ContainerId, "/cb?app=lab");

        using var response = await AuthorizeAsync(gateway, org.Member.Token, query);

        var redirect = AssertRedirect(response, RedirectUri(org.OrganizationId, container.ContainerId, "/cb?app=lab").Split('?')[0]);
        Assert.Equal("lab", redirect["app"]);
        Assert.Equal(State, redirect["state"]);
        Assert.True(redirect.ContainsKey("code"));
    }

    [Fact]
    public async Task Token_WrongVerifier_InvalidGrant()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var code = await AuthorizeCodeAsync(gateway, org.Member, container, NewPkce().Challenge);

        using var response = await RedeemAsync(gateway, container, code, NewPkce().Verifier);

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Token_MalformedVerifier_InvalidRequest()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var code = await AuthorizeCodeAsync(gateway, org.Member, container, NewPkce().Challenge);

        using var response = await RedeemAsync(gateway, container, code, "too-short");

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Token_CodeUsedTwice_InvalidGrantAndRevokesTheTokensIssuedFromIt()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var (verifier, challenge) = NewPkce();
        var code = await AuthorizeCodeAsync(gateway, org.Member, container, challenge);
        using var first = await RedeemAsync(gateway, container, code, verifier);
        var tokens = await AssertTokensAsync(first);
        var other = await SignInAsync(gateway, org.Member, container);

        using var second = await RedeemAsync(gateway, container, code, verifier);

        await AssertOAuthErrorAsync(second, HttpStatusCode.BadRequest, "invalid_grant");
        Assert.False((await IntrospectOkAsync(gateway, container, tokens.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
        using var refresh = await RefreshAsync(gateway, container, tokens.GetProperty("refresh_token").GetString()!);
        await AssertOAuthErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_grant");
        // Another sign-in of the same user is another grant: untouched.
        Assert.True((await IntrospectOkAsync(gateway, container, other.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Token_CodeExpired_InvalidGrant()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var (verifier, challenge) = NewPkce();
        var early = await AuthorizeCodeAsync(gateway, org.Member, container, challenge);
        var late = await AuthorizeCodeAsync(gateway, org.Member, container, challenge);

        gateway.FakeTime.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        using (var justInTime = await RedeemAsync(gateway, container, early, verifier))
        {
            await AssertTokensAsync(justInTime);
        }

        gateway.FakeTime.Advance(TimeSpan.FromSeconds(1));
        using var expired = await RedeemAsync(gateway, container, late, verifier);

        var problem = await AssertOAuthErrorAsync(expired, HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Contains("expired", problem.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_RedirectUriNotRegistered_400WithoutRedirect()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var query = AuthorizeQuery(container, NewPkce().Challenge);
        query["redirect_uri"] = container.RedirectUri + "/other";

        using var response = await AuthorizeAsync(gateway, org.Member.Token, query);

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("client_id")]
    [InlineData("redirect_uri")]
    public async Task Authorize_ClientOrRedirectMissing_400WithoutRedirect(string parameter)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var query = AuthorizeQuery(container, NewPkce().Challenge);
        query[parameter] = null;

        using var response = await AuthorizeAsync(gateway, org.Member.Token, query);

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Authorize_UnknownClient_400InvalidClientWithoutRedirect()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var query = AuthorizeQuery(container, NewPkce().Challenge);
        query["client_id"] = Guid.NewGuid().ToString();

        using var response = await AuthorizeAsync(gateway, org.Member.Token, query);

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_client");
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Token_RedirectUriDiffersFromTheAuthorization_InvalidGrant()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId, "/second");
        var (verifier, challenge) = NewPkce();
        var code = await AuthorizeCodeAsync(gateway, org.Member, container, challenge);

        using var response = await RedeemAsync(gateway, container, code, verifier, RedirectUri(org.OrganizationId, container.ContainerId, "/second"));

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("s256")]
    [InlineData(null)]
    public async Task Authorize_ChallengeMethodNotS256_RedirectsInvalidRequest(string? method)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var query = AuthorizeQuery(container, NewPkce().Challenge);
        query["code_challenge_method"] = method;

        using var response = await AuthorizeAsync(gateway, org.Member.Token, query);

        var redirect = AssertRedirect(response, container.RedirectUri);
        Assert.Equal("invalid_request", redirect["error"]);
        Assert.Contains("S256", redirect["error_description"], StringComparison.Ordinal);
        Assert.Equal(State, redirect["state"]);
        Assert.False(redirect.ContainsKey("code"));
    }

    [Theory]
    [InlineData("code_challenge", null, "invalid_request")]
    [InlineData("code_challenge", "short", "invalid_request")]
    [InlineData("response_type", null, "invalid_request")]
    [InlineData("response_type", "token", "unsupported_response_type")]
    public async Task Authorize_BadParameterOnceRedirectIsTrusted_RedirectsWithTheError(string parameter, string? value, string error)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var query = AuthorizeQuery(container, NewPkce().Challenge);
        query[parameter] = value;

        using var response = await AuthorizeAsync(gateway, org.Member.Token, query);

        var redirect = AssertRedirect(response, container.RedirectUri);
        Assert.Equal(error, redirect["error"]);
        Assert.Equal(State, redirect["state"]);
        Assert.False(redirect.ContainsKey("code"));
    }

    [Fact]
    public async Task Authorize_ParameterRepeated_RedirectsInvalidRequest()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var challenge = NewPkce().Challenge;
        var url = $"/oauth/authorize?response_type=code&client_id={container.ClientId}&redirect_uri={Uri.EscapeDataString(container.RedirectUri)}"
            + $"&code_challenge={challenge}&code_challenge_method=S256&code_challenge={NewPkce().Challenge}";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", org.Member.Token);

        using var response = await gateway.Http.SendAsync(request);

        Assert.Equal("invalid_request", AssertRedirect(response, container.RedirectUri)["error"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("dmg_not-a-user")]
    public async Task Authorize_NoValidUserToken_401WithoutRedirect(string? token)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await AuthorizeAsync(gateway, token, AuthorizeQuery(container, NewPkce().Challenge));

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Authorize_ValidUserWhoIsNotAMember_RedirectsAccessDenied()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await AuthorizeAsync(gateway, org.Outsider.Token, AuthorizeQuery(container, NewPkce().Challenge));

        var redirect = AssertRedirect(response, container.RedirectUri);
        Assert.Equal("access_denied", redirect["error"]);
        Assert.Equal(State, redirect["state"]);
        Assert.False(redirect.ContainsKey("code"));
        Assert.Equal(200, gateway.ControlPlane.Calls(GatewayPaths.Me)[^1].Status); // the token itself was fine
    }

    [Fact]
    public async Task Authorize_ControlPlaneCannotVerify_RedirectsTemporarilyUnavailable()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Owner, org.OrganizationId);
        gateway.ControlPlane.FailNext(GatewayPaths.Me, 503);

        using var response = await AuthorizeAsync(gateway, org.Member.Token, AuthorizeQuery(container, NewPkce().Challenge));

        Assert.Equal("temporarily_unavailable", AssertRedirect(response, container.RedirectUri)["error"]);
    }

    [Fact]
    public async Task Authorize_SameUserTokenTwice_VerifiedOnceThenAgainAfter30Seconds()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Owner, org.OrganizationId);
        var challenge = NewPkce().Challenge;
        var before = gateway.ControlPlane.Calls(GatewayPaths.Me).Count;

        await AuthorizeCodeAsync(gateway, org.Member, container, challenge);
        gateway.FakeTime.Advance(TimeSpan.FromSeconds(29));
        await AuthorizeCodeAsync(gateway, org.Member, container, challenge);
        Assert.Equal(before + 1, gateway.ControlPlane.Calls(GatewayPaths.Me).Count);

        gateway.FakeTime.Advance(TimeSpan.FromSeconds(1));
        await AuthorizeCodeAsync(gateway, org.Member, container, challenge);

        Assert.Equal(before + 2, gateway.ControlPlane.Calls(GatewayPaths.Me).Count);
    }

    [Fact]
    public async Task Refresh_Valid_NewPair_AndReusingTheOldTokenRevokesTheWholeGrant()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var first = await SignInAsync(gateway, org.Member, container);
        var oldRefresh = first.GetProperty("refresh_token").GetString()!;

        using var refreshed = await RefreshAsync(gateway, container, oldRefresh);
        var second = await AssertTokensAsync(refreshed);

        Assert.NotEqual(oldRefresh, second.GetProperty("refresh_token").GetString());
        Assert.NotEqual(first.GetProperty("access_token").GetString(), second.GetProperty("access_token").GetString());
        var introspection = await IntrospectOkAsync(gateway, container, second.GetProperty("access_token").GetString()!);
        Assert.True(introspection.GetProperty("active").GetBoolean());
        Assert.Equal(org.Member.UserId, introspection.GetProperty("user_id").GetString());
        using (var reused = await RefreshAsync(gateway, container, oldRefresh))
        {
            await AssertOAuthErrorAsync(reused, HttpStatusCode.BadRequest, "invalid_grant");
        }

        // A rotated token presented again may be stolen (RFC 9700, 4.14.2): the grant is gone,
        // the pair issued by the rotation included.
        using (var again = await RefreshAsync(gateway, container, second.GetProperty("refresh_token").GetString()!))
        {
            await AssertOAuthErrorAsync(again, HttpStatusCode.BadRequest, "invalid_grant");
        }

        Assert.False((await IntrospectOkAsync(gateway, container, second.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Refresh_TokenOfAnotherClient_InvalidGrant()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var mine = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var theirs = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var tokens = await SignInAsync(gateway, org.Member, mine);

        using var response = await RefreshAsync(gateway, theirs, tokens.GetProperty("refresh_token").GetString()!);

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Token_UnknownClient_InvalidClient()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        await TestOrganization.ServeAsync(gateway);

        using var response = await TokenAsync(gateway, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = "gwr_x", ["client_id"] = Guid.NewGuid().ToString(),
        });

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_client");
    }

    [Theory]
    [InlineData("password", "unsupported_grant_type")]
    [InlineData("", "invalid_request")]
    public async Task Token_BadGrantType_Refused(string grantType, string error)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await TokenAsync(gateway, new Dictionary<string, string> { ["grant_type"] = grantType, ["client_id"] = container.ClientId });

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, error);
    }

    [Fact]
    public async Task Token_JsonInsteadOfForm_InvalidRequest()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await gateway.Http.PostAsJsonAsync("/oauth/token", new { grant_type = "refresh_token", refresh_token = "x", client_id = container.ClientId });

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Token_ParameterRepeated_InvalidRequest()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var tokens = await SignInAsync(gateway, org.Member, container);

        using var response = await TokenAsync(gateway,
        [
            new("grant_type", "refresh_token"), new("client_id", container.ClientId),
            new("refresh_token", tokens.GetProperty("refresh_token").GetString()!), new("refresh_token", "gwr_other"),
        ]);

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Token_FormOverTheLimit_413()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await TokenAsync(gateway, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = container.ClientId, ["refresh_token"] = new string('r', 20 * 1024),
        });

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "too-large");
    }

    [Fact]
    public async Task Introspect_UnknownToken_OnlyActiveFalse()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await IntrospectAsync(gateway, container.Token, "gwa_unknown");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"active":false}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Introspect_AccessTokenAfterAnHour_Inactive()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var access = (await SignInAsync(gateway, org.Member, container)).GetProperty("access_token").GetString()!;

        gateway.FakeTime.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        Assert.True((await IntrospectOkAsync(gateway, container, access)).GetProperty("active").GetBoolean());
        gateway.FakeTime.Advance(TimeSpan.FromSeconds(1));

        var expired = await IntrospectOkAsync(gateway, container, access);
        Assert.False(expired.GetProperty("active").GetBoolean());
        Assert.False(expired.TryGetProperty("user_id", out _));
    }

    [Fact]
    public async Task Introspect_TokenIssuedToAnotherContainer_Inactive()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var mine = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var theirs = await CreateContainerOkAsync(gateway, org.OtherMember, org.OrganizationId);
        var access = (await SignInAsync(gateway, org.Member, mine)).GetProperty("access_token").GetString()!;

        Assert.False((await IntrospectOkAsync(gateway, theirs, access)).GetProperty("active").GetBoolean());
        Assert.True((await IntrospectOkAsync(gateway, mine, access)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspect_RefreshTokenPresented_Inactive()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var refresh = (await SignInAsync(gateway, org.Member, container)).GetProperty("refresh_token").GetString()!;

        Assert.False((await IntrospectOkAsync(gateway, container, refresh)).GetProperty("active").GetBoolean());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("unknown")]
    [InlineData("user token")]
    public async Task Introspect_CallerNotAContainer_401(string caller)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var access = (await SignInAsync(gateway, org.Member, container)).GetProperty("access_token").GetString()!;
        var token = caller switch { "none" => null, "unknown" => "gwt_unknown", _ => org.Member.Token };

        using var response = await IntrospectAsync(gateway, token, access);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Introspect_NoToken_InvalidRequest()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/authenticate") { Content = new FormUrlEncodedContent([]) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", container.Token);

        using var response = await gateway.Http.SendAsync(request);

        await AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task OAuthEndpoints_WhenIdle_409()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);

        using var authorize = await gateway.Http.GetAsync("/oauth/authorize?client_id=x&redirect_uri=http%3A%2F%2Fa");
        using var token = await TokenAsync(gateway, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["client_id"] = "x", ["refresh_token"] = "y" });
        using var introspect = await IntrospectAsync(gateway, "gwt_x", "gwa_y");

        await Problems.AssertProblemAsync(authorize, HttpStatusCode.Conflict, "conflict");
        await Problems.AssertProblemAsync(token, HttpStatusCode.Conflict, "conflict");
        await Problems.AssertProblemAsync(introspect, HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task OAuthRequests_OfKnownCallers_RearmInactivity_AnonymousOnesDoNot()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivity: TimeSpan.FromSeconds(10));
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var tokens = await SignInAsync(gateway, org.Member, container);
        var signedInAt = gateway.Time.GetUtcNow();

        await gateway.TickAsync(4);
        using (await AuthorizeAsync(gateway, null, AuthorizeQuery(container, NewPkce().Challenge)))
        using (await IntrospectAsync(gateway, "gwt_unknown", tokens.GetProperty("access_token").GetString()!))
        using (await TokenAsync(gateway, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["client_id"] = "nobody", ["refresh_token"] = "x" }))
        {
        }

        Assert.Equal(signedInAt + TimeSpan.FromSeconds(10), await ReleaseAtAsync(gateway));

        await IntrospectOkAsync(gateway, container, tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(gateway.Time.GetUtcNow() + TimeSpan.FromSeconds(10), await ReleaseAtAsync(gateway));

        await gateway.TickAsync(4);
        using (var refreshed = await RefreshAsync(gateway, container, tokens.GetProperty("refresh_token").GetString()!))
        {
            await AssertTokensAsync(refreshed);
        }

        Assert.Equal(gateway.Time.GetUtcNow() + TimeSpan.FromSeconds(10), await ReleaseAtAsync(gateway));
    }

    private static async Task<DateTimeOffset> ReleaseAtAsync(GatewayHarness gateway) =>
        (await gateway.ActivityAsync()).GetProperty("release_at").GetDateTimeOffset();
}

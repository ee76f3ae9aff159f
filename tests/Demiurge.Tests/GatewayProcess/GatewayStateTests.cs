using System.Net;
using System.Text.Json;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;
using static Demiurge.Tests.GatewayProcess.FakeControlPlane;
using static Demiurge.Tests.GatewayProcess.ManagerCalls;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>
/// The managers' state in the organization's data: pushed as <c>gateway_state</c>, hashed,
/// pulled back by whichever gateway serves the organization next, and never seen by another one.
/// </summary>
public sealed class GatewayStateTests
{
    [Fact]
    public async Task Push_AfterChanges_GatewayStateHoldsHashesAndNeverASecret()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var tokens = await SignInAsync(gateway, org.Member, container);
        var pendingCode = await AuthorizeCodeAsync(gateway, org.Member, container, NewPkce().Challenge);
        var (access, refresh) = (tokens.GetProperty("access_token").GetString()!, tokens.GetProperty("refresh_token").GetString()!);

        await gateway.TickAsync();

        var push = Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPush));
        Assert.Equal(200, push.Status);
        var state = push.Body.GetProperty("data").GetProperty("gateway_state");
        var text = state.GetRawText();
        foreach (var secret in (string[])[container.Token, access, refresh, pendingCode, org.Member.Token])
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.Equal(1, state.GetProperty("version").GetInt32());
        Assert.Equal(
            [(org.Owner.UserId, "owner"), (org.Admin.UserId, "admin"), (org.Member.UserId, "member"), (org.OtherMember.UserId, "member")],
            state.GetProperty("permissions").GetProperty("members").EnumerateArray().Select(m => (m.GetProperty("user_id").GetString(), m.GetProperty("role").GetString())));
        var stored = Assert.Single(state.GetProperty("containers").EnumerateArray());
        Assert.Equal(container.ContainerId, stored.GetProperty("container_id").GetString());
        Assert.Equal(org.Member.UserId, stored.GetProperty("created_by").GetString());
        Assert.Equal(Sha256(container.Token), stored.GetProperty("token_hash").GetString());
        Assert.Equal(container.ClientId, stored.GetProperty("oauth_client_id").GetString());
        var oauth = state.GetProperty("oauth");
        var client = Assert.Single(oauth.GetProperty("clients").EnumerateArray());
        Assert.Equal(container.ClientId, client.GetProperty("client_id").GetString());
        Assert.Equal([container.RedirectUri], client.GetProperty("redirect_uris").EnumerateArray().Select(u => u.GetString()));
        var codes = oauth.GetProperty("codes").EnumerateArray().ToList();
        Assert.Equal(2, codes.Count); // the redeemed one, kept to detect a replay, and the pending one
        Assert.Contains(codes, c => c.GetProperty("code_hash").GetString() == Sha256(pendingCode) && !c.GetProperty("used").GetBoolean());
        Assert.Equal(Sha256(access), Assert.Single(oauth.GetProperty("access_tokens").EnumerateArray()).GetProperty("token_hash").GetString());
        var refreshEntry = Assert.Single(oauth.GetProperty("refresh_tokens").EnumerateArray());
        Assert.Equal(Sha256(refresh), refreshEntry.GetProperty("token_hash").GetString());
        Assert.Equal(gateway.Time.GetUtcNow() - gateway.Tick + TimeSpan.FromDays(90), refreshEntry.GetProperty("expires_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Push_NothingChanged_NoPush()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        await gateway.TickAsync();
        Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPush));

        // Refused attempts change nothing: no push.
        var id = Guid.CreateVersion7().ToString();
        using (await CreateContainerAsync(gateway, org.Outsider, new { container_id = id, redirect_uris = new[] { RedirectUri(org.OrganizationId, id) } }))
        using (await DeleteContainerAsync(gateway, org.Outsider, id))
        {
        }

        await gateway.TickAsync(3);

        Assert.Single(gateway.ControlPlane.Calls(GatewayPaths.DataPush));
        Assert.False((await gateway.ActivityAsync()).GetProperty("dirty").GetBoolean());
    }

    [Fact]
    public async Task Release_ThenAnotherGatewayServesTheOrganization_ClientsCodesAndTokensKeepWorking()
    {
        await using var first = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(first);
        var container = await CreateContainerOkAsync(first, org.Member, org.OrganizationId);
        var tokens = await SignInAsync(first, org.Member, container);
        var (verifier, challenge) = NewPkce();
        var pendingCode = await AuthorizeCodeAsync(first, org.Member, container, challenge);
        using (var release = await first.ReleaseAsync())
        {
            Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        }

        await using var second = await GatewayHarness.StartAsync(
            inactivityOff: true, time: first.Time, controlPlane: first.ControlPlane, gatewayId: "gw-test-2");
        await second.ServeAsync(org.OrganizationId, org.MembersConfig());

        var introspection = await IntrospectOkAsync(second, container, tokens.GetProperty("access_token").GetString()!);
        Assert.True(introspection.GetProperty("active").GetBoolean());
        Assert.Equal(org.Member.UserId, introspection.GetProperty("user_id").GetString());
        using (var redeem = await RedeemAsync(second, container, pendingCode, verifier))
        {
            await AssertTokensAsync(redeem);
        }

        using (var refresh = await RefreshAsync(second, container, tokens.GetProperty("refresh_token").GetString()!))
        {
            await AssertTokensAsync(refresh);
        }

        await SignInAsync(second, org.Owner, container);
        using var delete = await DeleteContainerAsync(second, org.Member, container.ContainerId);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        // The first gateway no longer serves it: what it had is gone.
        using var stale = await IntrospectAsync(first, container.Token, tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
    }

    [Fact]
    public async Task Release_ThenAnotherOrganization_SeesNothingOfTheFirst()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var first = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, first.Member, first.OrganizationId);
        var tokens = await SignInAsync(gateway, first.Member, container);
        var (verifier, challenge) = NewPkce();
        var pendingCode = await AuthorizeCodeAsync(gateway, first.Member, container, challenge);
        using (var release = await gateway.ReleaseAsync())
        {
            Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        }

        // The same people are members of the second organization: only the organization differs.
        var secondId = Guid.CreateVersion7().ToString();
        await gateway.ServeAsync(secondId, first.MembersConfig());

        using (var introspect = await IntrospectAsync(gateway, container.Token, tokens.GetProperty("access_token").GetString()!))
        {
            await Problems.AssertProblemAsync(introspect, HttpStatusCode.Unauthorized, "unauthorized");
        }

        using (var refresh = await RefreshAsync(gateway, container, tokens.GetProperty("refresh_token").GetString()!))
        {
            await AssertOAuthErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_client");
        }

        using (var redeem = await RedeemAsync(gateway, container, pendingCode, verifier))
        {
            await AssertOAuthErrorAsync(redeem, HttpStatusCode.BadRequest, "invalid_client");
        }

        using (var authorize = await AuthorizeAsync(gateway, first.Member.Token, AuthorizeQuery(container, challenge)))
        {
            await AssertOAuthErrorAsync(authorize, HttpStatusCode.BadRequest, "invalid_client");
        }

        using (var delete = await DeleteContainerAsync(gateway, first.Owner, container.ContainerId))
        {
            await Problems.AssertProblemAsync(delete, HttpStatusCode.NotFound, "not-found");
        }

        // The same container id is free in the second organization, and its state carries nothing
        // of the first. Its user was verified seconds ago, but the release forgot that too.
        var verifiedBefore = gateway.ControlPlane.Calls(GatewayPaths.Me).Count;
        using (var create = await CreateContainerAsync(gateway, first.Member, new { container_id = container.ContainerId, redirect_uris = new[] { RedirectUri(secondId, container.ContainerId) } }))
        {
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        }

        Assert.Equal(verifiedBefore + 1, gateway.ControlPlane.Calls(GatewayPaths.Me).Count);
        await gateway.TickAsync();
        var secondState = StoredState(gateway, secondId).GetRawText();
        Assert.DoesNotContain(container.ClientId, secondState, StringComparison.Ordinal);
        Assert.DoesNotContain(Sha256(container.Token), secondState, StringComparison.Ordinal);
        Assert.DoesNotContain(Sha256(tokens.GetProperty("access_token").GetString()!), secondState, StringComparison.Ordinal);
        Assert.Contains(container.ClientId, StoredState(gateway, first.OrganizationId).GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_MemberNoLongerInTheConfig_TheirTokensAreDroppedAndStayDropped()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Owner, org.OrganizationId);
        var leaving = await SignInAsync(gateway, org.OtherMember, container);
        var staying = await SignInAsync(gateway, org.Member, container);
        using (var release = await gateway.ReleaseAsync())
        {
            Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        }

        await gateway.ServeAsync(org.OrganizationId, Members((org.Owner, "owner"), (org.Member, "member")));

        Assert.False((await IntrospectOkAsync(gateway, container, leaving.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
        Assert.True((await IntrospectOkAsync(gateway, container, staying.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
        using (var refresh = await RefreshAsync(gateway, container, leaving.GetProperty("refresh_token").GetString()!))
        {
            await AssertOAuthErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_grant");
        }

        using (var authorize = await AuthorizeAsync(gateway, org.OtherMember.Token, AuthorizeQuery(container, NewPkce().Challenge)))
        {
            Assert.Equal("access_denied", AssertRedirect(authorize, container.RedirectUri)["error"]);
        }

        // Dropping them is a change: the next autosave saves it, so a later return does not revive them.
        await gateway.TickAsync();
        var state = StoredState(gateway, org.OrganizationId).GetRawText();
        Assert.DoesNotContain(Sha256(leaving.GetProperty("refresh_token").GetString()!), state, StringComparison.Ordinal);
        Assert.Contains(Sha256(staying.GetProperty("refresh_token").GetString()!), state, StringComparison.Ordinal);
        Assert.DoesNotContain(org.OtherMember.UserId, state, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"version": 2}""")]
    [InlineData("""{"oauth": {"codes": [{"code_hash": "not-a-hash", "client_id": "c", "user_id": "u", "grant_id": "g", "redirect_uri": "r", "code_challenge": "x", "expires_at": "2030-01-01T00:00:00Z"}]}}""")]
    [InlineData("""{"containers": [{"container_id": "c"}]}""")]
    [InlineData("""{"oauth": {"clients": "nope"}}""")]
    public async Task CollabStart_GatewayStateUnreadable_502AndIdle(string gatewayState)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var organizationId = Guid.CreateVersion7().ToString();
        gateway.ControlPlane.SetData(organizationId, 4, new Dictionary<string, string>(), JsonDocument.Parse(gatewayState).RootElement.Clone());
        var grant = gateway.ControlPlane.Grant(organizationId, GatewayHarness.GatewayId);

        using var response = await gateway.StartAsync(grant.HandshakeToken);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "handshake-failed");
        Assert.Contains("gateway_state", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await GatewayHarness.WaitUntilAsync(() => gateway.Worker.Snapshot().State.ToString() == "Idle", "idle");
        Assert.Empty(gateway.ControlPlane.Calls(GatewayPaths.DataPush));
    }

    [Theory]
    [InlineData("superuser")]
    [InlineData("")]
    public async Task CollabStart_MemberWithUnknownRole_502(string role)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var user = gateway.ControlPlane.AddUser("ursula");
        var grant = gateway.ControlPlane.Grant(Guid.CreateVersion7().ToString(), GatewayHarness.GatewayId, Members((user, role)));

        using var response = await gateway.StartAsync(grant.HandshakeToken);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "handshake-failed");
        Assert.Contains("role", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"projects": null}""", "projects")]
    [InlineData("""{"projects": [{"project_id": "not-a-uuid", "name": "x"}]}""", "project_id")]
    [InlineData("""{"projects": [{"project_id": "0192f0c2-6f1e-7a3b-8c4d-5e6f708192a3", "name": ""}]}""", "name")]
    [InlineData("""{"projects": [{"project_id": "0192f0c2-6f1e-7a3b-8c4d-5e6f708192a3", "name": "a"}, {"project_id": "0192f0c2-6f1e-7a3b-8c4d-5e6f708192a3", "name": "b"}]}""", "twice")]
    [InlineData("""{"organization_name": ""}""", "organization_name")]
    public async Task CollabStart_ProjectsOrNameUnusable_502(string extras, string named)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var grant = gateway.ControlPlane.Grant(Guid.CreateVersion7().ToString(), GatewayHarness.GatewayId,
            JsonSerializer.Deserialize<Dictionary<string, object?>>(extras)!);

        using var response = await gateway.StartAsync(grant.HandshakeToken);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway, "handshake-failed");
        Assert.Contains(named, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await GatewayHarness.WaitUntilAsync(() => gateway.Worker.Snapshot().State.ToString() == "Idle", "idle");
    }

    [Fact]
    public async Task CollabStart_StateWithUnknownFieldsAndNoSections_Serves()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var organizationId = Guid.CreateVersion7().ToString();
        gateway.ControlPlane.SetData(organizationId, 1, new Dictionary<string, string>(), JsonDocument.Parse("""{"permissions": {"a": 1}, "later": true}""").RootElement.Clone());

        await gateway.ServeAsync(organizationId);

        Assert.Equal("serving", (await gateway.PingAsync()).GetProperty("state").GetString());
    }
}

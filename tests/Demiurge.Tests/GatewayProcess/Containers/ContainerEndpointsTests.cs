using System.Net;
using System.Text.Json;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;
using static Demiurge.Tests.GatewayProcess.ManagerCalls;

namespace Demiurge.Tests.GatewayProcess.Containers;

/// <summary>
/// <c>/containers</c> on a gateway against a fake control plane: the three managers together
/// (permission checks, a container token, an OAuth client, and their revocation).
/// </summary>
public sealed class ContainerEndpointsTests
{
    [Fact]
    public async Task Create_Member_201WithATokenAndAClient()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var containerId = Guid.CreateVersion7().ToString();

        using var response = await CreateContainerAsync(gateway, org.Member, new { container_id = containerId, redirect_uris = new[] { RedirectUri(org.OrganizationId, containerId) } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/containers/{containerId}", response.Headers.Location?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["container_id", "container_token", "oauth_client_id"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(containerId, body.GetProperty("container_id").GetString());
        Assert.StartsWith("gwt_", body.GetProperty("container_token").GetString(), StringComparison.Ordinal);
        Assert.True(Guid.TryParse(body.GetProperty("oauth_client_id").GetString(), out _));
    }

    [Fact]
    public async Task Create_ValidUserWhoIsNotAMember_403()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var containerId = Guid.CreateVersion7().ToString();

        using var response = await CreateContainerAsync(gateway, org.Outsider, new { container_id = containerId, redirect_uris = new[] { RedirectUri(org.OrganizationId, containerId) } });

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        using var again = await CreateContainerAsync(gateway, org.Member, new { container_id = containerId, redirect_uris = new[] { RedirectUri(org.OrganizationId, containerId) } });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode); // nothing was left behind
    }

    [Fact]
    public async Task Create_NoUserToken_401()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var containerId = Guid.CreateVersion7().ToString();

        using var response = await CreateContainerAsync(gateway, null, new { container_id = containerId, redirect_uris = new[] { RedirectUri(org.OrganizationId, containerId) } });

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Create_ControlPlaneCannotVerify_503()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var containerId = Guid.CreateVersion7().ToString();
        gateway.ControlPlane.FailNext(GatewayPaths.Me, 500);

        using var response = await CreateContainerAsync(gateway, org.Member, new { container_id = containerId, redirect_uris = new[] { RedirectUri(org.OrganizationId, containerId) } });

        await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "unavailable");
    }

    [Theory]
    [InlineData("not-a-uuid", "http://uc-1.org-{org}.demiurge.localhost/cb", "container_id")]
    [InlineData("{id}", "https://evil.example/cb", "redirect_uris")]
    [InlineData("{id}", "http://org-{org}.demiurge.localhost.evil.example/cb", "redirect_uris")]
    [InlineData("{id}", "http://uc-1.org-{org}.demiurge.localhost/cb#frag", "redirect_uris")]
    [InlineData("{id}", "ftp://uc-1.org-{org}.demiurge.localhost/cb", "redirect_uris")]
    [InlineData("{id}", "/relative", "redirect_uris")]
    public async Task Create_InvalidInput_400AndNothingCreated(string containerId, string redirectUri, string field)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var id = Guid.CreateVersion7().ToString();
        containerId = containerId.Replace("{id}", id, StringComparison.Ordinal);

        using var response = await CreateContainerAsync(gateway, org.Member,
            new { container_id = containerId, redirect_uris = new[] { redirectUri.Replace("{org}", org.OrganizationId, StringComparison.Ordinal) } });

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(0, ContainerCount(gateway));
    }

    [Fact]
    public async Task Create_NoRedirectUrisOrUnknownField_400()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var id = Guid.CreateVersion7().ToString();

        using var empty = await CreateContainerAsync(gateway, org.Member, new { container_id = id, redirect_uris = Array.Empty<string>() });
        using var unknown = await CreateContainerAsync(gateway, org.Member, new { container_id = id, redirect_uris = new[] { RedirectUri(org.OrganizationId, id) }, image = "jupyter" });

        await Problems.AssertProblemAsync(empty, HttpStatusCode.BadRequest, "validation");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(0, ContainerCount(gateway));
    }

    [Fact]
    public async Task Create_SameIdTwice_409AndTheFirstTokenStillWorks()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await CreateContainerAsync(gateway, org.Admin, new { container_id = container.ContainerId, redirect_uris = new[] { container.RedirectUri } });

        await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict, "conflict");
        using var introspect = await IntrospectAsync(gateway, container.Token, "gwa_x");
        Assert.Equal(HttpStatusCode.OK, introspect.StatusCode);
    }

    [Fact]
    public async Task Delete_MemberOwnContainer_204()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await DeleteContainerAsync(gateway, org.Member, container.ContainerId);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(0, ContainerCount(gateway));
    }

    [Fact]
    public async Task Delete_MemberAnotherMembersContainer_403AndKeepsIt()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.OtherMember, org.OrganizationId);

        using var response = await DeleteContainerAsync(gateway, org.Member, container.ContainerId);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(1, ContainerCount(gateway));
        using var introspect = await IntrospectAsync(gateway, container.Token, "gwa_x");
        Assert.Equal(HttpStatusCode.OK, introspect.StatusCode);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("owner")]
    public async Task Delete_OwnerOrAdminAnyContainer_204(string role)
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await DeleteContainerAsync(gateway, role == "admin" ? org.Admin : org.Owner, container.ContainerId);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(0, ContainerCount(gateway));
    }

    [Fact]
    public async Task Delete_ValidUserWhoIsNotAMember_403()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        using var response = await DeleteContainerAsync(gateway, org.Outsider, container.ContainerId);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(1, ContainerCount(gateway));
    }

    [Fact]
    public async Task Delete_UnknownContainer_404_AndBadId_400()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);

        using var unknown = await DeleteContainerAsync(gateway, org.Owner, Guid.CreateVersion7().ToString());
        using var bad = await DeleteContainerAsync(gateway, org.Owner, "nope");

        await Problems.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "not-found");
        await Problems.AssertProblemAsync(bad, HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task Delete_RevokesTheContainerTokenTheClientAndEveryTokenIssuedToIt()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var org = await TestOrganization.ServeAsync(gateway);
        var container = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var survivor = await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);
        var tokens = await SignInAsync(gateway, org.Member, container);
        var survivorTokens = await SignInAsync(gateway, org.Owner, survivor);
        var (verifier, challenge) = NewPkce();
        var pendingCode = await AuthorizeCodeAsync(gateway, org.Member, container, challenge);

        using (var delete = await DeleteContainerAsync(gateway, org.Admin, container.ContainerId))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

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

        using (var authorize = await AuthorizeAsync(gateway, org.Member.Token, AuthorizeQuery(container, challenge)))
        {
            await AssertOAuthErrorAsync(authorize, HttpStatusCode.BadRequest, "invalid_client");
        }

        // Nothing of the deleted container is kept, not even hashed; the other one is untouched.
        await gateway.TickAsync();
        var state = StoredState(gateway, org.OrganizationId).GetRawText();
        Assert.DoesNotContain(container.ContainerId, state, StringComparison.Ordinal);
        Assert.DoesNotContain(container.ClientId, state, StringComparison.Ordinal);
        Assert.DoesNotContain(Sha256(tokens.GetProperty("refresh_token").GetString()!), state, StringComparison.Ordinal);
        Assert.DoesNotContain(Sha256(pendingCode), state, StringComparison.Ordinal);
        Assert.Contains(survivor.ClientId, state, StringComparison.Ordinal);
        Assert.True((await IntrospectOkAsync(gateway, survivor, survivorTokens.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task ContainerRequests_OfMembers_RearmInactivity_OfOthersDoNot()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivity: TimeSpan.FromSeconds(10));
        var org = await TestOrganization.ServeAsync(gateway);
        var servedAt = gateway.Time.GetUtcNow();
        await gateway.TickAsync(3);
        var id = Guid.CreateVersion7().ToString();

        using (await CreateContainerAsync(gateway, org.Outsider, new { container_id = id, redirect_uris = new[] { RedirectUri(org.OrganizationId, id) } }))
        using (await CreateContainerAsync(gateway, null, new { container_id = id, redirect_uris = new[] { RedirectUri(org.OrganizationId, id) } }))
        {
        }

        Assert.Equal(servedAt + TimeSpan.FromSeconds(10), (await gateway.ActivityAsync()).GetProperty("release_at").GetDateTimeOffset());

        await CreateContainerOkAsync(gateway, org.Member, org.OrganizationId);

        Assert.Equal(gateway.Time.GetUtcNow() + TimeSpan.FromSeconds(10), (await gateway.ActivityAsync()).GetProperty("release_at").GetDateTimeOffset());
    }

    private static int ContainerCount(GatewayHarness gateway) =>
        gateway.Worker.TryWithSession((session, _) => session.Managers.Containers.Count, out var count) ? count : throw new InvalidOperationException("not serving");
}

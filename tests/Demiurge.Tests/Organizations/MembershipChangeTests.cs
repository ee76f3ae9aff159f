using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Organizations;

/// <summary>Viewers, role changes and removals through the API, against a real control plane.</summary>
public sealed class MembershipChangeTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task Viewer_ReadsButCreatingOrDeletingAProjectIs403()
    {
        var (owner, organizationId) = await OrganizationAsync();
        var viewer = await MemberAsync(owner, organizationId, "viewer");
        using var created = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name = "Kept" });
        var projectId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("project_id").GetString();

        using var list = await viewer.Client.GetAsync($"/orgs/{organizationId}/projects");
        using var create = await viewer.Client.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name = "Not by a viewer" });
        using var delete = await viewer.Client.DeleteAsync($"/orgs/{organizationId}/projects/{projectId}");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        await Problems.AssertProblemAsync(create, HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(delete, HttpStatusCode.Forbidden, "forbidden");
        var names = (await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/projects")).EnumerateArray().Select(p => p.GetProperty("name").GetString());
        Assert.Equal(["Kept"], names);
    }

    [Theory]
    [InlineData("owner", "member", "viewer", HttpStatusCode.OK)]
    [InlineData("owner", "owner", "admin", HttpStatusCode.OK)] // another owner remains
    [InlineData("admin", "member", "admin", HttpStatusCode.OK)]
    [InlineData("admin", "viewer", "member", HttpStatusCode.OK)]
    [InlineData("admin", "member", "owner", HttpStatusCode.Forbidden)]
    [InlineData("admin", "owner", "member", HttpStatusCode.Forbidden)]
    [InlineData("member", "viewer", "member", HttpStatusCode.Forbidden)]
    [InlineData("viewer", "member", "viewer", HttpStatusCode.Forbidden)]
    public async Task SetRole_ByRole_FollowsMembershipRules(string callerRole, string targetRole, string newRole, HttpStatusCode expected)
    {
        var (owner, organizationId) = await OrganizationAsync();
        var caller = await MemberAsync(owner, organizationId, callerRole);
        var target = await MemberAsync(owner, organizationId, targetRole);

        using var response = await caller.Client.PatchAsJsonAsync($"/orgs/{organizationId}/members/{target.UserId}", new { role = newRole });

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? newRole : targetRole, await RoleAsync(owner, organizationId, target.UserId));
    }

    [Theory]
    [InlineData("owner", "admin", HttpStatusCode.NoContent)]
    [InlineData("admin", "member", HttpStatusCode.NoContent)]
    [InlineData("admin", "owner", HttpStatusCode.Forbidden)]
    [InlineData("member", "viewer", HttpStatusCode.Forbidden)]
    public async Task RemoveMember_ByRole_FollowsMembershipRules(string callerRole, string targetRole, HttpStatusCode expected)
    {
        var (owner, organizationId) = await OrganizationAsync();
        var caller = await MemberAsync(owner, organizationId, callerRole);
        var target = await MemberAsync(owner, organizationId, targetRole);

        using var response = await caller.Client.DeleteAsync($"/orgs/{organizationId}/members/{target.UserId}");

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.NoContent ? null : targetRole, await RoleAsync(owner, organizationId, target.UserId));
    }

    [Fact]
    public async Task LastOwner_CannotBeDemotedOrRemoved_409AndStaysOwner()
    {
        var (owner, organizationId) = await OrganizationAsync();

        using var demote = await owner.Client.PatchAsJsonAsync($"/orgs/{organizationId}/members/{owner.UserId}", new { role = "admin" });
        using var remove = await owner.Client.DeleteAsync($"/orgs/{organizationId}/members/{owner.UserId}");
        using var byAdmin = await fixture.Admin.DeleteAsync($"/orgs/{organizationId}/members/{owner.UserId}");

        await Problems.AssertProblemAsync(demote, HttpStatusCode.Conflict, "conflict");
        await Problems.AssertProblemAsync(remove, HttpStatusCode.Conflict, "conflict");
        await Problems.AssertProblemAsync(byAdmin, HttpStatusCode.Conflict, "conflict");
        Assert.Equal("owner", await RoleAsync(owner, organizationId, owner.UserId));
    }

    [Fact]
    public async Task SetRoleAndRemove_AreAuditedAndBadInputChangesNothing()
    {
        var (owner, organizationId) = await OrganizationAsync();
        var member = await MemberAsync(owner, organizationId, "member");

        using var badRole = await owner.Client.PatchAsJsonAsync($"/orgs/{organizationId}/members/{member.UserId}", new { role = "superuser" });
        using var notAMember = await owner.Client.PatchAsJsonAsync($"/orgs/{organizationId}/members/{Guid.NewGuid()}", new { role = "viewer" });
        using var notAnId = await owner.Client.DeleteAsync($"/orgs/{organizationId}/members/not-an-id");
        using var changed = await owner.Client.PatchAsJsonAsync($"/orgs/{organizationId}/members/{member.UserId}", new { role = "viewer" });
        using var removed = await owner.Client.DeleteAsync($"/orgs/{organizationId}/members/{member.UserId}");
        using var again = await owner.Client.DeleteAsync($"/orgs/{organizationId}/members/{member.UserId}");

        await Problems.AssertProblemAsync(badRole, HttpStatusCode.BadRequest, "validation");
        await Problems.AssertProblemAsync(notAMember, HttpStatusCode.NotFound, "not-found");
        await Problems.AssertProblemAsync(notAnId, HttpStatusCode.NotFound, "not-found");
        Assert.Equal("viewer", (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await Problems.AssertProblemAsync(again, HttpStatusCode.NotFound, "not-found");
        var events = (await fixture.Admin.GetFromJsonAsync<JsonElement>("/events?limit=1000")).EnumerateArray()
            .Where(e => e.GetProperty("organization_id").GetString() == organizationId && e.GetProperty("subject_id").GetString() == member.UserId)
            .Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("actor_user_id").GetString())).ToList();
        Assert.Equal([("organization.member_added", owner.UserId), ("organization.member_role_changed", owner.UserId), ("organization.member_removed", owner.UserId)], events);
    }

    [Fact]
    public async Task DeleteProject_ByAdmin_GoneWithItsStoredDocumentAndAudited_ByMember403()
    {
        var (owner, organizationId) = await OrganizationAsync();
        var admin = await MemberAsync(owner, organizationId, "admin");
        var member = await MemberAsync(owner, organizationId, "member");
        using var created = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name = "Doomed" });
        var projectId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("project_id").GetString()!;

        using var byMember = await member.Client.DeleteAsync($"/orgs/{organizationId}/projects/{projectId}");
        using var byAdmin = await admin.Client.DeleteAsync($"/orgs/{organizationId}/projects/{projectId}");
        using var again = await admin.Client.DeleteAsync($"/orgs/{organizationId}/projects/{projectId}");

        await Problems.AssertProblemAsync(byMember, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.NoContent, byAdmin.StatusCode);
        await Problems.AssertProblemAsync(again, HttpStatusCode.NotFound, "not-found");
        Assert.Empty((await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/projects")).EnumerateArray());
        var events = (await fixture.Admin.GetFromJsonAsync<JsonElement>("/events?limit=1000")).EnumerateArray();
        Assert.Single(events, e => e.GetProperty("kind").GetString() == "project.deleted" && e.GetProperty("subject_id").GetString() == projectId
            && e.GetProperty("actor_user_id").GetString() == admin.UserId);
    }

    private async Task<(TestUser Owner, string OrganizationId)> OrganizationAsync()
    {
        var owner = await fixture.CreateUserAsync();
        return (owner, await ControlPlaneFixture.CreateOrganizationAsync(owner.Client));
    }

    private async Task<TestUser> MemberAsync(TestUser owner, string organizationId, string role)
    {
        var user = await fixture.CreateUserAsync();
        using var added = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = user.UserId, role });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        return user;
    }

    private static async Task<string?> RoleAsync(TestUser owner, string organizationId, string userId) =>
        (await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/members")).EnumerateArray()
            .Where(m => m.GetProperty("user_id").GetString() == userId).Select(m => m.GetProperty("role").GetString()).SingleOrDefault();
}

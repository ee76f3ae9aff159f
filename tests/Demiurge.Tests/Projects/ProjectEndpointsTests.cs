using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Projects;

public sealed class ProjectEndpointsTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task CreateProject_AsMember_Returns201AndListsIt()
    {
        var owner = await fixture.CreateUserAsync();
        var member = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);
        using var join = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = member.UserId, role = "member" });

        using var response = await member.Client.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name = "website" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var project = await response.Content.ReadFromJsonAsync<JsonElement>();
        var projectId = project.GetProperty("project_id").GetString()!;
        Assert.Equal("website", project.GetProperty("name").GetString());
        Assert.Equal(organizationId, project.GetProperty("organization_id").GetString());
        Assert.Equal($"/orgs/{organizationId}/projects/{projectId}", response.Headers.Location?.OriginalString);
        var list = await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/projects");
        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal(projectId, listed.GetProperty("project_id").GetString());
        Assert.Equal(project.GetProperty("created_at").GetString(), listed.GetProperty("created_at").GetString());
    }

    [Fact]
    public async Task CreateProject_DuplicateNameInOrganization_Returns409ButOtherOrganizationMayReuseIt()
    {
        var owner = await fixture.CreateUserAsync();
        var first = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, "One");
        var second = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, "Two");
        using var created = await owner.Client.PostAsJsonAsync($"/orgs/{first}/projects", new { name = "api" });

        using var duplicate = await owner.Client.PostAsJsonAsync($"/orgs/{first}/projects", new { name = "api" });
        using var elsewhere = await owner.Client.PostAsJsonAsync($"/orgs/{second}/projects", new { name = "api" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await Problems.AssertProblemAsync(duplicate, HttpStatusCode.Conflict, "conflict");
        Assert.Equal(HttpStatusCode.Created, elsewhere.StatusCode);
        var list = await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{first}/projects");
        Assert.Single(list.EnumerateArray());
    }

    [Fact]
    public async Task CreateProject_ConcurrentSameName_ExactlyOneWins()
    {
        var owner = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name = "race" })));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task CreateProject_MissingName_Returns400AndWritesNothing()
    {
        var owner = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);

        using var response = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { });

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        var list = await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/projects");
        Assert.Empty(list.EnumerateArray());
    }

    [Theory]
    [InlineData("\"notes 👍 𠀀\"", HttpStatusCode.Created)]
    [InlineData("\"notes\\u2029\"", HttpStatusCode.BadRequest)]
    [InlineData("\"notes\\u0000\"", HttpStatusCode.BadRequest)]
    public async Task CreateProject_NameCheckedByCodePoint_AsOrganizationsAre(string json, HttpStatusCode expected)
    {
        var owner = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);
        using var content = new StringContent($$"""{"name":{{json}}}""", System.Text.Encoding.UTF8, "application/json");

        using var response = await owner.Client.PostAsync($"/orgs/{organizationId}/projects", content);

        if (expected == HttpStatusCode.BadRequest)
        {
            await Problems.AssertProblemAsync(response, expected, "validation");
        }

        Assert.Equal(expected, response.StatusCode);
        var list = await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/projects");
        Assert.Equal(expected == HttpStatusCode.Created ? 1 : 0, list.GetArrayLength());
    }

    // Found by the HTTP fuzzer: ids were parsed with white space trimmed, so "{id}%20" deleted the project.
    [Fact]
    public async Task DeleteProject_IdWithTrailingSpace_Returns404AndKeepsIt()
    {
        var owner = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);
        using var created = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name = "Kept" });
        var projectId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("project_id").GetString()!;

        using var deleted = await owner.Client.DeleteAsync($"/orgs/{organizationId}/projects/{projectId}%20");
        using var fromOrganization = await owner.Client.DeleteAsync($"/orgs/{organizationId}%20/projects/{projectId}");

        await Problems.AssertProblemAsync(deleted, HttpStatusCode.NotFound, "not-found");
        await Problems.AssertProblemAsync(fromOrganization, HttpStatusCode.NotFound, "not-found");
        var projects = await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/projects");
        Assert.Contains(projects.EnumerateArray(), p => p.GetProperty("project_id").GetString() == projectId);
    }
}

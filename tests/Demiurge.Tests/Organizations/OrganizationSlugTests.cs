using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Organizations;

/// <summary>Organizations' slugs through the API: derived at creation, unique under concurrent creates, editable by owners and admins.</summary>
public sealed class OrganizationSlugTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task Create_SameNameTwice_SlugFromTheNameThenNumbered()
    {
        var user = await fixture.CreateUserAsync();
        var name = UniqueName();

        var first = await CreateAsync(user.Client, name);
        var second = await CreateAsync(user.Client, name.ToUpperInvariant());

        Assert.Equal(Slug(name), first.GetProperty("slug").GetString());
        Assert.Equal(Slug(name) + "-2", second.GetProperty("slug").GetString());
        var listed = await user.Client.GetFromJsonAsync<JsonElement>("/orgs", TestContext.Current.CancellationToken);
        Assert.Equal([Slug(name), Slug(name) + "-2"], listed.EnumerateArray().Select(o => o.GetProperty("slug").GetString()));
    }

    [Fact]
    public async Task Create_ConcurrentlyWithOneName_Every201WithItsOwnSlug()
    {
        const int Creates = 12;
        var user = await fixture.CreateUserAsync();
        var name = UniqueName();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var creates = Enumerable.Range(0, Creates).Select(_ => Task.Run(async () =>
        {
            await gate.Task;
            return await user.Client.PostAsJsonAsync("/orgs", new { name }, TestContext.Current.CancellationToken);
        })).ToList();

        gate.SetResult();
        var responses = await Task.WhenAll(creates);

        var slugs = new List<string>();
        foreach (var response in responses)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                slugs.Add((await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("slug").GetString()!);
            }
        }

        string[] expected = [Slug(name), .. Enumerable.Range(2, Creates - 1).Select(n => $"{Slug(name)}-{n}")];
        Assert.Equal(expected.Order(StringComparer.Ordinal), slugs.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Update_SlugByOwnerAndAdmin_ChangedAndShown()
    {
        var owner = await fixture.CreateUserAsync();
        var admin = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, UniqueName());
        await AddMemberAsync(owner, organizationId, admin.UserId, "admin");
        var slug = Slug(UniqueName());

        using var byOwner = await owner.Client.PatchAsJsonAsync($"/orgs/{organizationId}", new { slug }, TestContext.Current.CancellationToken);
        using var byAdmin = await admin.Client.PatchAsJsonAsync($"/orgs/{organizationId}", new { slug = slug + "-x" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, byOwner.StatusCode);
        Assert.Equal(slug, (await byOwner.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("slug").GetString());
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.Equal(slug + "-x", await SlugOfAsync(owner.Client, organizationId));
    }

    [Fact]
    public async Task Update_SlugByMember_403AndUnchanged()
    {
        var owner = await fixture.CreateUserAsync();
        var member = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, UniqueName());
        await AddMemberAsync(owner, organizationId, member.UserId, "member");
        var before = await SlugOfAsync(owner.Client, organizationId);

        using var response = await member.Client.PatchAsJsonAsync($"/orgs/{organizationId}", new { slug = Slug(UniqueName()) }, TestContext.Current.CancellationToken);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(before, await SlugOfAsync(owner.Client, organizationId));
    }

    [Theory]
    [InlineData("Upper", "lower-case")]
    [InlineData("-dash", "lower-case")]
    [InlineData("two--hyphens", "lower-case")]
    [InlineData("a.b", "lower-case")]
    [InlineData("", "lower-case")]
    [InlineData("www", "reserved")]
    [InlineData("apps", "reserved")]
    [InlineData("ganymede", "reserved")]
    [InlineData("org-mine", "reserved")]
    [InlineData("uc-mine", "reserved")]
    public async Task Update_MalformedOrReservedSlug_400NamingSlugAndNothingChanges(string slug, string reason)
    {
        var owner = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, UniqueName());
        var before = await SlugOfAsync(owner.Client, organizationId);

        using var response = await owner.Client.PatchAsJsonAsync($"/orgs/{organizationId}", new { slug, gateway_auto_release = false }, TestContext.Current.CancellationToken);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("slug")[0].GetString(), StringComparison.Ordinal);
        var after = await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}", TestContext.Current.CancellationToken);
        Assert.Equal(before, after.GetProperty("slug").GetString());
        Assert.True(after.GetProperty("gateway_auto_release").GetBoolean());
    }

    [Fact]
    public async Task Update_SlugOfAnotherOrganization_409AndNothingChanges()
    {
        var owner = await fixture.CreateUserAsync();
        var stranger = await fixture.CreateUserAsync();
        var theirs = await SlugOfAsync(stranger.Client, await ControlPlaneFixture.CreateOrganizationAsync(stranger.Client, UniqueName()));
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, UniqueName());
        var before = await SlugOfAsync(owner.Client, organizationId);

        using var response = await owner.Client.PatchAsJsonAsync($"/orgs/{organizationId}", new { slug = theirs, gateway_auto_release = false }, TestContext.Current.CancellationToken);
        using var same = await owner.Client.PatchAsJsonAsync($"/orgs/{organizationId}", new { slug = before }, TestContext.Current.CancellationToken);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict, "conflict");
        Assert.Contains(theirs, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var after = await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}", TestContext.Current.CancellationToken);
        Assert.Equal(before, after.GetProperty("slug").GetString());
        Assert.True(after.GetProperty("gateway_auto_release").GetBoolean());
        // Its own slug is no conflict.
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
    }

    // Unique per test and run: the fixture's control plane is shared.
    private static string UniqueName() => "Slug Test " + Guid.NewGuid().ToString("N")[..12];

    private static string Slug(string name) => name.ToLowerInvariant().Replace(' ', '-');

    private static async Task<JsonElement> CreateAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsJsonAsync("/orgs", new { name }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    private static async Task<string> SlugOfAsync(HttpClient client, string organizationId) =>
        (await client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}", TestContext.Current.CancellationToken)).GetProperty("slug").GetString()!;

    private static async Task AddMemberAsync(TestUser owner, string organizationId, string userId, string role)
    {
        using var response = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = userId, role }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}

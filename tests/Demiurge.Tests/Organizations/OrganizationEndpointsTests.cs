using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Organizations;

public sealed class OrganizationEndpointsTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task CreateOrganization_AnyUser_Returns201AndCallerIsOwner()
    {
        var user = await fixture.CreateUserAsync();

        using var response = await user.Client.PostAsJsonAsync("/orgs", new { name = "Initech" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var org = await response.Content.ReadFromJsonAsync<JsonElement>();
        var organizationId = org.GetProperty("organization_id").GetString()!;
        Assert.Equal("Initech", org.GetProperty("name").GetString());
        Assert.Equal($"/orgs/{organizationId}", response.Headers.Location?.OriginalString);

        var members = await user.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/members");
        var owner = Assert.Single(members.EnumerateArray());
        Assert.Equal(user.UserId, owner.GetProperty("user_id").GetString());
        Assert.Equal(user.Username, owner.GetProperty("username").GetString());
        Assert.Equal("owner", owner.GetProperty("role").GetString());
    }

    [Fact]
    public async Task GetOrganization_AsMember_ReturnsIt()
    {
        var user = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(user.Client, "Globex");

        var org = await user.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}");

        Assert.Equal(organizationId, org.GetProperty("organization_id").GetString());
        Assert.Equal("Globex", org.GetProperty("name").GetString());
    }

    [Fact]
    public async Task ListOrganizations_AsUser_ShowsOnlyOwnOrganizations()
    {
        var alice = await fixture.CreateUserAsync();
        var bob = await fixture.CreateUserAsync();
        var aliceOrg = await ControlPlaneFixture.CreateOrganizationAsync(alice.Client, "Alice Co");
        var bobOrg = await ControlPlaneFixture.CreateOrganizationAsync(bob.Client, "Bob Co");

        var aliceList = await alice.Client.GetFromJsonAsync<JsonElement>("/orgs");
        var adminList = await fixture.Admin.GetFromJsonAsync<JsonElement>("/orgs");

        Assert.Equal([aliceOrg], aliceList.EnumerateArray().Select(o => o.GetProperty("organization_id").GetString()));
        var all = adminList.EnumerateArray().Select(o => o.GetProperty("organization_id").GetString()).ToList();
        Assert.Contains(aliceOrg, all);
        Assert.Contains(bobOrg, all);
    }

    [Fact]
    public async Task Outsider_GetsSame404ForOtherOrganizationAsForUnknownOne()
    {
        var owner = await fixture.CreateUserAsync();
        var outsider = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, "Secret Co");
        var unknownId = Guid.NewGuid().ToString();

        foreach (var path in new[] { "", "/members", "/projects" })
        {
            using var hidden = await outsider.Client.GetAsync($"/orgs/{organizationId}{path}");
            using var unknown = await outsider.Client.GetAsync($"/orgs/{unknownId}{path}");
            var hiddenProblem = await Problems.AssertProblemAsync(hidden, HttpStatusCode.NotFound, "not-found");
            var unknownProblem = await Problems.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "not-found");
            Assert.Equal(unknownProblem.GetProperty("title").GetString(), hiddenProblem.GetProperty("title").GetString());
            Assert.DoesNotContain("Secret", hiddenProblem.ToString(), StringComparison.Ordinal);
        }

        using var add = await outsider.Client.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = outsider.UserId, role = "owner" });
        await Problems.AssertProblemAsync(add, HttpStatusCode.NotFound, "not-found");
        using var project = await outsider.Client.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name = "sneaky" });
        await Problems.AssertProblemAsync(project, HttpStatusCode.NotFound, "not-found");

        var members = await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/members");
        Assert.Single(members.EnumerateArray());
    }

    [Fact]
    public async Task GetOrganization_MalformedId_Returns404()
    {
        using var response = await fixture.Admin.GetAsync("/orgs/not-a-uuid");

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task SystemAdmin_SeesAndManagesAnyOrganization()
    {
        var owner = await fixture.CreateUserAsync();
        var newcomer = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);

        using var get = await fixture.Admin.GetAsync($"/orgs/{organizationId}");
        using var add = await fixture.Admin.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = newcomer.UserId, role = "owner" });

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.Created, add.StatusCode);
    }

    [Theory]
    [InlineData("owner", "owner", HttpStatusCode.Created)]
    [InlineData("owner", "admin", HttpStatusCode.Created)]
    [InlineData("owner", "member", HttpStatusCode.Created)]
    [InlineData("admin", "admin", HttpStatusCode.Created)]
    [InlineData("admin", "member", HttpStatusCode.Created)]
    [InlineData("admin", "owner", HttpStatusCode.Forbidden)]
    [InlineData("member", "member", HttpStatusCode.Forbidden)]
    [InlineData("member", "admin", HttpStatusCode.Forbidden)]
    public async Task AddMember_ByRole_FollowsMembershipRules(string callerRole, string grantedRole, HttpStatusCode expected)
    {
        var owner = await fixture.CreateUserAsync();
        var caller = await fixture.CreateUserAsync();
        var target = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);
        var callerClient = owner.Client;
        if (callerRole != "owner")
        {
            using var setUp = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = caller.UserId, role = callerRole });
            Assert.Equal(HttpStatusCode.Created, setUp.StatusCode);
            callerClient = caller.Client;
        }

        using var response = await callerClient.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = target.UserId, role = grantedRole });

        var members = await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/members");
        var targetMembership = members.EnumerateArray().Where(m => m.GetProperty("user_id").GetString() == target.UserId).ToList();
        if (expected == HttpStatusCode.Created)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(grantedRole, body.GetProperty("role").GetString());
            Assert.Equal(target.Username, body.GetProperty("username").GetString());
            Assert.Equal(grantedRole, Assert.Single(targetMembership).GetProperty("role").GetString());
        }
        else
        {
            await Problems.AssertProblemAsync(response, expected, "forbidden");
            Assert.Empty(targetMembership);
        }
    }

    [Fact]
    public async Task Update_GatewayAutoRelease_OwnersAndAdminsOnly()
    {
        var owner = await fixture.CreateUserAsync();
        var member = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);
        using (await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = member.UserId, role = "member" }))
        {
        }

        using var byMember = await member.Client.PatchAsJsonAsync($"/orgs/{organizationId}", new { gateway_auto_release = false });
        using var empty = await owner.Client.PatchAsJsonAsync($"/orgs/{organizationId}", new { });
        using var byOwner = await owner.Client.PatchAsJsonAsync($"/orgs/{organizationId}", new { gateway_auto_release = false });

        await Problems.AssertProblemAsync(byMember, HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(empty, HttpStatusCode.BadRequest, "validation");
        Assert.Equal(HttpStatusCode.OK, byOwner.StatusCode);
        Assert.False((await byOwner.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("gateway_auto_release").GetBoolean());
        var reloaded = await member.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}");
        Assert.False(reloaded.GetProperty("gateway_auto_release").GetBoolean());
    }

    [Fact]
    public async Task AddMember_Twice_Returns409AndKeepsFirstRole()
    {
        var owner = await fixture.CreateUserAsync();
        var member = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);
        using var first = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = member.UserId, role = "member" });

        using var second = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = member.UserId, role = "admin" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await Problems.AssertProblemAsync(second, HttpStatusCode.Conflict, "conflict");
        var members = await owner.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/members");
        Assert.Equal("member", members.EnumerateArray().Single(m => m.GetProperty("user_id").GetString() == member.UserId).GetProperty("role").GetString());
    }

    [Fact]
    public async Task AddMember_UnknownUser_Returns404()
    {
        var owner = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);

        using var response = await owner.Client.PostAsJsonAsync($"/orgs/{organizationId}/members", new { user_id = Guid.NewGuid(), role = "member" });

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    [Theory]
    [InlineData("""{"user_id":"not-a-uuid","role":"member"}""", "user_id")]
    [InlineData("""{"role":"member"}""", "user_id")]
    [InlineData("""{"user_id":"00000000-0000-0000-0000-000000000001","role":"boss"}""", "role")]
    [InlineData("""{"user_id":"00000000-0000-0000-0000-000000000001"}""", "role")]
    public async Task AddMember_InvalidBody_Returns400NamingTheField(string json, string field)
    {
        var owner = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client);

        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await owner.Client.PostAsync($"/orgs/{organizationId}/members", content);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task CreateOrganization_AllFieldErrors_ListedAtOnce()
    {
        using var response = await fixture.Admin.PostAsJsonAsync("/orgs", new { name = new string('x', 101) });

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.Contains("100", problem.GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    [InlineData("tab\there")]
    [InlineData("")]
    public async Task CreateOrganization_BadName_Returns400(string name)
    {
        using var response = await fixture.Admin.PostAsJsonAsync("/orgs", new { name });

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task CreateOrganization_UnicodeName_IsKept()
    {
        using var response = await fixture.Admin.PostAsJsonAsync("/orgs", new { name = "Société Générale 東京" });

        var org = await response.Content.ReadFromJsonAsync<JsonElement>();
        var reloaded = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/orgs/{org.GetProperty("organization_id").GetString()}");
        Assert.Equal("Société Générale 東京", reloaded.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("👍")]
    [InlineData("\U00020000")] // 𠀀, CJK Extension B
    [InlineData("Team 👩‍💻 𠀀")]
    [InlineData("می‌خواهم")] // with a ZWNJ
    public async Task CreateOrganization_NameBeyondTheBmp_Returns201AndIsKept(string name)
    {
        using var response = await fixture.Admin.PostAsJsonAsync("/orgs", new { name });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var org = await response.Content.ReadFromJsonAsync<JsonElement>();
        var reloaded = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/orgs/{org.GetProperty("organization_id").GetString()}");
        Assert.Equal(name, reloaded.GetProperty("name").GetString());
    }

    /// <summary>Raw JSON escapes, as a client would send them.</summary>
    [Theory]
    [InlineData("line\\u2028break")]
    [InlineData("paragraph\\u2029break")]
    [InlineData("bell\\u0007")]
    [InlineData("escape\\u001b[31m")]
    [InlineData("next\\u0085line")]
    [InlineData("bidi \\u202e override")]
    [InlineData("private \\ue000 use")]
    [InlineData("unassigned \\u0378")]
    [InlineData("ideographic space\\u3000")]
    public async Task CreateOrganization_SeparatorControlFormatPrivateOrUnassigned_Returns400AndWritesNothing(string escaped)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var content = new StringContent($$"""{"name":"{{marker}} {{escaped}}"}""", System.Text.Encoding.UTF8, "application/json");

        using var response = await fixture.Admin.PostAsync("/orgs", content);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _), problem.ToString());
        var organizations = await fixture.Admin.GetFromJsonAsync<JsonElement>("/orgs");
        Assert.DoesNotContain(organizations.EnumerateArray(), o => o.GetProperty("name").GetString()!.Contains(marker, StringComparison.Ordinal));
    }

    /// <summary>A lone surrogate is not text: the JSON reader refuses it before validation, as malformed, naming the field.</summary>
    [Theory]
    [InlineData("lone \\ud800")]
    [InlineData("\\udc00 low first")]
    [InlineData("reversed \\udc00\\ud800")]
    public async Task CreateOrganization_LoneSurrogate_Returns400NamingTheField(string escaped)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var content = new StringContent($$"""{"name":"{{marker}} {{escaped}}"}""", System.Text.Encoding.UTF8, "application/json");

        using var response = await fixture.Admin.PostAsync("/orgs", content);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed");
        Assert.Contains("$.name", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var organizations = await fixture.Admin.GetFromJsonAsync<JsonElement>("/orgs");
        Assert.DoesNotContain(organizations.EnumerateArray(), o => o.GetProperty("name").GetString()!.Contains(marker, StringComparison.Ordinal));
    }
}

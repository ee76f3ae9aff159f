using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.ApiKeys;

/// <summary>API keys against a real control plane: what a key may do, and what is refused and audited.</summary>
public sealed class ApiKeyEndpointsTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    private static readonly string[] s_read = ["org:read"];
    private static readonly string[] s_readWrite = ["org:read", "org:write"];
    private static readonly string[] s_admin = ["admin"];

    [Fact]
    public async Task CreateToken_ThenList_ShowsTheKeyWithoutItsSecretAndNoUseYet()
    {
        var user = await fixture.CreateUserAsync();

        var created = await CreateKeyAsync(user.Client, new { name = "ci", scopes = s_readWrite, expires_in = 3600 });

        var token = created.GetProperty("token").GetString()!;
        Assert.StartsWith("dmk_", token, StringComparison.Ordinal);
        var listed = Assert.Single((await user.Client.GetFromJsonAsync<JsonElement>("/tokens")).EnumerateArray());
        Assert.Equal(created.GetProperty("key_id").GetString(), listed.GetProperty("key_id").GetString());
        Assert.Equal("ci", listed.GetProperty("name").GetString());
        Assert.Equal(["org:read", "org:write"], listed.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("last_used_at").ValueKind);
        Assert.False(listed.TryGetProperty("token", out _));
        var expiresIn = listed.GetProperty("expires_at").GetDateTimeOffset() - listed.GetProperty("created_at").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(1), expiresIn);
    }

    [Fact]
    public async Task Key_LimitedToOneOrganization_ReadsItAndGets403ElsewhereOrForWrites()
    {
        var user = await fixture.CreateUserAsync();
        var mine = await ControlPlaneFixture.CreateOrganizationAsync(user.Client, "Mine");
        var other = await ControlPlaneFixture.CreateOrganizationAsync(user.Client, "Other");
        var key = fixture.Client(await KeyAsync(user.Client, new { name = "reader", scopes = s_read, organization_id = mine }));

        using (var read = await key.GetAsync($"/orgs/{mine}/projects"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var elsewhere = await key.GetAsync($"/orgs/{other}/projects"))
        {
            var problem = await Problems.AssertProblemAsync(elsewhere, HttpStatusCode.Forbidden, "forbidden");
            Assert.Contains(mine, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var write = await key.PostAsJsonAsync($"/orgs/{mine}/projects", new { name = "nope" }))
        {
            var problem = await Problems.AssertProblemAsync(write, HttpStatusCode.Forbidden, "forbidden");
            Assert.Contains("org:write", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var organizations = (await key.GetFromJsonAsync<JsonElement>("/orgs")).EnumerateArray().Select(o => o.GetProperty("organization_id").GetString());
        Assert.Equal([mine], organizations);
        Assert.Empty((await user.Client.GetFromJsonAsync<JsonElement>($"/orgs/{mine}/projects")).EnumerateArray());
    }

    [Fact]
    public async Task Key_LimitedToOneOrganization_403OnEndpointsNotAboutOneButStillKnowsItsUser()
    {
        var user = await fixture.CreateUserAsync();
        var mine = await ControlPlaneFixture.CreateOrganizationAsync(user.Client, "Mine");
        var key = fixture.Client(await KeyAsync(user.Client, new { name = "writer", scopes = s_readWrite, organization_id = mine }));

        using var create = await key.PostAsJsonAsync("/orgs", new { name = "Escaped" });
        var me = await key.GetFromJsonAsync<JsonElement>("/users/me");

        await Problems.AssertProblemAsync(create, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal([mine], (await user.Client.GetFromJsonAsync<JsonElement>("/orgs")).EnumerateArray().Select(o => o.GetProperty("organization_id").GetString()));
        Assert.Equal(user.UserId, me.GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task Key_WithOrgWrite_WritesAsItsCreatorButCannotManageKeys()
    {
        var user = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(user.Client);
        var key = fixture.Client(await KeyAsync(user.Client, new { name = "writer", scopes = s_readWrite }));

        using var project = await key.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name = "by-key" });
        using var mint = await key.PostAsJsonAsync("/tokens", new { name = "child", scopes = s_read });

        Assert.Equal(HttpStatusCode.Created, project.StatusCode);
        var projectId = (await project.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("project_id").GetString();
        var events = await EventsAsync();
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "project.created" && e.GetProperty("subject_id").GetString() == projectId
            && e.GetProperty("actor_user_id").GetString() == user.UserId);
        await Problems.AssertProblemAsync(mint, HttpStatusCode.Forbidden, "forbidden");
        Assert.Single((await user.Client.GetFromJsonAsync<JsonElement>("/tokens")).EnumerateArray());
    }

    [Fact]
    public async Task Key_OfSystemAdmin_IsAdminOnlyWithTheAdminScope()
    {
        var plain = fixture.Client(await KeyAsync(fixture.Admin, new { name = "plain", scopes = s_read }));
        var admin = fixture.Client(await KeyAsync(fixture.Admin, new { name = "admin", scopes = s_admin }));

        using var refused = await plain.GetAsync("/events");
        using var allowed = await admin.GetAsync("/events");

        await Problems.AssertProblemAsync(refused, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task CreateToken_AdminScopeByNonAdmin_403AndTheRefusalIsTheOnlyEvent()
    {
        var user = await fixture.CreateUserAsync();
        var before = await LastSeqAsync();

        using var response = await user.Client.PostAsJsonAsync("/tokens", new { name = "escalate", scopes = s_admin });

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        var refusal = Assert.Single(await EventsAsync(before));
        Assert.Equal("request.refused", refusal.GetProperty("kind").GetString());
        Assert.Equal(user.UserId, refusal.GetProperty("actor_user_id").GetString());
        Assert.Equal("POST /tokens", refusal.GetProperty("detail").GetString());
        Assert.Empty((await user.Client.GetFromJsonAsync<JsonElement>("/tokens")).EnumerateArray());
    }

    [Fact]
    public async Task RefusedWrite_ByKeyOutsideItsScope_AppendsOnlyARefusalNamingCallerKeyAndOrganization()
    {
        var user = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(user.Client);
        var created = await CreateKeyAsync(user.Client, new { name = "reader", scopes = s_read });
        var key = fixture.Client(created.GetProperty("token").GetString());
        var before = await LastSeqAsync();

        using var response = await key.DeleteAsync($"/orgs/{organizationId}/members/{user.UserId}");

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        var refusal = Assert.Single(await EventsAsync(before));
        Assert.Equal("request.refused", refusal.GetProperty("kind").GetString());
        Assert.Equal(user.UserId, refusal.GetProperty("actor_user_id").GetString());
        Assert.Equal(created.GetProperty("key_id").GetString(), refusal.GetProperty("subject_id").GetString());
        Assert.Equal(organizationId, refusal.GetProperty("organization_id").GetString());
        Assert.Equal($"DELETE /orgs/{organizationId}/members/{user.UserId}", refusal.GetProperty("detail").GetString());
        Assert.Single((await user.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/members")).EnumerateArray());
    }

    [Fact]
    public async Task RefusedRead_IsNotAudited()
    {
        var user = await fixture.CreateUserAsync();
        var before = await LastSeqAsync();

        using var response = await user.Client.GetAsync("/events");

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Empty(await EventsAsync(before));
    }

    [Fact]
    public async Task Key_Revoked_Answers401AndIsListedRevokedWithOneEvent()
    {
        var user = await fixture.CreateUserAsync();
        var created = await CreateKeyAsync(user.Client, new { name = "short-lived", scopes = s_read });
        var keyId = created.GetProperty("key_id").GetString()!;
        var key = fixture.Client(created.GetProperty("token").GetString());
        var before = await LastSeqAsync();

        using var revoke = await user.Client.DeleteAsync($"/tokens/{keyId}");
        using var again = await user.Client.DeleteAsync($"/tokens/{keyId}");
        using var used = await key.GetAsync("/orgs");

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        var problem = await Problems.AssertProblemAsync(used, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("revoked", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var listed = Assert.Single((await user.Client.GetFromJsonAsync<JsonElement>("/tokens")).EnumerateArray());
        Assert.Equal(JsonValueKind.String, listed.GetProperty("revoked_at").ValueKind);
        var revoked = Assert.Single(await EventsAsync(before));
        Assert.Equal("api_key.revoked", revoked.GetProperty("kind").GetString());
        Assert.Equal(keyId, revoked.GetProperty("subject_id").GetString());
    }

    [Fact]
    public async Task Key_Expired_Answers401()
    {
        var user = await fixture.CreateUserAsync();
        var created = await CreateKeyAsync(user.Client, new { name = "one-second", scopes = s_read, expires_in = 1 });
        var key = fixture.Client(created.GetProperty("token").GetString());
        var expiresAt = created.GetProperty("expires_at").GetDateTimeOffset();

        // The control plane's clock is the system's: wait the second out rather than move it.
        await Task.Delay(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
        using var response = await key.GetAsync("/orgs");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("expired", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_UsedTwiceWithinAMinute_ListsTheFirstUse()
    {
        var user = await fixture.CreateUserAsync();
        var key = fixture.Client(await KeyAsync(user.Client, new { name = "busy", scopes = s_read }));

        (await key.GetAsync("/orgs")).Dispose();
        var first = Assert.Single((await user.Client.GetFromJsonAsync<JsonElement>("/tokens")).EnumerateArray()).GetProperty("last_used_at").GetDateTimeOffset();
        await Task.Delay(20, TestContext.Current.CancellationToken);
        (await key.GetAsync("/orgs")).Dispose();
        var second = Assert.Single((await user.Client.GetFromJsonAsync<JsonElement>("/tokens")).EnumerateArray()).GetProperty("last_used_at").GetDateTimeOffset();

        Assert.InRange(first, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Tokens_OfOtherUsers_OnlySystemAdminsListAndRevokeThem()
    {
        var owner = await fixture.CreateUserAsync();
        var stranger = await fixture.CreateUserAsync();
        var keyId = (await CreateKeyAsync(owner.Client, new { name = "owned", scopes = s_read })).GetProperty("key_id").GetString()!;

        using var strangerRevoke = await stranger.Client.DeleteAsync($"/tokens/{keyId}");
        using var strangerAll = await stranger.Client.GetAsync("/tokens?all=true");
        var adminAll = (await fixture.Admin.GetFromJsonAsync<JsonElement>("/tokens?all=true")).EnumerateArray().Select(k => k.GetProperty("key_id").GetString());
        using var adminRevoke = await fixture.Admin.DeleteAsync($"/tokens/{keyId}");

        await Problems.AssertProblemAsync(strangerRevoke, HttpStatusCode.NotFound, "not-found");
        await Problems.AssertProblemAsync(strangerAll, HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains(keyId, adminAll);
        Assert.Equal(HttpStatusCode.NoContent, adminRevoke.StatusCode);
    }

    [Theory]
    [InlineData("""{"name":"x","scopes":["org:everything"]}""")]
    [InlineData("""{"name":"x","scopes":[]}""")]
    [InlineData("""{"name":"x","scopes":["org:read"],"expires_in":31536001}""")]
    [InlineData("""{"name":"x","scopes":["org:read"],"expires_in":60,"expires_at":"2099-01-01T00:00:00Z"}""")]
    [InlineData("""{"name":"x","scopes":["org:read"],"expires_at":"2000-01-01T00:00:00Z"}""")]
    [InlineData("""{"name":"x","scopes":["org:read"],"organization_id":"not-a-uuid"}""")]
    public async Task CreateToken_BadInput_4xxProblemAndNoKey(string body)
    {
        var user = await fixture.CreateUserAsync();

        using var response = await user.Client.PostAsync("/tokens", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.True((int)response.StatusCode is 400 or 404, $"{(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty((await user.Client.GetFromJsonAsync<JsonElement>("/tokens")).EnumerateArray());
    }

    private static async Task<JsonElement> CreateKeyAsync(HttpClient client, object request)
    {
        using var response = await client.PostAsJsonAsync("/tokens", request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string> KeyAsync(HttpClient client, object request) =>
        (await CreateKeyAsync(client, request)).GetProperty("token").GetString()!;

    private async Task<List<JsonElement>> EventsAsync(long after = 0) =>
        [.. (await fixture.Admin.GetFromJsonAsync<JsonElement>($"/events?limit=1000&after={after}")).EnumerateArray()];

    private async Task<long> LastSeqAsync() => (await EventsAsync()).Select(e => e.GetProperty("seq").GetInt64()).DefaultIfEmpty().Max();
}

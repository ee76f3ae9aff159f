using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Identity;

public sealed class UserEndpointsTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task CreateUser_AsAdmin_Returns201WithTokenThatAuthenticates()
    {
        using var response = await fixture.Admin.PostAsJsonAsync("/users", new { username = "carol.dev" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var userId = body.GetProperty("user_id").GetString()!;
        Assert.True(Guid.TryParse(userId, out _));
        Assert.Equal("carol.dev", body.GetProperty("username").GetString());
        var token = body.GetProperty("token").GetString()!;
        Assert.StartsWith("dmg_", token, StringComparison.Ordinal);
        Assert.Equal($"/users/{userId}", response.Headers.Location?.OriginalString);

        var me = await fixture.Client(token).GetFromJsonAsync<JsonElement>("/users/me");
        Assert.Equal(userId, me.GetProperty("user_id").GetString());
        Assert.False(me.GetProperty("is_admin").GetBoolean());
    }

    [Fact]
    public async Task CreateUser_TokenIsStoredHashed_NotFoundInDatabaseFile()
    {
        var user = await fixture.CreateUserAsync();

        var text = await TestStore.StoredTextAsync(fixture.DataDir.Path);
        Assert.Contains(user.Username, text, StringComparison.Ordinal);
        Assert.DoesNotContain(user.Token, text, StringComparison.Ordinal);
        Assert.Contains(Demiurge.Common.Tokens.Hash(user.Token), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateUser_AsNonAdmin_Returns403AndCreatesNothing()
    {
        var user = await fixture.CreateUserAsync();

        using var response = await user.Client.PostAsJsonAsync("/users", new { username = "mallory" });

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        using var retry = await fixture.Admin.PostAsJsonAsync("/users", new { username = "mallory" });
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
    }

    [Fact]
    public async Task CreateUser_DuplicateUsername_Returns409()
    {
        var user = await fixture.CreateUserAsync();

        using var response = await fixture.Admin.PostAsJsonAsync("/users", new { username = user.Username });

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict, "conflict");
        Assert.Contains(user.Username, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "username")]
    [InlineData("""{"username":""}""", "username")]
    [InlineData("""{"username":"Upper"}""", "username")]
    [InlineData("""{"username":"-leading"}""", "username")]
    [InlineData("""{"username":"has space"}""", "username")]
    public async Task CreateUser_InvalidUsername_Returns400NamingTheField(string json, string field)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await fixture.Admin.PostAsync("/users", content);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task CreateUser_OversizedUsername_Returns400()
    {
        using var response = await fixture.Admin.PostAsJsonAsync("/users", new { username = new string('a', 65) });

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.Contains("64", problem.GetProperty("errors").GetProperty("username")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateUser_AdminUsernameIsReserved_Returns409()
    {
        using var response = await fixture.Admin.PostAsJsonAsync("/users", new { username = "admin" });

        await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task GetMe_AsAdmin_ReportsAdmin()
    {
        var me = await fixture.Admin.GetFromJsonAsync<JsonElement>("/users/me");

        Assert.Equal("admin", me.GetProperty("username").GetString());
        Assert.True(me.GetProperty("is_admin").GetBoolean());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Cli;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Cli;

/// <summary><c>demiurge token create|list|revoke</c> in-process against a real control plane.</summary>
public sealed class TokenCommandTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task TokenCreateListRevoke_RoundTrip_KeyWorksUntilRevoked()
    {
        var user = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(user.Client);

        var created = (await RunAsync(user.Token, "token", "create", "ci", "--scope", "org:read", "--scope", "org:write",
            "--org", organizationId, "--expires-in-days", "7", "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        var keyId = created.GetProperty("key_id").GetString()!;
        var key = fixture.Client(created.GetProperty("token").GetString());
        Assert.Equal(organizationId, created.GetProperty("organization_id").GetString());
        Assert.Equal(TimeSpan.FromDays(7), created.GetProperty("expires_at").GetDateTimeOffset() - created.GetProperty("created_at").GetDateTimeOffset());
        using (var project = await key.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name = "from-cli-key" }))
        {
            Assert.Equal(HttpStatusCode.Created, project.StatusCode);
        }

        var listed = Assert.Single((await RunAsync(user.Token, "token", "list", "-o", "json")).AssertExitCode(ExitCodes.Success).Json().EnumerateArray());
        Assert.Equal(keyId, listed.GetProperty("key_id").GetString());
        Assert.Equal(JsonValueKind.String, listed.GetProperty("last_used_at").ValueKind);

        var revoked = (await RunAsync(user.Token, "token", "revoke", keyId)).AssertExitCode(ExitCodes.Success);
        Assert.Empty(revoked.Error);
        using var after = await key.GetAsync($"/orgs/{organizationId}/projects");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task TokenCreate_UnknownScope_RefusedBeforeAnyRequest()
    {
        var user = await fixture.CreateUserAsync();

        var result = await RunAsync(user.Token, "token", "create", "ci", "--scope", "org:everything");

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Contains("org:everything", result.Error, StringComparison.Ordinal);
        Assert.Empty((await user.Client.GetFromJsonAsync<JsonElement>("/tokens", TestContext.Current.CancellationToken)).EnumerateArray());
    }

    [Fact]
    public async Task TokenList_All_AsNonAdminFailsWith403AndAsAdminListsOthersKeys()
    {
        var user = await fixture.CreateUserAsync();
        var keyId = (await RunAsync(user.Token, "token", "create", "mine", "--scope", "org:read", "-o", "json")).AssertExitCode(ExitCodes.Success)
            .Json().GetProperty("key_id").GetString();

        var refused = (await RunAsync(user.Token, "token", "list", "--all")).AssertExitCode(ExitCodes.Failed);
        var all = (await RunAsync(fixture.AdminToken, "token", "list", "--all", "-o", "json")).AssertExitCode(ExitCodes.Success).Json();

        Assert.Contains("(403)", refused.Error, StringComparison.Ordinal);
        Assert.Contains(all.EnumerateArray(), k => k.GetProperty("key_id").GetString() == keyId);
    }

    private Task<CliResult> RunAsync(string token, params string[] args) =>
        CliResult.RunAsync([.. args, "--server", fixture.ApiUrl.ToString(), "--token", token]);
}

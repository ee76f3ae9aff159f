using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Cli;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Cli;

/// <summary><c>demiurge secrets create|list|rm|key-ring|rotate-key</c> in-process against a real control plane.</summary>
public sealed class SecretsCommandTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task SecretsCreateListRm_RoundTrip_ValueNeverPrinted()
    {
        var user = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(user.Client);

        var created = (await RunAsync(user.Token, "secrets", "create", "DATABASE_URL", "--value", "postgres://s3cret", "--org", organizationId, "-o", "json"))
            .AssertExitCode(ExitCodes.Success);
        var secretId = created.Json().GetProperty("secret_id").GetString()!;
        var listed = (await RunAsync(user.Token, "secrets", "list", "--org", organizationId)).AssertExitCode(ExitCodes.Success);
        var removed = (await RunAsync(user.Token, "secrets", "rm", secretId, "--org", organizationId)).AssertExitCode(ExitCodes.Success);

        Assert.DoesNotContain("s3cret", created.Output, StringComparison.Ordinal);
        Assert.Contains("DATABASE_URL", listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", listed.Output, StringComparison.Ordinal);
        Assert.Empty(removed.Error);
        Assert.Empty((await user.Client.GetFromJsonAsync<JsonElement>($"/orgs/{organizationId}/secrets", TestContext.Current.CancellationToken)).EnumerateArray());
    }

    [Fact]
    public async Task SecretsRotateKey_AsAdmin_MakesANewActiveKey_AsUserFailsWith403()
    {
        var user = await fixture.CreateUserAsync();
        var before = (await RunAsync(fixture.AdminToken, "secrets", "key-ring", "-o", "json")).AssertExitCode(ExitCodes.Success).Json();

        var refused = (await RunAsync(user.Token, "secrets", "rotate-key")).AssertExitCode(ExitCodes.Failed);
        var rotated = (await RunAsync(fixture.AdminToken, "secrets", "rotate-key", "-o", "json")).AssertExitCode(ExitCodes.Success).Json();

        Assert.Contains("(403)", refused.Error, StringComparison.Ordinal);
        Assert.NotEqual(before.GetProperty("active_data_key_id").GetString(), rotated.GetProperty("active_data_key_id").GetString());
        Assert.Contains(rotated.GetProperty("keys").EnumerateArray(), k => k.GetProperty("key_id").GetString() == before.GetProperty("active_data_key_id").GetString());
    }

    private Task<CliResult> RunAsync(string token, params string[] args) =>
        CliResult.RunAsync([.. args, "--server", fixture.ApiUrl.ToString(), "--token", token]);
}

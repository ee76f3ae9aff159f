using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Demiurge.Cli;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Cli;

/// <summary>
/// The client commands run in-process against a real control plane. Every run passes
/// --server and --token, so the process environment plays no part.
/// </summary>
public sealed class ClientCommandTests(ControlPlaneFixture fixture) : IClassFixture<ControlPlaneFixture>
{
    private string Server => fixture.ApiUrl.ToString();

    [Fact]
    public async Task UserCreate_AsAdmin_PrintsTokenThatWorksWithUserMe()
    {
        var username = NewUsername();

        var created = (await RunAsync(fixture.AdminToken, "user", "create", username, "-o", "json")).AssertExitCode(ExitCodes.Success);

        var body = created.Json();
        var userId = body.GetProperty("user_id").GetString()!;
        Assert.True(Guid.TryParse(userId, out _), userId);
        Assert.Equal(username, body.GetProperty("username").GetString());
        var token = body.GetProperty("token").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(token));
        Assert.Empty(created.Error);

        var me = (await RunAsync(token, "user", "me", "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        Assert.Equal(userId, me.GetProperty("user_id").GetString());
        Assert.Equal(username, me.GetProperty("username").GetString());
        Assert.False(me.GetProperty("is_admin").GetBoolean());
    }

    [Fact]
    public async Task UserCreate_TableOutput_PrintsAlignedKeyValueLinesWithToken()
    {
        var username = NewUsername();

        var created = (await RunAsync(fixture.AdminToken, "user", "create", username)).AssertExitCode(ExitCodes.Success);

        var lines = created.OutputLines();
        Assert.Equal(3, lines.Count);
        var values = KeyValueLines(lines);
        Assert.Equal(["user_id", "username", "token"], values.Keys);
        Assert.Equal(username, values["username"]);

        // The printed token is the whole credential: it must authenticate as the new user.
        var me = (await RunAsync(values["token"], "user", "me", "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        Assert.Equal(values["user_id"], me.GetProperty("user_id").GetString());
    }

    [Fact]
    public async Task UserMe_AsAdmin_PrintsAdminInTable()
    {
        var result = (await RunAsync(fixture.AdminToken, "user", "me")).AssertExitCode(ExitCodes.Success);

        var values = KeyValueLines(result.OutputLines());
        Assert.Equal(["user_id", "username", "is_admin", "created_at"], values.Keys);
        Assert.Equal("admin", values["username"]);
        Assert.Equal("true", values["is_admin"]);
    }

    [Fact]
    public async Task UserMe_EmptyToken_ExitsFailedWithUnauthorizedProblem()
    {
        var result = (await RunAsync(string.Empty, "user", "me")).AssertExitCode(ExitCodes.Failed);

        Assert.Empty(result.Output);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("(401)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserCreate_AsNonAdmin_ExitsFailedWithForbiddenProblem()
    {
        var user = await fixture.CreateUserAsync();

        var result = (await RunAsync(user.Token, "user", "create", NewUsername())).AssertExitCode(ExitCodes.Failed);

        Assert.Empty(result.Output);
        Assert.Contains("(403)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrgCreate_ThenOrgList_ListsTheOrganization()
    {
        var user = await fixture.CreateUserAsync();

        var created = (await RunAsync(user.Token, "org", "create", "Acme Corp", "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        var organizationId = created.GetProperty("organization_id").GetString()!;
        Assert.True(Guid.TryParse(organizationId, out _), organizationId);
        Assert.Equal("Acme Corp", created.GetProperty("name").GetString());

        var jsonRun = (await RunAsync(user.Token, "org", "list", "--output", "json")).AssertExitCode(ExitCodes.Success);
        Assert.DoesNotContain("\\u002B", jsonRun.Output, StringComparison.Ordinal); // people read this: "+00:00", not "\u002B00:00"
        var json = jsonRun.Json();
        var listed = Assert.Single(json.EnumerateArray());
        Assert.Equal(organizationId, listed.GetProperty("organization_id").GetString());
        Assert.Equal("Acme Corp", listed.GetProperty("name").GetString());

        var table = (await RunAsync(user.Token, "org", "list")).AssertExitCode(ExitCodes.Success);
        var row = Assert.Single(TableAssert.AssertAligned(table.OutputLines(), "ORGANIZATION_ID", "NAME", "SLUG", "CREATED_AT", "GATEWAY_AUTO_RELEASE", "STORAGE_QUOTA_BYTES"));
        Assert.Equal(organizationId, row["ORGANIZATION_ID"]);
        Assert.Equal("Acme Corp", row["NAME"]);
        Assert.True(DateTimeOffset.TryParse(row["CREATED_AT"], out _), row["CREATED_AT"]);
    }

    [Fact]
    public async Task OrgList_SeveralOrganizations_AlignsColumnsToTheLongestName()
    {
        var user = await fixture.CreateUserAsync();
        var shortId = await ControlPlaneFixture.CreateOrganizationAsync(user.Client, "A");
        var longId = await ControlPlaneFixture.CreateOrganizationAsync(user.Client, "A much longer organization name");

        var table = (await RunAsync(user.Token, "org", "list")).AssertExitCode(ExitCodes.Success);

        var rows = TableAssert.AssertAligned(table.OutputLines(), "ORGANIZATION_ID", "NAME", "SLUG", "CREATED_AT", "GATEWAY_AUTO_RELEASE", "STORAGE_QUOTA_BYTES");
        Assert.Equal(2, rows.Count);
        Assert.Equal(new Dictionary<string, string> { [shortId] = "A", [longId] = "A much longer organization name" },
            rows.ToDictionary(r => r["ORGANIZATION_ID"], r => r["NAME"]));
    }

    [Fact]
    public async Task OrgList_NoOrganizations_PrintsNone()
    {
        var user = await fixture.CreateUserAsync();

        var table = (await RunAsync(user.Token, "org", "list")).AssertExitCode(ExitCodes.Success);
        var json = (await RunAsync(user.Token, "org", "list", "-o", "json")).AssertExitCode(ExitCodes.Success);

        Assert.Equal("(none)", table.Output.TrimEnd());
        Assert.Equal(JsonValueKind.Array, json.Json().ValueKind);
        Assert.Equal(0, json.Json().GetArrayLength());
    }

    [Fact]
    public async Task OrgShow_ExistingOrganization_PrintsItsFields()
    {
        var user = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(user.Client, "Shown");

        var json = (await RunAsync(user.Token, "org", "show", organizationId, "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        var table = (await RunAsync(user.Token, "org", "show", organizationId)).AssertExitCode(ExitCodes.Success);

        Assert.Equal(organizationId, json.GetProperty("organization_id").GetString());
        Assert.Equal("Shown", json.GetProperty("name").GetString());
        var values = KeyValueLines(table.OutputLines());
        Assert.Equal(organizationId, values["organization_id"]);
        Assert.Equal("Shown", values["name"]);
    }

    [Fact]
    public async Task OrgSetSlug_FreeThenReserved_ChangesItThenExitsFailedSayingWhy()
    {
        var user = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(user.Client, "Slugged");
        var slug = "cli-" + Guid.NewGuid().ToString("N")[..12];

        var changed = (await RunAsync(user.Token, "org", "set-slug", organizationId, slug, "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        var refused = (await RunAsync(user.Token, "org", "set-slug", organizationId, "www")).AssertExitCode(ExitCodes.Failed);
        var shown = KeyValueLines((await RunAsync(user.Token, "org", "show", organizationId)).AssertExitCode(ExitCodes.Success).OutputLines());

        Assert.Equal(slug, changed.GetProperty("slug").GetString());
        Assert.Contains("reserved", refused.Error, StringComparison.Ordinal);
        Assert.Equal(slug, shown["slug"]);
    }

    [Fact]
    public async Task OrgShow_UnknownOrganization_ExitsFailedWithNotFoundTitleAndDetail()
    {
        var unknown = Guid.NewGuid().ToString();

        var result = (await RunAsync(fixture.AdminToken, "org", "show", unknown)).AssertExitCode(ExitCodes.Failed);

        Assert.Empty(result.Output);
        Assert.Equal(
            $"error: Organization not found (404): Organization '{unknown}' does not exist or is not visible to you.",
            result.Error.TrimEnd());
    }

    [Fact]
    public async Task OrgMemberAdd_ThenOrgMemberList_ShowsEveryMemberWithRole()
    {
        var owner = await fixture.CreateUserAsync();
        var colleague = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, "Members");

        var added = (await RunAsync(owner.Token, "org", "member", "add", organizationId, colleague.UserId, "--role", "admin", "-o", "json"))
            .AssertExitCode(ExitCodes.Success).Json();
        Assert.Equal(colleague.UserId, added.GetProperty("user_id").GetString());
        Assert.Equal(colleague.Username, added.GetProperty("username").GetString());
        Assert.Equal("admin", added.GetProperty("role").GetString());

        var json = (await RunAsync(owner.Token, "org", "member", "list", organizationId, "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        Assert.Equal(
            new Dictionary<string, string> { [owner.UserId] = "owner", [colleague.UserId] = "admin" },
            json.EnumerateArray().ToDictionary(m => m.GetProperty("user_id").GetString()!, m => m.GetProperty("role").GetString()!));

        var table = (await RunAsync(owner.Token, "org", "member", "list", organizationId)).AssertExitCode(ExitCodes.Success);
        var rows = TableAssert.AssertAligned(table.OutputLines(), "USER_ID", "USERNAME", "ROLE", "CREATED_AT");
        Assert.Equal(
            new Dictionary<string, string> { [owner.Username] = "owner", [colleague.Username] = "admin" },
            rows.ToDictionary(r => r["USERNAME"], r => r["ROLE"]));
    }

    [Fact]
    public async Task OrgMemberAdd_WithoutRole_AddsAsMember()
    {
        var owner = await fixture.CreateUserAsync();
        var colleague = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, "Default role");

        var added = (await RunAsync(owner.Token, "org", "member", "add", organizationId, colleague.UserId, "-o", "json"))
            .AssertExitCode(ExitCodes.Success).Json();

        Assert.Equal("member", added.GetProperty("role").GetString());
    }

    [Fact]
    public async Task OrgMemberAdd_AlreadyMember_ExitsFailedWithConflict()
    {
        var owner = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, "Twice");

        var result = (await RunAsync(owner.Token, "org", "member", "add", organizationId, owner.UserId, "--role", "owner"))
            .AssertExitCode(ExitCodes.Failed);

        Assert.Empty(result.Output);
        Assert.Equal($"error: Conflict (409): User '{owner.Username}' is already a member of this organization.", result.Error.TrimEnd());
    }

    [Fact]
    public async Task OrgMemberAdd_UserIdNotUuid_ExitsFailedWithFieldError()
    {
        var owner = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, "Bad user id");

        var result = (await RunAsync(owner.Token, "org", "member", "add", organizationId, "not-a-uuid")).AssertExitCode(ExitCodes.Failed);

        Assert.Empty(result.Output);
        var lines = result.Error.TrimEnd().Split(Environment.NewLine);
        Assert.Equal("error: The request is not valid (400): One or more fields are invalid; see errors.", lines[0]);
        Assert.Equal("  user_id: The user_id must be a UUID.", Assert.Single(lines[1..]));
    }

    [Fact]
    public async Task OrgCreate_NameWithLeadingSpace_ExitsFailedWithFieldError()
    {
        var user = await fixture.CreateUserAsync();

        var result = (await RunAsync(user.Token, "org", "create", " Acme")).AssertExitCode(ExitCodes.Failed);

        Assert.Empty(result.Output);
        var lines = result.Error.TrimEnd().Split(Environment.NewLine);
        Assert.Equal("error: The request is not valid (400): One or more fields are invalid; see errors.", lines[0]);
        var fieldError = Assert.Single(lines[1..]);
        Assert.StartsWith("  name: ", fieldError, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not start or end with white space", fieldError, StringComparison.Ordinal);

        // Nothing was created.
        var listed = (await RunAsync(user.Token, "org", "list", "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        Assert.Equal(0, listed.GetArrayLength());
    }

    [Fact]
    public async Task ProjectCreate_ThenProjectList_ListsTheProject()
    {
        var user = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(user.Client, "Projects");

        var created = (await RunAsync(user.Token, "project", "create", "--org", organizationId, "web", "-o", "json"))
            .AssertExitCode(ExitCodes.Success).Json();
        var projectId = created.GetProperty("project_id").GetString()!;
        Assert.True(Guid.TryParse(projectId, out _), projectId);
        Assert.Equal(organizationId, created.GetProperty("organization_id").GetString());
        Assert.Equal("web", created.GetProperty("name").GetString());

        var json = (await RunAsync(user.Token, "project", "list", "--org", organizationId, "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        var listed = Assert.Single(json.EnumerateArray());
        Assert.Equal(projectId, listed.GetProperty("project_id").GetString());

        // --org is recursive: it is also accepted before the subcommand.
        var table = (await RunAsync(user.Token, "project", "--org", organizationId, "list")).AssertExitCode(ExitCodes.Success);
        var row = Assert.Single(TableAssert.AssertAligned(table.OutputLines(), "PROJECT_ID", "ORGANIZATION_ID", "NAME", "CREATED_AT"));
        Assert.Equal(projectId, row["PROJECT_ID"]);
        Assert.Equal(organizationId, row["ORGANIZATION_ID"]);
        Assert.Equal("web", row["NAME"]);
    }

    [Fact]
    public async Task ProjectCreate_DuplicateName_ExitsFailedWithConflictTitleAndDetail()
    {
        var user = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(user.Client, "Duplicates");
        (await RunAsync(user.Token, "project", "create", "--org", organizationId, "api")).AssertExitCode(ExitCodes.Success);

        var result = (await RunAsync(user.Token, "project", "create", "--org", organizationId, "api")).AssertExitCode(ExitCodes.Failed);

        Assert.Empty(result.Output);
        Assert.Equal("error: Conflict (409): The organization already has a project named 'api'.", result.Error.TrimEnd());
        var listed = (await RunAsync(user.Token, "project", "list", "--org", organizationId, "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        Assert.Equal(1, listed.GetArrayLength());
    }

    [Fact]
    public async Task ProjectList_UnknownOrganization_ExitsFailedWithNotFound()
    {
        var unknown = Guid.NewGuid().ToString();

        var result = (await RunAsync(fixture.AdminToken, "project", "list", "--org", unknown, "-o", "json")).AssertExitCode(ExitCodes.Failed);

        Assert.Empty(result.Output);
        Assert.Equal(
            $"error: Organization not found (404): Organization '{unknown}' does not exist or is not visible to you.",
            result.Error.TrimEnd());
    }

    [Fact]
    public async Task ProjectCreate_OrganizationOfSomeoneElse_ExitsFailedWithNotFound()
    {
        var owner = await fixture.CreateUserAsync();
        var stranger = await fixture.CreateUserAsync();
        var organizationId = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, "Private");

        var result = (await RunAsync(stranger.Token, "project", "create", "--org", organizationId, "intruder")).AssertExitCode(ExitCodes.Failed);

        Assert.Contains("(404)", result.Error, StringComparison.Ordinal);
        var listed = (await RunAsync(owner.Token, "project", "list", "--org", organizationId, "-o", "json")).AssertExitCode(ExitCodes.Success).Json();
        Assert.Equal(0, listed.GetArrayLength());
    }

    [Theory]
    [InlineData("org", "list")]
    [InlineData("user", "me")]
    [InlineData("project", "list", "--org", "00000000-0000-0000-0000-000000000001")]
    public async Task ClientCommand_ServerUnreachable_ExitsUnavailableWithClearMessage(params string[] args)
    {
        var server = $"http://127.0.0.1:{ClosedLoopbackPort()}/";

        var result = (await CliResult.RunAsync([.. args, "--server", server, "--token", "unused"])).AssertExitCode(ExitCodes.Unavailable);

        Assert.Empty(result.Output);
        var message = result.Error.TrimEnd();
        Assert.StartsWith($"error: cannot reach {server}", message, StringComparison.Ordinal);
        Assert.Contains("--server", message, StringComparison.Ordinal);
        Assert.Contains(ClientOptions.ServerVariable, message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Required argument missing", "user", "create")]
    [InlineData("Required argument missing", "org", "create")]
    [InlineData("Required argument missing", "org", "show")]
    [InlineData("Required argument missing", "org", "member", "add", "00000000-0000-0000-0000-000000000001")]
    [InlineData("Required argument missing", "org", "member", "list")]
    [InlineData("Required argument missing", "project", "create", "--org", "00000000-0000-0000-0000-000000000001")]
    [InlineData("--org", "project", "list")]
    [InlineData("--org", "project", "create", "web")]
    public async Task ClientCommand_MissingRequiredArgument_ExitsNonZeroWithoutCallingServer(string expectedError, params string[] args)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";

        var result = await CliResult.RunAsync([.. args, "--server", server, "--token", "unused"]);

        Assert.False(listener.Pending(), "The command connected to the server.");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expectedError, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrgMemberAdd_RoleBoss_RefusedByParserWithoutCallingServer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
        string[] args = ["org", "member", "add", Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), "--role", "boss", "--server", server, "--token", "unused"];

        // Twice: every run builds the command tree again, and the second must not differ.
        var first = await CliResult.RunAsync(args);
        var second = await CliResult.RunAsync(args);

        Assert.False(listener.Pending(), "The command connected to the server.");
        foreach (var result in new[] { first, second })
        {
            Assert.Equal(ExitCodes.Usage, result.ExitCode);
            Assert.Equal(1, CountOf("'boss'", result.Error));
            foreach (var role in new[] { "owner", "admin", "member" })
            {
                Assert.Contains($"'{role}'", result.Error, StringComparison.Ordinal);
            }
        }

        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData("localhost:5080")]
    [InlineData("127.0.0.1")]
    [InlineData("ftp://127.0.0.1/")]
    public async Task ClientCommand_ServerNotHttpUrl_RefusedByParser(string server)
    {
        var result = await CliResult.RunAsync("org", "list", "--server", server, "--token", "unused");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"--server '{server}' is not an http(s) URL.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrgList_OutputFormatUnknown_RefusedByParser()
    {
        var result = await RunAsync(fixture.AdminToken, "org", "list", "-o", "yaml");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("yaml", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientCommand_ManyRunsInParallel_EachParsesItsOwnTree()
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => i % 2 == 0
            ? RunAsync(fixture.AdminToken, "user", "me", "-o", "json")
            : CliResult.RunAsync("org", "member", "add", Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), "--role", "boss", "--server", Server, "--token", "unused")));

        Assert.All(runs.Where((_, i) => i % 2 == 0), r => Assert.Equal("admin", r.AssertExitCode(ExitCodes.Success).Json().GetProperty("username").GetString()));
        Assert.All(runs.Where((_, i) => i % 2 == 1), r => Assert.Equal(ExitCodes.Usage, r.ExitCode));
    }

    [Fact]
    public async Task ClientCommand_ServerWithPath_KeepsThePath()
    {
        var result = await CliResult.RunAsync("user", "me", "--server", new Uri(new Uri(Server), "api").AbsoluteUri, "--token", fixture.AdminToken);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("/api/users/me", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Runs against the fixture's server with <paramref name="token"/>; the flags go last, as people type them.</summary>
    private Task<CliResult> RunAsync(string token, params string[] args) =>
        CliResult.RunAsync([.. args, "--server", Server, "--token", token]);

    private static string NewUsername() => "cli" + Guid.NewGuid().ToString("N")[..12];

    private static int CountOf(string value, string text) =>
        (text.Length - text.Replace(value, string.Empty, StringComparison.Ordinal).Length) / value.Length;

    /// <summary>A loopback port that nothing listens on: bound, read, released.</summary>
    private static int ClosedLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Parses "key  value" lines, asserting that the values line up in one column.</summary>
    private static Dictionary<string, string> KeyValueLines(IReadOnlyList<string> lines)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var valueColumn = -1;
        foreach (var line in lines)
        {
            var key = line[..line.IndexOf(' ', StringComparison.Ordinal)];
            var column = key.Length;
            while (line[column] == ' ')
            {
                column++;
            }

            Assert.True(valueColumn == -1 || valueColumn == column, $"Value not aligned: '{line}'");
            valueColumn = column;
            values.Add(key, line[column..]);
        }

        return values;
    }
}

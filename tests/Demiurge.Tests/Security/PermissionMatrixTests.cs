using System.Net;
using System.Net.Http.Json;

namespace Demiurge.Tests.Security;

/// <summary>
/// The tenant-isolation matrix: every operation of the live <c>/openapi/v1.json</c> × every caller
/// answers what docs/permissions.json says, and the table and the document list the same operations.
/// </summary>
public sealed class PermissionMatrixTests(TenantFixture fixture) : IClassFixture<TenantFixture>
{
    /// <summary>
    /// What "allow" looks like where a pool-less test control plane cannot answer 2xx: the request
    /// passed authorization and reached the handler, which found no gateway (or no saved data).
    /// </summary>
    private static readonly Dictionary<string, HttpStatusCode> s_allowedAnswers = new()
    {
        ["POST /gateway/start"] = HttpStatusCode.ServiceUnavailable,
        ["POST /gateways/{gateway_id}/release"] = HttpStatusCode.NotFound,
        // More workers than --pool-max allows: a matrix run must not start any.
        ["POST /gateways"] = HttpStatusCode.Conflict,
        // The fixture's organization has no gateway.
        ["POST /gateways/release"] = HttpStatusCode.Conflict,
        ["DELETE /gateway/data/{organization_id}"] = HttpStatusCode.NotFound,
    };

    /// <summary>A minimal valid body per operation that reads one; fresh each time, so writes never collide.</summary>
    private Dictionary<string, Func<Task<object>>> Bodies() => new()
    {
        ["POST /users"] = () => Task.FromResult<object>(new { username = "u" + fixture.Unique() }),
        ["POST /orgs"] = () => Task.FromResult<object>(new { name = "Org " + fixture.Unique() }),
        ["PATCH /orgs/{organization_id}"] = () => Task.FromResult<object>(new { gateway_auto_release = true }),
        ["PATCH /orgs/{organization_id} storage_quota_bytes"] = () => Task.FromResult<object>(new { storage_quota_bytes = 512L << 20 }),
        ["PATCH /orgs/{organization_id} slug"] = () => Task.FromResult<object>(new { slug = "matrix-" + fixture.Unique() }),
        ["POST /orgs/{organization_id}/members"] = async () => new { user_id = (await fixture.ControlPlane.CreateUserAsync()).UserId, role = "member" },
        ["PATCH /orgs/{organization_id}/members/{user_id}"] = () => Task.FromResult<object>(new { role = "viewer" }),
        ["POST /orgs/{organization_id}/projects"] = () => Task.FromResult<object>(new { name = "p" + fixture.Unique() }),
        ["POST /tokens"] = () => Task.FromResult<object>(new { name = "k" + fixture.Unique(), scopes = TenantFixture.ReadScope }),
        ["POST /orgs/{organization_id}/secrets"] = () => Task.FromResult<object>(new { name = "S" + fixture.Unique(), value = "v" }),
        ["POST /gateway/start"] = () => Task.FromResult<object>(new { organization_id = fixture.OrganizationId }),
        ["POST /gateway/ready"] = () => Task.FromResult<object>(new { gateway_id = Guid.NewGuid().ToString() }),
        ["POST /gateway/config"] = () => Task.FromResult<object>(new { handshake_token = "not-a-handshake-token" }),
        ["POST /gateway/data/pull"] = () => Task.FromResult<object>(new { organization_id = fixture.OrganizationId }),
        ["POST /gateway/data/push"] = () => Task.FromResult<object>(new { organization_id = fixture.OrganizationId, version = 0, data = new { yjs_state = new Dictionary<string, string>() } }),
        ["POST /gateway/stop"] = () => Task.FromResult<object>(new { organization_id = fixture.OrganizationId }),
        ["POST /gateways"] = () => Task.FromResult<object>(new { count = 1000 }),
        ["POST /gateways/release"] = () => Task.FromResult<object>(new { organization_id = fixture.OrganizationId }),
    };

    /// <summary>The organization's own objects, made fresh for each request, so that one caller's delete leaves the next caller something to delete.</summary>
    private async Task<string> PathValueAsync(string parameter) => parameter switch
    {
        "organization_id" => fixture.OrganizationId,
        "project_id" => await fixture.ProjectAsync(),
        "secret_id" => await fixture.SecretAsync(),
        "key_id" => await fixture.ApiKeyAsync(),
        "user_id" => (await fixture.MemberAsync("member")).UserId,
        // A pool-less control plane has no gateways: see s_allowedAnswers.
        "gateway_id" => Guid.NewGuid().ToString(),
        _ => throw new InvalidOperationException($"Teach {nameof(PermissionMatrixTests)} how to fill the path parameter '{parameter}'."),
    };

    [Fact]
    public async Task PermissionTable_ListsExactlyTheOpenApiOperations_WithEveryCaller()
    {
        var table = PermissionTable.Load();
        var operations = (await ApiOperation.ReadAsync(fixture.ControlPlane.Admin)).Select(o => o.Key).ToHashSet();

        Assert.True(operations.Count >= 25, $"The OpenAPI document lists only {operations.Count} operations.");
        var rowOperations = table.ControlPlane.Keys.Select(PermissionTable.Operation).ToHashSet();
        var missing = operations.Except(rowOperations).Order().ToArray();
        Assert.True(missing.Length == 0, "Operations with no row in docs/permissions.json (add one, and to docs/security.md): " + string.Join(", ", missing));
        var stale = rowOperations.Except(operations).Order().ToArray();
        Assert.True(stale.Length == 0, "Rows of docs/permissions.json for operations the API no longer has: " + string.Join(", ", stale));

        Assert.Equal(fixture.Callers.Keys, table.Callers);
        foreach (var (operation, row) in table.ControlPlane.Concat(table.Gateway))
        {
            Assert.True(row.Keys.Order().SequenceEqual(table.Callers.Order()), $"The row of {operation} does not name exactly the callers {string.Join(", ", table.Callers)}.");
        }
    }

    [Fact]
    public async Task EveryOperation_EveryCaller_AnswersWhatThePermissionTableSays()
    {
        var table = PermissionTable.Load();
        var bodies = Bodies();
        var failures = new List<string>();
        var checkedCount = 0;
        var operations = (await ApiOperation.ReadAsync(fixture.ControlPlane.Admin)).ToDictionary(o => o.Key);
        foreach (var (rowKey, row) in table.ControlPlane)
        {
            if (!operations.TryGetValue(PermissionTable.Operation(rowKey), out var operation))
            {
                failures.Add($"{rowKey}: no such operation in /openapi/v1.json");
                continue;
            }

            foreach (var (caller, client) in fixture.Callers)
            {
                using var request = await RequestAsync(operation, rowKey, bodies);
                using var response = await client.SendAsync(request);
                var expected = row[caller];
                var status = response.StatusCode;
                var body = await response.Content.ReadAsStringAsync();
                var ok = expected == PermissionTable.Allow
                    ? s_allowedAnswers.TryGetValue(operation.Key, out var allowed) ? status == allowed : (int)status is >= 200 and < 300
                    : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture) == expected
                        && response.Content.Headers.ContentType?.MediaType == "application/problem+json";
                if (!ok)
                {
                    failures.Add($"{rowKey} as {caller}: expected {expected}, got {(int)status} {response.Content.Headers.ContentType?.MediaType}: {body[..Math.Min(200, body.Length)]}");
                }

                checkedCount++;
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedCount} answers differ from docs/permissions.json:\n" + string.Join("\n", failures));
        Assert.Equal(table.ControlPlane.Count * fixture.Callers.Count, checkedCount);
    }

    private async Task<HttpRequestMessage> RequestAsync(ApiOperation operation, string rowKey, Dictionary<string, Func<Task<object>>> bodies)
    {
        var path = operation.Path;
        foreach (var parameter in operation.PathParameters)
        {
            path = path.Replace("{" + parameter + "}", Uri.EscapeDataString(await PathValueAsync(parameter)), StringComparison.Ordinal);
        }

        var request = new HttpRequestMessage(new HttpMethod(operation.Method), path);
        if (operation.BodySchema is not null)
        {
            Assert.True(bodies.TryGetValue(rowKey, out var body), $"Add a minimal valid body for {rowKey} to {nameof(PermissionMatrixTests)}.");
            request.Content = JsonContent.Create(await body!());
        }

        return request;
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Protocol;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>The gateway's own OpenAPI document: the organization's API, under the organization's name too.</summary>
public sealed class GatewayOpenApiTests
{
    [Fact]
    public async Task OpenApi_ListsTheOrganizationsOperations_NotTheControlPlanesCalls()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);

        var document = await gateway.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        Assert.Equal("Demiurge gateway", document.GetProperty("info").GetProperty("title").GetString());
        var operations = Operations(document);
        Assert.Equal(
        [
            "DELETE /containers/{container_id}",
            "DELETE /containers/{container_id}/endpoint",
            "GET /collab/{project_id}",
            "GET /oauth/authorize",
            "GET /projects/{project_id}/state",
            "POST /containers",
            "POST /oauth/authenticate",
            "POST /oauth/token",
            "PUT /containers/{container_id}/endpoint",
            "PUT /projects/{project_id}/state",
        ], operations.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(operations, o => o.Contains(GatewayPaths.Start, StringComparison.Ordinal) || o.Contains(GatewayPaths.Ping, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenApi_UnderTheServedOrganizationsName_Served()
    {
        await using var gateway = await GatewayHarness.StartAsync(inactivityOff: true);
        var grant = await gateway.ServeAsync(Guid.CreateVersion7().ToString());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Host = $"org-{grant.OrganizationId}.demiurge.localhost";

        using var response = await gateway.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("GET /projects/{project_id}/state", Operations(await response.Content.ReadFromJsonAsync<JsonElement>()));
    }

    private static List<string> Operations(JsonElement document) =>
        [.. document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject().Select(method => $"{method.Name.ToUpperInvariant()} {path.Name}"))];
}

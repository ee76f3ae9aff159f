using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.Security;

/// <summary>
/// The gateway's rows of docs/permissions.json, reached as users reach them: through the edge of a
/// real <c>demiurge up</c>, under the organization's name, with the organization's gateway allocated.
/// </summary>
public sealed partial class GatewayPermissionMatrixTests
{
    private const string Token = "gateway-matrix-admin-token-0123";
    private const string Domain = "demiurge.localhost";
    private const string Challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    private const string RoomOperation = "GET /collab/{project_id}";

    [Fact]
    public async Task EveryGatewayOperation_EveryCaller_ThroughTheEdge_AnswersWhatThePermissionTableSays()
    {
        var table = PermissionTable.Load();
        using var dataDir = new TempDirectory();
        await using var up = DemiurgeProcess.Start(
        [
            "up", "--data-dir", dataDir.Path, "--api-port", "0", "--admin-token", Token, "--pool-ports", PortBlocks.Next(),
            "--pool-size", "1", "--pool-min-ready", "0", "--pool-max", "1", "--gateway-inactivity-timeout", "off", "--rate-limit", "off",
            "--container-ports", "40000-40000",
        ]);
        var api = new Uri(await up.WaitForOutputAsync("API:"));
        await up.WaitForOutputAsync("Press Ctrl-C");
        var edgePort = int.Parse(PortOf().Match(up.StandardOutput.Single(l => l.Contains("Edge:", StringComparison.Ordinal))).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        using var admin = new HttpClient { BaseAddress = api };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", Token);

        var tokens = new Dictionary<string, string?> { ["anonymous"] = null, ["system_admin"] = Token };
        var userIds = new Dictionary<string, string>();
        foreach (var name in new[] { "outsider", "viewer", "member", "admin", "owner" })
        {
            var created = await PostAsync(admin, "/users", new { username = "gw-" + name });
            tokens[name] = created.GetProperty("token").GetString();
            userIds[name] = created.GetProperty("user_id").GetString()!;
        }

        using var owner = Client(api, tokens["owner"]);
        using var outsider = Client(api, tokens["outsider"]);
        var organizationId = (await PostAsync(owner, "/orgs", new { name = "Gateway matrix" })).GetProperty("organization_id").GetString()!;
        await PostAsync(outsider, "/orgs", new { name = "Elsewhere" });
        foreach (var role in new[] { "viewer", "member", "admin" })
        {
            await PostAsync(owner, $"/orgs/{organizationId}/members", new { user_id = userIds[role], role });
        }

        // The owner's API keys: the gateway takes user tokens only, so each gets what no token gets,
        // a key limited to another organization as well as one limited to none.
        tokens["expired_key"] = (await PostAsync(owner, "/tokens", new { name = "expired", scopes = TenantFixture.ReadScope, expires_in = 1 })).GetProperty("token").GetString();
        tokens["wrong_scope_key"] = (await PostAsync(owner, "/tokens", new { name = "wrong-scope", scopes = TenantFixture.WrongScope })).GetProperty("token").GetString();
        var ownersOther = (await PostAsync(owner, "/orgs", new { name = "Owner's other" })).GetProperty("organization_id").GetString();
        tokens["other_org_key"] = (await PostAsync(owner, "/tokens", new { name = "other-org", scopes = TenantFixture.OtherOrganizationScopes, organization_id = ownersOther })).GetProperty("token").GetString();
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var projectId = (await PostAsync(owner, $"/orgs/{organizationId}/projects", new { name = "Plans" })).GetProperty("project_id").GetString()!;
        await StartGatewayAsync(owner, organizationId);
        var hostname = $"org-{organizationId}.{Domain}";
        using var edge = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectCallback = ToLoopbackAsync })
        {
            BaseAddress = new Uri($"http://{hostname}:{edgePort}"),
        };

        // A container made by the owner, fresh for each request: the member deletes only their own.
        async Task<(string Id, string ClientId)> ContainerAsync()
        {
            var id = Guid.NewGuid().ToString();
            using var create = Request(HttpMethod.Post, "/containers", tokens["owner"], JsonContent.Create(new { container_id = id, redirect_uris = new[] { $"https://uc-{id}.{hostname}/cb" } }));
            using var created = await edge.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            return (id, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("oauth_client_id").GetString()!);
        }

        var requests = new Dictionary<string, Func<string?, Task<HttpRequestMessage>>>
        {
            ["GET /projects/{project_id}/state"] = token => Task.FromResult(Request(HttpMethod.Get, $"/projects/{projectId}/state", token)),
            // Without an upgrade: a refusal is the same problem+json; "allow" is checked with a real upgrade below.
            [RoomOperation] = token => Task.FromResult(Request(HttpMethod.Get, $"/collab/{projectId}", token)),
            ["PUT /projects/{project_id}/state"] = token => Task.FromResult(Request(HttpMethod.Put, $"/projects/{projectId}/state", token, JsonContent.Create(new { state = "AAA=" }))),
            ["POST /containers"] = token =>
            {
                var id = Guid.NewGuid().ToString();
                return Task.FromResult(Request(HttpMethod.Post, "/containers", token, JsonContent.Create(new { container_id = id, redirect_uris = new[] { $"https://uc-{id}.{hostname}/cb" } })));
            },
            ["DELETE /containers/{container_id}"] = async token => Request(HttpMethod.Delete, $"/containers/{(await ContainerAsync()).Id}", token),
            ["PUT /containers/{container_id}/endpoint"] = async token =>
                Request(HttpMethod.Put, $"/containers/{(await ContainerAsync()).Id}/endpoint", token, JsonContent.Create(new { url = "http://127.0.0.1:40000/" })),
            ["DELETE /containers/{container_id}/endpoint"] = async token => Request(HttpMethod.Delete, $"/containers/{(await ContainerAsync()).Id}/endpoint", token),
            ["GET /oauth/authorize"] = async token =>
            {
                var (id, clientId) = await ContainerAsync();
                var redirect = Uri.EscapeDataString($"https://uc-{id}.{hostname}/cb");
                return Request(HttpMethod.Get, $"/oauth/authorize?response_type=code&client_id={clientId}&redirect_uri={redirect}&code_challenge={Challenge}&code_challenge_method=S256&state=s", token);
            },
            ["POST /oauth/token"] = async token => Request(HttpMethod.Post, "/oauth/token", token, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code", ["client_id"] = (await ContainerAsync()).ClientId, ["code"] = "not-a-code",
                ["redirect_uri"] = "https://example.invalid/cb", ["code_verifier"] = new string('v', 43),
            })),
            ["POST /oauth/authenticate"] = token => Task.FromResult(Request(HttpMethod.Post, "/oauth/authenticate", token, new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "x" }))),
            ["POST /collab/start"] = token => Task.FromResult(Request(HttpMethod.Post, "/collab/start", token, JsonContent.Create(new { handshake_token = "x" }))),
            ["POST /collab/release"] = token => Task.FromResult(Request(HttpMethod.Post, "/collab/release", token)),
            ["PUT /collab/config"] = token => Task.FromResult(Request(HttpMethod.Put, "/collab/config", token, JsonContent.Create(new { organization_id = organizationId }))),
            ["GET /collab/ping"] = token => Task.FromResult(Request(HttpMethod.Get, "/collab/ping", token)),
            ["GET /gateway/activity"] = token => Task.FromResult(Request(HttpMethod.Get, "/gateway/activity", token)),
            ["GET /openapi/v1.json"] = token => Task.FromResult(Request(HttpMethod.Get, "/openapi/v1.json", token)),
        };
        Assert.Equal(table.Gateway.Keys.Order(), requests.Keys.Order());
        // A new gateway endpoint with no row fails: every operation of the gateway's own document has
        // one (the control plane's calls, the health checks and the room's upgrade are not in it).
        var documented = (await ApiOperation.ReadAsync(edge)).Select(o => o.Key).ToArray();
        Assert.Contains("PUT /projects/{project_id}/state", documented);
        var missing = documented.Except(table.Gateway.Keys).Order().ToArray();
        Assert.True(missing.Length == 0, "Gateway operations with no row in docs/permissions.json (add one, and to docs/security.md): " + string.Join(", ", missing));

        var failures = new List<string>();
        foreach (var (operation, row) in table.Gateway)
        {
            foreach (var caller in table.Callers)
            {
                using var request = await requests[operation](tokens[caller]);
                using var response = await edge.SendAsync(request);
                var expected = row[caller];
                var status = (int)response.StatusCode;
                var location = response.Headers.Location?.ToString() ?? string.Empty;
                var upgraded = operation == RoomOperation && expected == PermissionTable.Allow
                    && await UpgradeStatusAsync(edge, new Uri($"ws://{hostname}:{edgePort}/collab/{projectId}"), tokens[caller]) == HttpStatusCode.SwitchingProtocols;
                var ok = expected switch
                {
                    PermissionTable.Allow when operation == RoomOperation => status == 426 && upgraded,
                    PermissionTable.Allow when operation == "GET /oauth/authorize" => status == 302 && location.Contains("code=", StringComparison.Ordinal),
                    PermissionTable.Allow => status is >= 200 and < 300,
                    "access_denied" => status == 302 && location.Contains("error=access_denied", StringComparison.Ordinal),
                    "client" => status == 400,
                    _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture) == expected && response.Content.Headers.ContentType?.MediaType == "application/problem+json",
                };
                if (!ok)
                {
                    var body = await response.Content.ReadAsStringAsync();
                    failures.Add($"{operation} as {caller}: expected {expected}, got {status} {response.Content.Headers.ContentType?.MediaType} {location} {body[..Math.Min(200, body.Length)]}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} gateway answers differ from docs/permissions.json:\n" + string.Join("\n", failures));
    }

    /// <summary>What the edge answers a WebSocket upgrade of <paramref name="room"/> with <paramref name="token"/>: 101 when the room opens.</summary>
    private static async Task<HttpStatusCode> UpgradeStatusAsync(HttpClient edge, Uri room, string? token)
    {
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        try
        {
            await socket.ConnectAsync(room, edge, CancellationToken.None);
            await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            return HttpStatusCode.SwitchingProtocols;
        }
        catch (System.Net.WebSockets.WebSocketException)
        {
            return socket.HttpStatusCode;
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return request;
    }

    private static HttpClient Client(Uri api, string? token)
    {
        var client = new HttpClient { BaseAddress = api };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    internal static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Allocates the organization's gateway, waiting for the pool's worker to be ready.</summary>
    internal static async Task StartGatewayAsync(HttpClient client, string organizationId)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await client.PostAsJsonAsync("/gateway/start", new { organization_id = organizationId });
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 100)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return;
            }

            await Task.Delay(200);
        }
    }

    // Every name goes to loopback, as curl --resolve does: the organization's name stays in the Host header.
    private static async ValueTask<Stream> ToLoopbackAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }

    [GeneratedRegex(@"localhost:(\d+)")]
    private static partial Regex PortOf();
}

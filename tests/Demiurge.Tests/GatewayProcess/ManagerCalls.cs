using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>Calls to the gateway's OAuth and container endpoints, as a browser, a container and a client make them.</summary>
internal static class ManagerCalls
{
    public const string State = "st-42";

    /// <summary>A redirect URI under the organization's own name, where its containers are served.</summary>
    public static string RedirectUri(string organizationId, string containerId, string path = "/oauth/callback") =>
        $"http://uc-{containerId}.org-{organizationId}.demiurge.localhost{path}";

    /// <summary>A fresh PKCE verifier and its S256 challenge, computed here independently of the gateway.</summary>
    public static (string Verifier, string Challenge) NewPkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(48));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static Task<HttpResponseMessage> CreateContainerAsync(GatewayHarness gateway, FakeUser? user, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/containers") { Content = JsonContent.Create(body) };
        Authorize(request, user?.Token);
        return gateway.Http.SendAsync(request);
    }

    /// <summary>Creates a container as <paramref name="user"/> and asserts 201.</summary>
    public static async Task<TestContainer> CreateContainerOkAsync(GatewayHarness gateway, FakeUser user, string organizationId, params string[] extraRedirectPaths)
    {
        var containerId = Guid.CreateVersion7().ToString();
        var redirectUri = RedirectUri(organizationId, containerId);
        using var response = await CreateContainerAsync(gateway, user, new
        {
            container_id = containerId,
            redirect_uris = extraRedirectPaths.Select(p => RedirectUri(organizationId, containerId, p)).Prepend(redirectUri).ToArray(),
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /containers answered {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(containerId, body.GetProperty("container_id").GetString());
        return new TestContainer(containerId, body.GetProperty("container_token").GetString()!, body.GetProperty("oauth_client_id").GetString()!, redirectUri);
    }

    public static Task<HttpResponseMessage> DeleteContainerAsync(GatewayHarness gateway, FakeUser? user, string containerId)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, $"/containers/{containerId}");
        Authorize(request, user?.Token);
        return gateway.Http.SendAsync(request);
    }

    /// <summary>The query of a well-formed authorization request for <paramref name="container"/>; tests change single entries.</summary>
    public static Dictionary<string, string?> AuthorizeQuery(TestContainer container, string challenge) => new()
    {
        ["response_type"] = "code",
        ["client_id"] = container.ClientId,
        ["redirect_uri"] = container.RedirectUri,
        ["code_challenge"] = challenge,
        ["code_challenge_method"] = "S256",
        ["state"] = State,
    };

    public static Task<HttpResponseMessage> AuthorizeAsync(GatewayHarness gateway, string? userToken, IDictionary<string, string?> query)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, QueryHelpers.AddQueryString("/oauth/authorize", query.Where(p => p.Value is not null)));
        Authorize(request, userToken);
        return gateway.Http.SendAsync(request);
    }

    /// <summary>Authorizes <paramref name="user"/> for <paramref name="container"/>, asserts the redirect, and returns the code.</summary>
    public static async Task<string> AuthorizeCodeAsync(GatewayHarness gateway, FakeUser user, TestContainer container, string challenge)
    {
        using var response = await AuthorizeAsync(gateway, user.Token, AuthorizeQuery(container, challenge));
        var query = AssertRedirect(response, container.RedirectUri);
        Assert.Equal(State, query["state"]);
        Assert.False(query.ContainsKey("error"), $"authorization failed: {query.GetValueOrDefault("error")}: {query.GetValueOrDefault("error_description")}");
        return query["code"];
    }

    /// <summary>Asserts a 302 to <paramref name="redirectUri"/> and returns the parameters added to it.</summary>
    public static Dictionary<string, string> AssertRedirect(HttpResponseMessage response, string redirectUri)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"expected 302, got {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(redirectUri + "?", location, StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(new Uri(location).Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public static Task<HttpResponseMessage> TokenAsync(GatewayHarness gateway, IEnumerable<KeyValuePair<string, string>> form) =>
        gateway.Http.PostAsync("/oauth/token", new FormUrlEncodedContent(form));

    public static Task<HttpResponseMessage> RedeemAsync(GatewayHarness gateway, TestContainer container, string code, string verifier, string? redirectUri = null) =>
        TokenAsync(gateway, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri ?? container.RedirectUri,
            ["client_id"] = container.ClientId,
            ["code_verifier"] = verifier,
        });

    public static Task<HttpResponseMessage> RefreshAsync(GatewayHarness gateway, TestContainer container, string refreshToken) =>
        TokenAsync(gateway, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["client_id"] = container.ClientId });

    /// <summary>Asserts 200 with a Bearer pair and returns the body.</summary>
    public static async Task<JsonElement> AssertTokensAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /oauth/token answered {(int)response.StatusCode}: {text}");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt64());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("access_token").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("refresh_token").GetString()));
        return body;
    }

    /// <summary>Authorize, then redeem: the token answer.</summary>
    public static async Task<JsonElement> SignInAsync(GatewayHarness gateway, FakeUser user, TestContainer container)
    {
        var (verifier, challenge) = NewPkce();
        var code = await AuthorizeCodeAsync(gateway, user, container, challenge);
        using var response = await RedeemAsync(gateway, container, code, verifier);
        return await AssertTokensAsync(response);
    }

    public static Task<HttpResponseMessage> IntrospectAsync(GatewayHarness gateway, string? containerToken, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/authenticate")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }),
        };
        Authorize(request, containerToken);
        return gateway.Http.SendAsync(request);
    }

    /// <summary>Introspects as <paramref name="container"/> and asserts 200.</summary>
    public static async Task<JsonElement> IntrospectOkAsync(GatewayHarness gateway, TestContainer container, string token)
    {
        using var response = await IntrospectAsync(gateway, container.Token, token);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /oauth/authenticate answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an OAuth error: problem+json carrying RFC 6749's error code.</summary>
    public static async Task<JsonElement> AssertOAuthErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var problem = await Infrastructure.Problems.AssertProblemAsync(response, status, "oauth-" + error.Replace('_', '-'));
        Assert.Equal(error, problem.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("error_description").GetString()));
        return problem;
    }

    /// <summary>The organization's gateway_state as the control plane last stored it.</summary>
    public static JsonElement StoredState(GatewayHarness gateway, string organizationId) =>
        gateway.ControlPlane.Data(organizationId)?.GatewayState ?? throw new InvalidOperationException($"No gateway_state stored for {organizationId}.");

    private static void Authorize(HttpRequestMessage request, string? token)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

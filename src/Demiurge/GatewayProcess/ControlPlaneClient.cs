using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Demiurge.Hosting;
using Microsoft.Extensions.Options;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The worker's calls to the control plane (<c>/gateway/*</c>, see docs/gateway-protocol.md, and
/// <c>/users/me</c> to learn who a user token belongs to).
/// Every call ends in a <see cref="ControlPlaneResult{T}"/>; only cancellation by the caller throws.
/// </summary>
internal sealed class ControlPlaneClient : IDisposable
{
    private const int MaxDetailLength = 500;

    private static readonly JsonSerializerOptions s_json = CreateJsonOptions();

    private readonly HttpClient _http;
    private readonly GatewayProcessOptions _options;

    public ControlPlaneClient(IOptions<GatewayProcessOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        // A base address without a trailing slash would drop its last path segment.
        var baseAddress = _options.ControlPlane.AbsoluteUri.EndsWith('/') ? _options.ControlPlane : new Uri(_options.ControlPlane.AbsoluteUri + "/");
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            BaseAddress = baseAddress,
            Timeout = _options.RequestTimeout,
        };
    }

    public Task<ControlPlaneResult<ReadyAnswer>> ReadyAsync(CancellationToken cancellationToken) =>
        SendAsync<ReadyAnswer>(HttpMethod.Post, "gateway/ready", _options.GatewayToken, Json(new ReadyBody(_options.GatewayId)), readAnswer: true, cancellationToken);

    public Task<ControlPlaneResult<ConfigAnswer>> ConfigAsync(string handshakeToken, CancellationToken cancellationToken) =>
        SendAsync<ConfigAnswer>(HttpMethod.Post, "gateway/config", null, Json(new ConfigBody(handshakeToken)), readAnswer: true, cancellationToken);

    public Task<ControlPlaneResult<PullAnswer>> PullAsync(string allocationToken, string organizationId, CancellationToken cancellationToken) =>
        SendAsync<PullAnswer>(HttpMethod.Post, "gateway/data/pull", allocationToken, Json(new OrganizationBody(organizationId)), readAnswer: true, cancellationToken);

    public Task<ControlPlaneResult<PushAnswer>> PushAsync(string allocationToken, PushBody body, CancellationToken cancellationToken) =>
        SendAsync<PushAnswer>(HttpMethod.Post, "gateway/data/push", allocationToken, Json(body), readAnswer: true, cancellationToken);

    /// <summary>The answer has no body worth reading; only the status counts.</summary>
    public Task<ControlPlaneResult<object>> StopAsync(string allocationToken, string organizationId, CancellationToken cancellationToken) =>
        SendAsync<object>(HttpMethod.Post, "gateway/stop", allocationToken, Json(new OrganizationBody(organizationId)), readAnswer: false, cancellationToken);

    /// <summary>Who <paramref name="userToken"/> belongs to (<c>GET /users/me</c> with it); 401 when it is no user's.</summary>
    public Task<ControlPlaneResult<UserAnswer>> MeAsync(string userToken, CancellationToken cancellationToken) =>
        SendAsync<UserAnswer>(HttpMethod.Get, "users/me", userToken, null, readAnswer: true, cancellationToken);

    public void Dispose() => _http.Dispose();

    private static JsonContent Json<TBody>(TBody body) => JsonContent.Create(body, options: s_json);

    private async Task<ControlPlaneResult<TAnswer>> SendAsync<TAnswer>(
        HttpMethod method, string path, string? bearer, HttpContent? content, bool readAnswer, CancellationToken cancellationToken)
        where TAnswer : class
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var (detail, currentVersion) = await ProblemDetailAsync(response, cancellationToken);
                return new(Classify(response.StatusCode), null, status, detail) { CurrentVersion = currentVersion };
            }

            if (!readAnswer)
            {
                return new(ControlPlaneStatus.Success, null, status, "OK");
            }

            var answer = await response.Content.ReadFromJsonAsync<TAnswer>(s_json, cancellationToken);
            return answer is null
                ? new(ControlPlaneStatus.Refused, null, status, $"The answer to {method} /{path} was empty.")
                : new(ControlPlaneStatus.Success, answer, status, "OK");
        }
        catch (JsonException exception)
        {
            return new(ControlPlaneStatus.Refused, null, null, $"The answer to {method} /{path} is not what the protocol says: {exception.Message}");
        }
        catch (HttpRequestException exception)
        {
            return new(ControlPlaneStatus.Unreachable, null, null, $"{method} /{path} failed: {exception.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(ControlPlaneStatus.Unreachable, null, null, $"{method} /{path} had no answer within {_options.RequestTimeout.TotalSeconds:0.###} s.");
        }
    }

    private static ControlPlaneStatus Classify(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => ControlPlaneStatus.Unauthorized,
        HttpStatusCode.Conflict => ControlPlaneStatus.Conflict,
        _ => ControlPlaneStatus.Refused,
    };

    /// <summary>The problem's detail (or title), else the start of the body, else the reason phrase.</summary>
    private static async Task<(string Detail, long? CurrentVersion)> ProblemDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            text = string.Empty;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            long? currentVersion = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("current_version", out var version)
                && version.ValueKind == JsonValueKind.Number && version.TryGetInt64(out var number)
                ? number
                : null;
            foreach (var name in (string[])["detail", "title"])
            {
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return (Truncate(value.GetString()!), currentVersion);
                }
            }
        }
        catch (JsonException)
        {
            // Not problem+json: fall back to the raw text.
        }

        return (string.IsNullOrWhiteSpace(text) ? response.ReasonPhrase ?? "no detail" : Truncate(text), null);
    }

    private static string Truncate(string text) => text.Length <= MaxDetailLength ? text : text[..MaxDetailLength] + "...";

    /// <summary>
    /// The API's snake_case, read strictly where it matters (required fields must be there and
    /// not null) but tolerant of fields the control plane may add later. Dictionary keys are
    /// project ids, which are data, so no naming policy touches them.
    /// </summary>
    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions();
        ApiExtensions.ConfigureJson(options);
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        options.DictionaryKeyPolicy = null;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

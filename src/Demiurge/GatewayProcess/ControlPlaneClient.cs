using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Protocol;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The worker's calls to the control plane (<see cref="GatewayPaths"/>, see docs/gateway-protocol.md, and
/// <see cref="GatewayPaths.Me"/> to learn who a user token belongs to).
/// Every call ends in a <see cref="ControlPlaneResult{T}"/>; only cancellation by the caller throws.
/// With several control planes, the worker knows them all (the leader's pings name them) and a
/// call that cannot connect to one goes to the next.
/// </summary>
internal sealed partial class ControlPlaneClient : IDisposable
{
    /// <summary>Most control planes a worker keeps (a longer list is cut).</summary>
    public const int MaxControlPlanes = 16;

    private const int MaxDetailLength = 500;

    private readonly HttpClient _http;
    private readonly GatewayProcessOptions _options;
    private readonly ILogger<ControlPlaneClient> _logger;

    // The control plane that answered last comes first; replaced whole, never changed in place.
    private Uri[] _controlPlanes;

    public ControlPlaneClient(IOptions<GatewayProcessOptions> options, ILogger<ControlPlaneClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _controlPlanes = [BaseAddress(_options.ControlPlane)];
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            Timeout = _options.RequestTimeout,
        };
    }

    /// <summary>The control planes this worker calls, in the order it tries them.</summary>
    public IReadOnlyList<Uri> ControlPlanes => Volatile.Read(ref _controlPlanes);

    /// <summary>
    /// Takes the list of <see cref="GatewayHeaders.ControlPlanes"/>; false (and nothing changes) unless it
    /// names one to at most <see cref="MaxControlPlanes"/> http(s) URLs.
    /// </summary>
    public bool UseControlPlanes(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var urls = new List<Uri>();
        foreach (var part in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var url) || GatewayProcessOptionsValidator.ControlPlaneError(url) is not null)
            {
                return false;
            }

            urls.Add(BaseAddress(url));
        }

        if (urls.Count is 0 or > MaxControlPlanes)
        {
            return false;
        }

        Uri[] next = [.. urls.Distinct()];
        if (!next.SequenceEqual(Interlocked.Exchange(ref _controlPlanes, next)))
        {
            LogControlPlanes(_logger, next);
        }

        return true;
    }

    public Task<ControlPlaneResult<GatewayReadyResponse>> ReadyAsync(CancellationToken cancellationToken) =>
        SendAsync<GatewayReadyResponse>(HttpMethod.Post, GatewayPaths.Ready, _options.GatewayToken,
            () => ProtocolJson.Content(new GatewayReadyRequest { GatewayId = _options.GatewayId }), readAnswer: true, cancellationToken);

    public Task<ControlPlaneResult<GatewayConfigResponse>> ConfigAsync(string handshakeToken, CancellationToken cancellationToken) =>
        SendAsync<GatewayConfigResponse>(HttpMethod.Post, GatewayPaths.Config, null,
            () => ProtocolJson.Content(new GatewayConfigRequest { HandshakeToken = handshakeToken }), readAnswer: true, cancellationToken);

    public Task<ControlPlaneResult<DataPullResponse>> PullAsync(string allocationToken, string organizationId, CancellationToken cancellationToken) =>
        SendAsync<DataPullResponse>(HttpMethod.Post, GatewayPaths.DataPull, allocationToken,
            () => ProtocolJson.Content(new OrganizationRequest { OrganizationId = organizationId }), readAnswer: true, cancellationToken);

    public Task<ControlPlaneResult<DataPushResponse>> PushAsync(string allocationToken, DataPushRequest body, CancellationToken cancellationToken) =>
        SendAsync<DataPushResponse>(HttpMethod.Post, GatewayPaths.DataPush, allocationToken, () => ProtocolJson.Content(body), readAnswer: true, cancellationToken);

    /// <summary>How many bytes <paramref name="value"/> takes in a request body, as this client writes it (escapes included).</summary>
    public static long JsonSize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, ProtocolJson.Options).LongLength;

    /// <summary>The answer has no body worth reading; only the status counts.</summary>
    public Task<ControlPlaneResult<object>> StopAsync(string allocationToken, string organizationId, CancellationToken cancellationToken) =>
        SendAsync<object>(HttpMethod.Post, GatewayPaths.Stop, allocationToken,
            () => ProtocolJson.Content(new OrganizationRequest { OrganizationId = organizationId }), readAnswer: false, cancellationToken);

    /// <summary>Who <paramref name="userToken"/> belongs to (<see cref="GatewayPaths.Me"/> with it); 401 when it is no user's.</summary>
    public Task<ControlPlaneResult<UserIdentity>> MeAsync(string userToken, CancellationToken cancellationToken) =>
        SendAsync<UserIdentity>(HttpMethod.Get, GatewayPaths.Me, userToken, static () => null, readAnswer: true, cancellationToken);

    public void Dispose() => _http.Dispose();

    // A base address without a trailing slash would drop its last path segment.
    private static Uri BaseAddress(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");

    private async Task<ControlPlaneResult<TAnswer>> SendAsync<TAnswer>(
        HttpMethod method, string path, string? bearer, Func<HttpContent?> content, bool readAnswer, CancellationToken cancellationToken)
        where TAnswer : class
    {
        var controlPlanes = Volatile.Read(ref _controlPlanes);
        for (var i = 0; ; i++)
        {
            try
            {
                return await SendAsync<TAnswer>(controlPlanes[i], method, path, bearer, content(), readAnswer, cancellationToken);
            }
            catch (HttpRequestException exception) when (exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError && i + 1 < controlPlanes.Length)
            {
                // Not even connected, so nothing was sent: the next control plane can take the same call.
                LogFailover(_logger, controlPlanes[i], controlPlanes[i + 1], exception.Message);
            }
            catch (HttpRequestException exception)
            {
                return new(ControlPlaneStatus.Unreachable, null, null, $"{method} {path} failed: {exception.Message}");
            }
        }
    }

    /// <summary>One call to one control plane, which goes first from now on if it answers.</summary>
    private async Task<ControlPlaneResult<TAnswer>> SendAsync<TAnswer>(
        Uri controlPlane, HttpMethod method, string path, string? bearer, HttpContent? content, bool readAnswer, CancellationToken cancellationToken)
        where TAnswer : class
    {
        // Relative to the control plane's URL, whose path it may have.
        using var request = new HttpRequestMessage(method, new Uri(controlPlane, path.TrimStart('/'))) { Content = content };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            PutFirst(controlPlane);
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

            var answer = await response.Content.ReadFromJsonAsync<TAnswer>(ProtocolJson.Options, cancellationToken);
            return answer is null
                ? new(ControlPlaneStatus.Refused, null, status, $"The answer to {method} {path} was empty.")
                : new(ControlPlaneStatus.Success, answer, status, "OK");
        }
        catch (JsonException exception)
        {
            return new(ControlPlaneStatus.Refused, null, null, $"The answer to {method} {path} is not what the protocol says: {exception.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Not tried elsewhere: the call may have been carried out, and only the answer lost.
            return new(ControlPlaneStatus.Unreachable, null, null, $"{method} {path} had no answer within {_options.RequestTimeout.TotalSeconds:0.###} s.");
        }
    }

    private void PutFirst(Uri controlPlane)
    {
        var current = Volatile.Read(ref _controlPlanes);
        if (current[0] != controlPlane && current.Contains(controlPlane))
        {
            // Lost to a new list from a ping: that one wins.
            Interlocked.CompareExchange(ref _controlPlanes, [controlPlane, .. current.Where(url => url != controlPlane)], current);
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

    [LoggerMessage(EventId = 4070, Level = LogLevel.Warning, Message = "Control plane {Failed} cannot be reached ({Reason}); trying {Next}")]
    private static partial void LogFailover(ILogger logger, Uri failed, Uri next, string reason);

    [LoggerMessage(EventId = 4071, Level = LogLevel.Information, Message = "Control planes: {ControlPlanes}")]
    private static partial void LogControlPlanes(ILogger logger, IEnumerable<Uri> controlPlanes);
}

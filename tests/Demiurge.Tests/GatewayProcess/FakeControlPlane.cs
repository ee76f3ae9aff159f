using System.Net;
using System.Text.Json;
using Demiurge.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>
/// A stand-in for the control plane's five <c>/gateway/*</c> endpoints (docs/gateway-protocol.md)
/// and <c>GET /users/me</c>, on Kestrel on a loopback port, speaking the protocol's own records
/// (<see cref="Demiurge.Protocol"/>). It keeps the real rules that the
/// gateway relies on (single-use handshake tokens, allocation tokens revoked at stop, a push
/// fenced by its version and merged per project, refused whole over the body limit, for a
/// project that is not the organization's or over its quota, user tokens that are someone's or
/// 401), records every call, and injects faults at this port boundary.
/// </summary>
public sealed class FakeControlPlane : IAsyncDisposable
{
    private static readonly TimeSpan s_waitTimeout = TimeSpan.FromSeconds(20);

    // Answers are written as the control plane's API writes them, nulls included.
    private static readonly JsonSerializerOptions s_answers = CreateAnswerOptions();

    private readonly Lock _lock = new();
    private readonly List<RecordedCall> _calls = [];
    private readonly Dictionary<string, FakeGrant> _byHandshake = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeGrant> _byAllocationToken = new(StringComparer.Ordinal);
    private readonly HashSet<string> _redeemed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _revoked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeOrganizationData> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<int>> _nextFaults = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _alwaysFaults = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeUser> _usersByToken = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refusedProjects = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private WebApplication _app = null!;
    private readonly Dictionary<string, TaskCompletionSource> _gates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _arrivals = new(StringComparer.Ordinal);

    private FakeControlPlane(string gatewayToken, TimeProvider time)
    {
        GatewayToken = gatewayToken;
        _time = time;
    }

    /// <summary>The only token <c>/gateway/ready</c> accepts.</summary>
    public string GatewayToken { get; }

    public Uri Url { get; private set; } = null!;

    /// <param name="gatewayToken">The token <c>/gateway/ready</c> accepts.</param>
    /// <param name="time">Stamps recorded calls; pass the gateway's fake clock to measure its waits.</param>
    public static async Task<FakeControlPlane> StartAsync(string gatewayToken = "gw_test-token-0123456789", TimeProvider? time = null)
    {
        var fake = new FakeControlPlane(gatewayToken, time ?? TimeProvider.System);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ApplicationName = "fake-control-plane" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        foreach (var path in (string[])[GatewayPaths.Ready, GatewayPaths.Config, GatewayPaths.DataPull, GatewayPaths.DataPush, GatewayPaths.Stop])
        {
            app.MapPost(path, fake.HandleAsync);
        }

        app.MapGet(GatewayPaths.Me, fake.HandleMeAsync);

        await app.StartAsync();
        fake._app = app;
        fake.DefaultMember = fake.AddUser("alice");
        fake.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return fake;
    }

    /// <summary>The projects every grant lists unless it names its own: none, as for a new organization.</summary>
    public IReadOnlyList<string> DefaultProjects { get; set; } = [];

    /// <summary>The storage quota every grant has unless it names its own: the platform's default.</summary>
    public long DefaultStorageQuotaBytes { get; set; } = new Demiurge.Gateways.GatewayOptions().OrganizationStorageQuota.Bytes;

    /// <summary>
    /// Issues a handshake token for <paramref name="organizationId"/>, as the allocation saga does.
    /// <paramref name="configExtras"/> adds fields to the config answer, e.g. <c>inactivity_timeout_seconds = null</c>.
    /// <paramref name="projects"/> are the organization's projects (<see cref="DefaultProjects"/> when null).
    /// </summary>
    public FakeGrant Grant(string organizationId, string gatewayId, IReadOnlyDictionary<string, object?>? configExtras = null,
        IReadOnlyList<string>? projects = null, long? storageQuotaBytes = null)
    {
        var grant = new FakeGrant(
            "hs_" + Guid.NewGuid().ToString("N"), Guid.CreateVersion7().ToString(), organizationId, gatewayId,
            "al_" + Guid.NewGuid().ToString("N"), configExtras ?? new Dictionary<string, object?>(), projects ?? DefaultProjects,
            storageQuotaBytes ?? DefaultStorageQuotaBytes);
        lock (_lock)
        {
            _byHandshake[grant.HandshakeToken] = grant;
            _byAllocationToken[grant.AllocationToken] = grant;
        }

        return grant;
    }

    /// <summary>The owner every grant lists unless its config extras name other members.</summary>
    public FakeUser DefaultMember { get; private set; } = null!;

    /// <summary>A user with a token that <c>GET /users/me</c> recognizes.</summary>
    public FakeUser AddUser(string username)
    {
        var user = new FakeUser(Guid.CreateVersion7().ToString(), username, "dmg_" + Guid.NewGuid().ToString("N"));
        lock (_lock)
        {
            _usersByToken[user.Token] = user;
        }

        return user;
    }

    /// <summary>The user's token stops working on the control plane, as when it is revoked.</summary>
    public void RemoveUser(FakeUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        lock (_lock)
        {
            _usersByToken.Remove(user.Token);
        }
    }

    /// <summary>Config extras that list these members, e.g. <c>Members((alice, "owner"), (bob, "member"))</c>.</summary>
    public static Dictionary<string, object?> Members(params (FakeUser User, string Role)[] members) => new()
    {
        ["members"] = members.Select(m => new Dictionary<string, object?> { ["user_id"] = m.User.UserId, ["username"] = m.User.Username, ["role"] = m.Role }).ToList(),
    };

    /// <summary>Stores an organization's data, as earlier pushes would have.</summary>
    public void SetData(string organizationId, long version, IReadOnlyDictionary<string, string> projects, JsonElement? gatewayState = null)
    {
        lock (_lock)
        {
            _data[organizationId] = new FakeOrganizationData(version, new Dictionary<string, string>(projects), gatewayState);
        }
    }

    public FakeOrganizationData? Data(string organizationId)
    {
        lock (_lock)
        {
            return _data.TryGetValue(organizationId, out var data) ? data with { Projects = new Dictionary<string, string>(data.Projects) } : null;
        }
    }

    /// <summary>Ends an allocation from the control plane's side (an admin release): its token stops working for push.</summary>
    public void Revoke(string allocationToken)
    {
        lock (_lock)
        {
            _revoked.Add(allocationToken);
        }
    }

    /// <summary>The next <paramref name="times"/> calls to <paramref name="path"/> answer <paramref name="status"/>.</summary>
    public void FailNext(string path, int status, int times = 1)
    {
        lock (_lock)
        {
            if (!_nextFaults.TryGetValue(path, out var queue))
            {
                _nextFaults[path] = queue = new Queue<int>();
            }

            for (var i = 0; i < times; i++)
            {
                queue.Enqueue(status);
            }
        }
    }

    /// <summary>Every call to <paramref name="path"/> answers <paramref name="status"/>, until cleared with null.</summary>
    public void FailAlways(string path, int? status)
    {
        lock (_lock)
        {
            if (status is { } value)
            {
                _alwaysFaults[path] = value;
            }
            else
            {
                _alwaysFaults.Remove(path);
            }
        }
    }

    /// <summary>Every push that carries <paramref name="projectId"/> is refused for good (422), as for a project deleted meanwhile.</summary>
    public void RefuseProject(string projectId)
    {
        lock (_lock)
        {
            _refusedProjects.Add(projectId);
        }
    }

    /// <summary>Holds <c>/gateway/config</c> answers until the returned source is completed.</summary>
    public TaskCompletionSource HoldConfig() => Hold(GatewayPaths.Config);

    /// <summary>Holds the answers to <paramref name="path"/> until the returned source is completed; faults are injected after it.</summary>
    public TaskCompletionSource Hold(string path)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _gates[path] = gate;
        }

        return gate;
    }

    /// <summary>How many calls to <paramref name="path"/> arrived, answered or still held (<see cref="Hold"/>).</summary>
    public int Arrivals(string path)
    {
        lock (_lock)
        {
            return _arrivals.GetValueOrDefault(path);
        }
    }

    public IReadOnlyList<RecordedCall> Calls(string? path = null)
    {
        lock (_lock)
        {
            return [.. _calls.Where(c => path is null || c.Path == path)];
        }
    }

    /// <summary>Waits (in real time) until <paramref name="path"/> was called <paramref name="count"/> times; returns that call.</summary>
    public async Task<RecordedCall> WaitForCallAsync(string path, int count = 1)
    {
        using var timeout = new CancellationTokenSource(s_waitTimeout);
        while (!timeout.IsCancellationRequested)
        {
            var calls = Calls(path);
            if (calls.Count >= count)
            {
                return calls[count - 1];
            }

            await Task.Delay(10, CancellationToken.None);
        }

        throw new TimeoutException($"{path} was called {Calls(path).Count} time(s), not {count}. Calls: {string.Join(", ", Calls().Select(c => $"{c.Path}={c.Status}"))}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = JsonSerializer.Deserialize<JsonElement>(buffer.ToArray());
        var header = context.Request.Headers.Authorization.ToString();
        var bearer = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;

        TaskCompletionSource? gate;
        lock (_lock)
        {
            _arrivals[path] = _arrivals.GetValueOrDefault(path) + 1;
            gate = _gates.GetValueOrDefault(path);
        }

        if (gate is not null)
        {
            await gate.Task;
        }

        int status;
        object? answer;
        lock (_lock)
        {
            (status, answer) = InjectedFault(path) is { } fault
                ? (fault, Problem(fault, "injected fault"))
                : path switch
                {
                    GatewayPaths.Ready => Ready(bearer, Read<GatewayReadyRequest>(body)),
                    GatewayPaths.Config => Config(Read<GatewayConfigRequest>(body)),
                    GatewayPaths.DataPull => Pull(bearer, Read<OrganizationRequest>(body)),
                    GatewayPaths.DataPush => Push(bearer, body, buffer.Length),
                    _ => Stop(bearer, Read<OrganizationRequest>(body)),
                };
            _calls.Add(new RecordedCall(path, bearer, body, status, _time.GetUtcNow()));
        }

        context.Response.StatusCode = status;
        if (answer is not null)
        {
            context.Response.ContentType = status < 400 ? "application/json" : "application/problem+json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(answer, s_answers));
        }
    }

    private async Task HandleMeAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var bearer = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
        int status;
        object? answer;
        lock (_lock)
        {
            (status, answer) = InjectedFault(GatewayPaths.Me) is { } fault
                ? (fault, Problem(fault, "injected fault"))
                : bearer is not null && _usersByToken.TryGetValue(bearer, out var user)
                    ? (200, new Dictionary<string, object?> { ["user_id"] = user.UserId, ["username"] = user.Username, ["is_admin"] = false, ["created_at"] = DateTimeOffset.UnixEpoch })
                    : (401, Problem(401, "The bearer token is not valid."));
            _calls.Add(new RecordedCall(GatewayPaths.Me, bearer, default, status, _time.GetUtcNow()));
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = status < 400 ? "application/json" : "application/problem+json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(answer));
    }

    private int? InjectedFault(string path)
    {
        if (_nextFaults.TryGetValue(path, out var queue) && queue.TryDequeue(out var next))
        {
            return next;
        }

        return _alwaysFaults.TryGetValue(path, out var always) ? always : null;
    }

    private (int, object?) Ready(string? bearer, GatewayReadyRequest request) =>
        bearer == GatewayToken
            ? (200, new GatewayReadyResponse(request.GatewayId!, "ready"))
            : (401, Problem(401, "wrong gateway token"));

    private (int, object?) Config(GatewayConfigRequest request)
    {
        if (!_byHandshake.TryGetValue(request.HandshakeToken!, out var grant) || !_redeemed.Add(request.HandshakeToken!))
        {
            return (401, Problem(401, "The handshake token is unknown, already used or expired."));
        }

        var settings = new OrganizationConfig
        {
            OrganizationId = grant.OrganizationId,
            SettingsRevision = 0,
            OrganizationName = "Organization " + grant.OrganizationId[..8],
            Members = [new GatewayMember(DefaultMember.UserId, DefaultMember.Username, "owner")],
            Projects = [.. grant.ProjectIds.Select(id => new GatewayProject(id, "Project " + id[^4..]))],
            StorageQuotaBytes = grant.StorageQuotaBytes,
        };
        // Without nulls, so without durations: the worker's own flags hold unless the extras name them.
        var answer = JsonSerializer.SerializeToNode(new GatewayConfigResponse(settings)
        {
            AllocationId = grant.AllocationId,
            GatewayId = grant.GatewayId,
            GatewayHostname = $"org-{grant.OrganizationId}.demiurge.localhost",
            AllocationToken = grant.AllocationToken,
        }, ProtocolJson.Options)!.AsObject();
        foreach (var (key, value) in grant.ConfigExtras)
        {
            answer[key] = JsonSerializer.SerializeToNode(value);
        }

        return (200, answer);
    }

    private (int, object?) Pull(string? bearer, OrganizationRequest request)
    {
        if (Live(bearer, request.OrganizationId) is not { } grant)
        {
            return (401, Problem(401, "allocation token not valid"));
        }

        var data = _data.GetValueOrDefault(grant.OrganizationId);
        return (200, new DataPullResponse(grant.OrganizationId, data?.Version ?? 0, data is null ? null : DateTimeOffset.UnixEpoch,
            data is null ? null : new OrganizationDataPayload { YjsState = data.Projects, GatewayState = data.GatewayState }));
    }

    private (int, object?) Push(string? bearer, JsonElement body, long bodyBytes)
    {
        if (bodyBytes > DataPushRequest.MaxBytes)
        {
            return (413, Problem(413, $"The request body is {bodyBytes} bytes, over the limit."));
        }

        var request = Read<DataPushRequest>(body);
        if (Live(bearer, request.OrganizationId) is not { } grant)
        {
            return (401, Problem(401, "allocation released"));
        }

        var current = _data.GetValueOrDefault(grant.OrganizationId) ?? new FakeOrganizationData(0, [], null);
        var version = request.Version!.Value;
        if (version != current.Version)
        {
            var conflict = Problem(409, $"The data is at version {current.Version}, not {version}.");
            conflict["current_version"] = current.Version; // as the real control plane answers
            return (409, conflict);
        }

        var projects = new Dictionary<string, string>(current.Projects);
        var unknown = new List<string>();
        foreach (var (projectId, document) in request.Data!.YjsState!)
        {
            projects[projectId] = document;
            if (!grant.ProjectIds.Contains(projectId) || _refusedProjects.Contains(projectId))
            {
                unknown.Add(projectId);
            }
        }

        // Appended as the control plane appends them, merged at once.
        foreach (var (projectId, update) in request.Data.YjsUpdates ?? new Dictionary<string, string>())
        {
            projects[projectId] = Demiurge.Gateways.StoredDocuments.Merge(projects.GetValueOrDefault(projectId), [update])!;
            if (!grant.ProjectIds.Contains(projectId) || _refusedProjects.Contains(projectId))
            {
                unknown.Add(projectId);
            }
        }

        if (unknown.Count > 0)
        {
            var problem = Problem(422, "Not projects of the organization.");
            problem["project_ids"] = unknown;
            return (422, problem);
        }

        var gatewayState = request.Data.GatewayState is { ValueKind: JsonValueKind.Object } state ? state.Clone() : current.GatewayState;
        static long Size(IReadOnlyDictionary<string, string> documents, JsonElement? stateJson) => documents.Values.Sum(d => (long)d.Length) + (stateJson?.GetRawText().Length ?? 0);
        var (used, after) = (Size(current.Projects, current.GatewayState), Size(projects, gatewayState));
        if (after > grant.StorageQuotaBytes && after > used)
        {
            var problem = Problem(413, "Over the organization's storage quota.");
            (problem["type"], problem["quota_bytes"], problem["used_bytes"]) = ("urn:demiurge:problem:storage-quota-exceeded", grant.StorageQuotaBytes, used);
            return (413, problem);
        }

        _data[grant.OrganizationId] = new FakeOrganizationData(current.Version + 1, projects, gatewayState);
        return (200, new DataPushResponse(current.Version + 1, DateTimeOffset.UnixEpoch, 1));
    }

    private (int, object?) Stop(string? bearer, OrganizationRequest request)
    {
        if (bearer is null || !_byAllocationToken.TryGetValue(bearer, out var grant) || grant.OrganizationId != request.OrganizationId)
        {
            return (401, Problem(401, "allocation token never valid"));
        }

        _revoked.Add(bearer);
        return (200, null);
    }

    private FakeGrant? Live(string? bearer, string? organizationId) =>
        bearer is not null && _byAllocationToken.TryGetValue(bearer, out var grant) && !_revoked.Contains(bearer) && grant.OrganizationId == organizationId
            ? grant
            : null;

    private static T Read<T>(JsonElement body) => body.Deserialize<T>(ProtocolJson.Options)!;

    private static JsonSerializerOptions CreateAnswerOptions()
    {
        var options = new JsonSerializerOptions();
        Demiurge.Api.ApiJson.Configure(options);
        return options;
    }

    private static Dictionary<string, object?> Problem(int status, string detail) => new()
    {
        ["type"] = "urn:demiurge:problem:fake",
        ["title"] = "Fake control plane",
        ["status"] = status,
        ["detail"] = detail,
    };
}

using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Common;
using Demiurge.GatewayProcess;
using Demiurge.Protocol;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Demiurge.Tests.GatewayProcess;

/// <summary>
/// A gateway running in this process on Kestrel, against a <see cref="FakeControlPlane"/>, with
/// its clock in the test's hands: autosave and inactivity happen when the test moves the clock.
/// </summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    public const string GatewayId = "gw-test-1";

    /// <summary>Projects that every organization served through <see cref="ServeAsync"/> has, unless the test names others.</summary>
    public const string ProjectA = "0198a0a0-0000-7000-8000-00000000000a";

    public const string ProjectB = "0198a0a0-0000-7000-8000-00000000000b";

    public const string ProjectC = "0198a0a0-0000-7000-8000-00000000000c";

    private static readonly TimeSpan s_waitTimeout = TimeSpan.FromSeconds(20);

    private readonly bool _ownsControlPlane;

    private GatewayHarness(FakeControlPlane controlPlane, bool ownsControlPlane, GatewayHost host, TimeProvider time, HttpClient http)
    {
        ControlPlane = controlPlane;
        _ownsControlPlane = ownsControlPlane;
        Host = host;
        Time = time;
        Http = http;
    }

    public FakeControlPlane ControlPlane { get; }

    public GatewayHost Host { get; }

    /// <summary>The gateway's clock: a <see cref="FakeTimeProvider"/> unless the harness was started on the real one.</summary>
    public TimeProvider Time { get; }

    public FakeTimeProvider FakeTime => (FakeTimeProvider)Time;

    /// <summary>A client for the gateway's own endpoints. It does not follow redirects: those of <c>/oauth/authorize</c> are what tests look at.</summary>
    public HttpClient Http { get; }

    public GatewayWorker Worker => Host.Worker;

    public string GatewayIdInUse => Host.Options.GatewayId;

    /// <summary>
    /// Starts a fake control plane and a gateway. By default: autosave every second, release
    /// after 10 s without activity (both overridable per organization through config), OAuth
    /// cleanup every hour. <paramref name="controlPlane"/> shares another harness's control plane
    /// (with its clock), for a second gateway serving the same organizations; this harness then
    /// leaves it running when disposed. Containers may register any port unless
    /// <paramref name="containerPorts"/> says otherwise: the tests' backends listen on ephemeral ports.
    /// </summary>
    public static async Task<GatewayHarness> StartAsync(
        TimeSpan? autosave = null, TimeSpan? inactivity = null, bool inactivityOff = false, TimeProvider? time = null, Action<FakeControlPlane>? arrange = null,
        TimeSpan? oauthCleanup = null, FakeControlPlane? controlPlane = null, string gatewayId = GatewayId, TimeSpan? requestTimeout = null,
        Demiurge.Common.PortRange? containerPorts = null, Demiurge.GatewayProcess.Rooms.RoomLimits? roomLimits = null)
    {
        time ??= new FakeTimeProvider();
        var ownsControlPlane = controlPlane is null;
        controlPlane ??= await FakeControlPlane.StartAsync(time: time);
        arrange?.Invoke(controlPlane);
        var options = new GatewayProcessOptions
        {
            ControlPlane = controlPlane.Url,
            Port = 0,
            GatewayId = gatewayId,
            GatewayToken = controlPlane.GatewayToken,
            ControlPlaneKeys = TestSigningKey.Keys,
            AutosaveInterval = autosave ?? TimeSpan.FromSeconds(1),
            InactivityTimeout = inactivityOff ? null : inactivity ?? TimeSpan.FromSeconds(10),
            ReadyRetryInitialDelay = TimeSpan.FromMilliseconds(200),
            ReadyRetryMaxDelay = TimeSpan.FromSeconds(2),
            OAuthCleanupInterval = oauthCleanup ?? GatewayProcessOptions.DefaultOAuthCleanupInterval,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10),
            ContainerPorts = containerPorts ?? new Demiurge.Common.PortRange(1, 65535),
            // Rooms save on the autosave's beat here: the tests' tick stays the autosave's (a quarter of the save delay otherwise).
            RoomLimits = roomLimits ?? Demiurge.GatewayProcess.Rooms.RoomLimits.Default with { SaveDelay = TimeSpan.FromSeconds(4), SaveMaxDelay = TimeSpan.FromSeconds(8) },
        };
        var host = GatewayHost.Create(options, time, new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" });
        await host.StartAsync(CancellationToken.None);
        var readyBefore = controlPlane.Calls(GatewayPaths.Ready).Count;
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = host.Url };
        var harness = new GatewayHarness(controlPlane, ownsControlPlane, host, time, http);
        await controlPlane.WaitForCallAsync(GatewayPaths.Ready, readyBefore + 1);
        return harness;
    }

    public TimeSpan Tick => Host.Options.TickInterval;

    /// <summary>Moves the fake clock one tick at a time, <paramref name="ticks"/> times, waiting for the gateway to handle each.</summary>
    public async Task TickAsync(int ticks = 1)
    {
        for (var i = 0; i < ticks; i++)
        {
            var before = Worker.TicksCompleted;
            FakeTime.Advance(Tick);
            await WaitUntilAsync(() => Worker.TicksCompleted > before, "the gateway to handle a tick");
        }
    }

    /// <summary>Moves the fake clock by <paramref name="by"/> in one step, and waits for the tick that follows.</summary>
    public async Task JumpAsync(TimeSpan by)
    {
        var before = Worker.TicksCompleted;
        FakeTime.Advance(by);
        await WaitUntilAsync(() => Worker.TicksCompleted > before, "the gateway to handle a tick");
    }

    /// <summary>
    /// Sends <c>/collab/start</c> for a new grant of <paramref name="organizationId"/> and asserts it
    /// serves. The organization's projects are <see cref="ProjectA"/>, <see cref="ProjectB"/> and
    /// <see cref="ProjectC"/> unless <paramref name="projects"/> names others.
    /// </summary>
    public async Task<FakeGrant> ServeAsync(string organizationId, IReadOnlyDictionary<string, object?>? configExtras = null,
        IReadOnlyList<string>? projects = null, long? storageQuotaBytes = null)
    {
        var grant = ControlPlane.Grant(organizationId, GatewayIdInUse, configExtras, projects ?? [ProjectA, ProjectB, ProjectC], storageQuotaBytes);
        using var response = await StartAsync(grant.HandshakeToken);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/collab/start answered {(int)response.StatusCode}: {body}");
        return grant;
    }

    /// <summary>The control plane's <c>POST /collab/start</c>, signed as the control plane signs it.</summary>
    public async Task<HttpResponseMessage> StartAsync(string handshakeToken) =>
        await Http.SendAsync(await SignedAsync(new HttpRequestMessage(HttpMethod.Post, GatewayPaths.Start) { Content = ProtocolJson.Content(new CollabStartRequest(handshakeToken)) }));

    /// <summary>The control plane's <c>POST /collab/release</c>, signed.</summary>
    public async Task<HttpResponseMessage> ReleaseAsync() =>
        await Http.SendAsync(await SignedAsync(new HttpRequestMessage(HttpMethod.Post, GatewayPaths.Release)));

    /// <summary>A request signed as the control plane signs its calls to this gateway.</summary>
    public Task<HttpRequestMessage> AsControlPlaneAsync(HttpMethod method, string path, HttpContent? content = null) =>
        SignedAsync(new HttpRequestMessage(method, path) { Content = content });

    /// <summary><paramref name="request"/> with the control plane's signature for this gateway, at the gateway's time.</summary>
    public Task<HttpRequestMessage> SignedAsync(HttpRequestMessage request) => TestSigningKey.SignAsync(request, GatewayIdInUse, Time.GetUtcNow());

    /// <summary>A request carrying the grants' default member's token, for the members-only endpoints.</summary>
    public HttpRequestMessage AsMember(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ControlPlane.DefaultMember.Token);
        return request;
    }

    /// <summary>Writes a project document as <paramref name="user"/>, the grants' default member when null.</summary>
    public Task<HttpResponseMessage> PutStateAsync(string projectId, string base64, FakeUser? user = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/projects/{projectId}/state") { Content = JsonContent.Create(new { state = base64 }) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (user ?? ControlPlane.DefaultMember).Token);
        return Http.SendAsync(request);
    }

    public async Task<string?> GetStateAsync(string projectId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/projects/{projectId}/state");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ControlPlane.DefaultMember.Token);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET state answered {(int)response.StatusCode}: {body}");
        var state = JsonDocument.Parse(body).RootElement.GetProperty("state");
        return state.ValueKind == JsonValueKind.Null ? null : state.GetString();
    }

    public Task<JsonElement> PingAsync() => Http.GetFromJsonAsync<JsonElement>(GatewayPaths.Ping);

    /// <summary>The leader's ping with the control planes to call: signed, unless <paramref name="signature"/> replaces the signature.</summary>
    public async Task<HttpResponseMessage> PingAsync(string? controlPlanes, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, GatewayPaths.Ping);
        if (controlPlanes is not null)
        {
            request.Headers.Add(Demiurge.Protocol.GatewayHeaders.ControlPlanes, controlPlanes);
        }

        if (signature is null)
        {
            await SignedAsync(request);
        }
        else
        {
            request.Headers.Add(Demiurge.Protocol.GatewayHeaders.Signature, signature);
        }

        return await Http.SendAsync(request);
    }

    public Task<JsonElement> ActivityAsync() => Http.GetFromJsonAsync<JsonElement>(GatewayPaths.Activity);

    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(s_waitTimeout);
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(5, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.StopAsync(CancellationToken.None);
        await Host.DisposeAsync();
        if (_ownsControlPlane)
        {
            await ControlPlane.DisposeAsync();
        }
    }
}

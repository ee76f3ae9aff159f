using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Demiurge.Tests.Gateways;

/// <summary>
/// A minimal peer of the gateway protocol for control-plane tests: it redeems handshakes and
/// pulls like a worker, and can be told to fail. The real worker is tested end to end elsewhere.
/// </summary>
public sealed class TestWorker : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _controlPlane;

    private TestWorker(WebApplication app, HttpClient controlPlane)
    {
        _app = app;
        _controlPlane = controlPlane;
    }

    public Uri Address { get; private set; } = null!;

    public int Port => Address.Port;

    /// <summary>Answer /collab/start with this status instead of doing the handshake.</summary>
    public HttpStatusCode? FailHandshakeWith { get; set; }

    /// <summary>Wait this long before handshaking, e.g. so that a caller gives up mid-saga.</summary>
    public TimeSpan HandshakeDelay { get; set; }

    public string? LastHandshakeToken { get; private set; }

    public JsonElement? Config { get; private set; }

    public string? AllocationToken => Config?.GetProperty("allocation_token").GetString();

    public int Handshakes { get; private set; }

    public static async Task<TestWorker> StartAsync(Uri controlPlane)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var worker = new TestWorker(app, new HttpClient { BaseAddress = controlPlane });
        app.MapGet(GatewayPaths.Ping, () => Results.Json(new PingResponse("test-worker", GatewayWorkerState.Idle, null, null), ProtocolJson.Options));
        app.MapPost(GatewayPaths.Start, (Delegate)worker.HandshakeAsync);
        await app.StartAsync();
        worker.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return worker;
    }

    private async Task<IResult> HandshakeAsync(HttpContext context)
    {
        Handshakes++;
        await Task.Delay(HandshakeDelay);
        if (FailHandshakeWith is { } status)
        {
            return Results.StatusCode((int)status);
        }

        LastHandshakeToken = (await context.Request.ReadFromJsonAsync<CollabStartRequest>(ProtocolJson.Options))!.HandshakeToken;
        using var config = await _controlPlane.PostAsync(GatewayPaths.Config, ProtocolJson.Content(new GatewayConfigRequest { HandshakeToken = LastHandshakeToken }));
        if (!config.IsSuccessStatusCode)
        {
            return Results.StatusCode(StatusCodes.Status502BadGateway);
        }

        Config = await config.Content.ReadFromJsonAsync<JsonElement>();
        var organizationId = Config.Value.GetProperty("organization_id").GetString()!;
        using var pull = await PostAsync(GatewayPaths.DataPull, new OrganizationRequest { OrganizationId = organizationId });
        return pull.IsSuccessStatusCode
            ? Results.Json(new CollabStartResponse(Config.Value.GetProperty("allocation_id").GetString()!, organizationId), ProtocolJson.Options)
            : Results.StatusCode(StatusCodes.Status502BadGateway);
    }

    /// <summary>Calls the control plane with the allocation token, as a worker would.</summary>
    /// <param name="path">The control plane's endpoint.</param>
    /// <param name="body">The JSON body.</param>
    /// <param name="token">The bearer token; the allocation token when null.</param>
    /// <param name="expectContinue">Ask before sending the body, so a refusal (413) arrives before the upload.</param>
    public Task<HttpResponseMessage> PostAsync(string path, object body, string? token = null, bool expectContinue = false)
    {
        // A sized body (Content-Length), so the server can refuse an oversized one before it is sent.
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, ProtocolJson.Options));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? AllocationToken);
        request.Headers.ExpectContinue = expectContinue;
        return _controlPlane.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        _controlPlane.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

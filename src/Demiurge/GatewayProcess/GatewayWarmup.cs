using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Demiurge.GatewayProcess;

/// <summary>
/// Runs the gateway's own request paths once before it reports ready, so that the first
/// organization does not pay for the JIT and first-use setup of Kestrel, routing, JSON and
/// problem details (a fresh worker's first allocation took ~250 ms against ~20 ms warm).
/// </summary>
internal sealed partial class GatewayWarmup(IServer server, ILogger<GatewayWarmup> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var address = new Uri(server.Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var ping = await http.GetAsync("/collab/ping", cancellationToken);
            using var activity = await http.GetAsync("/gateway/activity", cancellationToken);

            // Refused without the control plane's credential, before the control plane is called: binding and problem details only.
            using var body = new StringContent("""{"handshake_token":""}""", System.Text.Encoding.UTF8, "application/json");
            using var start = await http.PostAsync("/collab/start", body, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // A warm-up that fails costs only speed.
            LogWarmupFailed(logger, exception);
        }
    }

    [LoggerMessage(EventId = 4090, Level = LogLevel.Warning, Message = "Gateway warm-up failed; the first allocation will be slower")]
    private static partial void LogWarmupFailed(ILogger logger, Exception exception);
}

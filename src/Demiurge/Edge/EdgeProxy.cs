using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Demiurge.Edge;

/// <summary>
/// The embedded edge's only endpoint, in the shape of YARP's direct-forwarding sample: find the
/// route by host in <see cref="EdgeRouteTable"/>, pick one of its destinations by weight and hand
/// the request to <see cref="IHttpForwarder"/> (HTTP/1.1, HTTP/2 and WebSockets alike). A request
/// stays with the destination it was given, so one that starts draining finishes what it has. The
/// original Host goes to the destination (a gateway's stage-2 routing needs it), with
/// X-Forwarded-For, -Proto and -Host set by the edge (never trusted from clients).
/// </summary>
internal sealed partial class EdgeProxy : IDisposable
{
    private static readonly ForwarderRequestConfig s_requestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(100) };

    private readonly IHttpForwarder _forwarder;
    private readonly EdgeRouteTable _table;
    private readonly ILogger<EdgeProxy> _logger;
    private readonly HttpTransformer _transformer;
    private readonly HttpMessageInvoker _client = ForwarderClient.Create();

    public EdgeProxy(IHttpForwarder forwarder, EdgeRouteTable table, ITransformBuilder transforms, ILogger<EdgeProxy> logger)
    {
        _forwarder = forwarder;
        _table = table;
        _logger = logger;
        _transformer = transforms.Create(context =>
        {
            context.AddOriginalHost(useOriginal: true);
            context.AddXForwarded(ForwardedTransformActions.Set);
        });
    }

    public async Task ForwardAsync(HttpContext context)
    {
        var host = context.Request.Host.Host;
        var route = _table.Find(host);
        if (route is null)
        {
            await ApiProblems.Problem(StatusCodes.Status404NotFound, "Unknown host",
                $"Nothing serves '{host}' on this edge; an organization's gateway may have been released after inactivity. Open a project of the organization to start it again.", "edge-unknown-host")
                .ExecuteAsync(context);
            return;
        }

        if (route.Pick() is not { } destination)
        {
            await ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "Draining",
                $"Every destination of '{host}' is draining: it takes no new requests.", "edge-draining")
                .ExecuteAsync(context);
            return;
        }

        var error = await _forwarder.SendAsync(context, destination.AbsoluteUri, _client, s_requestConfig, _transformer);
        if (error is ForwarderError.None || context.Response.HasStarted)
        {
            return;
        }

        // The client went away: nothing to answer, and nothing wrong with the destination.
        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled)
        {
            return;
        }

        var exception = context.GetForwarderErrorFeature()?.Exception;
        LogForwardFailed(_logger, host, destination, error, exception?.Message);

        var (status, title) = error is ForwarderError.RequestTimedOut
            ? (StatusCodes.Status504GatewayTimeout, "Gateway timed out")
            : (StatusCodes.Status502BadGateway, "Gateway unavailable");
        await ApiProblems.Problem(status, title, $"{destination.Authority}, serving '{host}', did not answer ({error}: {exception?.Message ?? "no detail"}).", "edge-bad-gateway")
            .ExecuteAsync(context);
    }

    public void Dispose() => _client.Dispose();

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Edge could not forward {Host} to {Destination}: {Error} {Reason}")]
    private static partial void LogForwardFailed(ILogger logger, string host, Uri destination, ForwarderError error, string? reason);
}

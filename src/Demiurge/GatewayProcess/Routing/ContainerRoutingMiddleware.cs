using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Demiurge.GatewayProcess.Routing;

/// <summary>
/// Stage 2, ahead of the gateway's own endpoints. A request for <c>uc-{container_id}.{gateway_hostname}</c>
/// is forwarded to the endpoint its container registered; one for a name of an organization this
/// gateway does not serve now (a stale edge route, say) is refused with 421 and never forwarded
/// nor answered with another organization's data. Other names reach the gateway's endpoints as before.
/// </summary>
/// <remarks>
/// A forwarded request is user activity: someone is using the organization's container, and
/// releasing the organization would take that container's name away from under them. It re-arms
/// the inactivity timer when it starts and when it ends, and the organization is not released
/// while one is open (a WebSocket to a terminal, say). <see cref="ContainerForwarder.ActivityTimeout"/>
/// bounds how long an idle one can hold it.
/// </remarks>
internal sealed partial class ContainerRoutingMiddleware(
    RequestDelegate next, GatewayWorker worker, ContainerForwarder forwarder, ILogger<ContainerRoutingMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return HostNames.Classify(context.Request.Host.Host, out var containerLabel, out var organizationHost) switch
        {
            HostKind.Container => ForwardAsync(context, containerLabel, organizationHost),
            HostKind.Organization when !IsServed(organizationHost) => MisdirectedAsync(context, organizationHost),
            _ => next(context),
        };
    }

    private bool IsServed(string organizationHost) =>
        worker.TryWithSession((session, _) => IsServed(session, organizationHost), out var served) && served;

    private static bool IsServed(OrganizationSession session, string organizationHost) =>
        organizationHost.Equals(session.Managers.GatewayHostname, StringComparison.OrdinalIgnoreCase);

    private async Task ForwardAsync(HttpContext context, string containerLabel, string organizationHost)
    {
        if (forwarder.IsLoop(context))
        {
            LogLoop(logger, containerLabel);
            await ApiProblems.WriteAsync(context, StatusCodes.Status508LoopDetected, "Loop detected",
                $"This gateway forwarded this request already: container '{containerLabel}' is registered at an address that leads back to it.", "loop-detected");
            return;
        }

        if (!worker.TryWithSession((session, now) => Begin(session, now, context, containerLabel, organizationHost), out var lookup)
            || lookup!.Outcome == ContainerLookupOutcome.OtherOrganization)
        {
            await MisdirectedAsync(context, organizationHost);
            return;
        }

        if (lookup.Outcome == ContainerLookupOutcome.NotRegistered)
        {
            await ApiProblems.WriteAsync(context, StatusCodes.Status404NotFound, "Container not found",
                $"No running container of this organization is registered as '{containerLabel}'.", "container-not-found");
            return;
        }

        // The container sets its own limits on what it accepts (uploads to Jupyter, say); the
        // gateway streams the body through and never holds it, so its API's limit does not apply.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = null;
        }

        ForwarderError error;
        try
        {
            error = await forwarder.SendAsync(context, lookup.Destination!);
        }
        finally
        {
            End(lookup);
        }

        if (error == ForwarderError.None)
        {
            return;
        }

        var exception = context.GetForwarderErrorFeature()?.Exception;
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            LogForwardCutShort(logger, exception, containerLabel, error);
            return;
        }

        // YARP has chosen the status: 502 when the container cannot be reached or answers badly,
        // 504 when it does not answer in time, 400 when the client's body could not be read.
        LogForwardFailed(logger, exception, containerLabel, lookup.Destination!, error);
        var status = context.Response.StatusCode;
        var (title, detail, type) = status switch
        {
            StatusCodes.Status504GatewayTimeout => ("Container timed out", $"Container '{containerLabel}' did not answer in time.", "container-timeout"),
            StatusCodes.Status400BadRequest => ("Bad request body", "The request body could not be read from the client.", "bad-request"),
            _ => ("Container unreachable", $"Container '{containerLabel}' is registered but did not answer ({error}); it may have stopped.", "container-unreachable"),
        };
        await ApiProblems.WriteAsync(context, status, title, detail, type);
    }

    private static ContainerLookup Begin(OrganizationSession session, DateTimeOffset now, HttpContext context, string containerLabel, string organizationHost)
    {
        if (!IsServed(session, organizationHost))
        {
            return ContainerLookup.OtherOrganization;
        }

        if (session.Routes.Get(containerLabel) is not { } route)
        {
            return ContainerLookup.NotRegistered;
        }

        session.Touch(now);
        return new ContainerLookup(ContainerLookupOutcome.Forward, session, route.Destination, session.Routes.Begin(context));
    }

    /// <summary>
    /// The request ended: it is activity until its last byte, so the timer is re-armed (when its
    /// organization is still served) before the request stops counting as open, lest a release
    /// slip in between. It stops counting whatever the worker's state: a release under way may yet fail.
    /// </summary>
    private void End(ContainerLookup lookup)
    {
        lookup.Registration.Dispose();
        var session = lookup.Session!;
        worker.TryWithSession((current, now) => Touch(current, now, session), out _);
        session.Routes.End();
    }

    private static bool Touch(OrganizationSession current, DateTimeOffset now, OrganizationSession session)
    {
        if (current != session)
        {
            return false;
        }

        current.Touch(now);
        return true;
    }

    /// <summary>421 (RFC 9110, 15.5.20): this gateway cannot answer for that name. Says nothing of the organization it does serve.</summary>
    private static Task MisdirectedAsync(HttpContext context, string organizationHost) =>
        ApiProblems.WriteAsync(context, StatusCodes.Status421MisdirectedRequest, "Misdirected request",
            $"This gateway does not serve {organizationHost} now; nothing was forwarded. If the organization was just moved, try again.", "misdirected");

    [LoggerMessage(EventId = 4060, Level = LogLevel.Warning, Message = "Stage 2 could not forward a request to container {ContainerId} at {Destination}: {Error}")]
    private static partial void LogForwardFailed(ILogger logger, Exception? exception, string containerId, string destination, ForwarderError error);

    [LoggerMessage(EventId = 4061, Level = LogLevel.Debug, Message = "Stage 2 request to container {ContainerId} ended early: {Error}")]
    private static partial void LogForwardCutShort(ILogger logger, Exception? exception, string containerId, ForwarderError error);

    [LoggerMessage(EventId = 4062, Level = LogLevel.Warning, Message = "Stage 2 refused a request that came back to this gateway: container {ContainerId} is registered at an address that leads to it")]
    private static partial void LogLoop(ILogger logger, string containerId);
}

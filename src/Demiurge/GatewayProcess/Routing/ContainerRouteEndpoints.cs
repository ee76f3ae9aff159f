using Demiurge.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Demiurge.GatewayProcess.Routing;

/// <summary>
/// Stage 2's registration: a running container tells the gateway where it listens, with its own
/// container token (<c>POST /containers</c> issued it). Only the container itself can register
/// or remove its endpoint, and only in the organization the gateway serves now: its tokens live
/// in that organization's session. A container is a machine, not a user, so this is not activity.
/// </summary>
internal static class ContainerRouteEndpoints
{
    public static RouteGroupBuilder MapContainerRouteEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/containers/{container_id}/endpoint").WithTags("Containers");
        group.MapPut("", Register).WithMetadata(new RequestSizeLimitAttribute(ApiJson.MaxRequestBodyBytes))
            .WithSummary("Register where the container answers, served at uc-{container_id}.{gateway_hostname} (the container's token).");
        group.MapDelete("", Deregister).WithSummary("Stop serving the container's name (the container's token).");
        return group;
    }

    private static Results<Ok<ContainerEndpointResponse>, ValidationProblem, ProblemHttpResult> Register(
        string container_id, RegisterEndpointRequest request, HttpContext context, GatewayWorker worker, Microsoft.Extensions.Options.IOptions<GatewayProcessOptions> options)
    {
        if (Ids.Parse(container_id) is not { } containerId)
        {
            return InvalidContainerId(container_id);
        }

        if (BearerHeader.Token(context.Request.Headers.Authorization) is not { } token)
        {
            return Unauthenticated(context);
        }

        // One step under the worker's lock: the token is checked against the organization the
        // route is added to, even if the gateway changed hands meanwhile.
        var ports = options.Value.ContainerPorts;
        if (!worker.TryWithSession((session, _) => SetRoute(session, token, containerId, request.Url, ports), out var registration))
        {
            return ManagerProblems.NotServing(worker);
        }

        var (outcome, registered, error) = registration;
        return outcome switch
        {
            RegistrationOutcome.Registered => TypedResults.Ok(registered!),
            RegistrationOutcome.InvalidUrl => ApiProblems.Invalid("url", error!),
            RegistrationOutcome.Forbidden => WrongContainer(containerId),
            _ => Unauthenticated(context),
        };
    }

    private static Results<NoContent, ValidationProblem, ProblemHttpResult> Deregister(string container_id, HttpContext context, GatewayWorker worker)
    {
        if (Ids.Parse(container_id) is not { } containerId)
        {
            return InvalidContainerId(container_id);
        }

        if (BearerHeader.Token(context.Request.Headers.Authorization) is not { } token)
        {
            return Unauthenticated(context);
        }

        if (!worker.TryWithSession((session, _) => RemoveRoute(session, token, containerId), out var outcome))
        {
            return ManagerProblems.NotServing(worker);
        }

        return outcome switch
        {
            RegistrationOutcome.Removed => TypedResults.NoContent(),
            RegistrationOutcome.NotRegistered => ApiProblems.Problem(StatusCodes.Status404NotFound, "No endpoint",
                $"Container {containerId} has no registered endpoint.", "not-found"),
            RegistrationOutcome.Forbidden => WrongContainer(containerId),
            _ => Unauthenticated(context),
        };
    }

    /// <summary>
    /// The token first, then the url: only the container itself learns which endpoints it may
    /// register (the allowed ports would tell anyone which loopback ports the platform keeps).
    /// </summary>
    private static (RegistrationOutcome Outcome, ContainerEndpointResponse? Registered, string? Error) SetRoute(
        OrganizationSession session, string token, string containerId, string? url, PortRange ports)
    {
        if (Refusal(session, token, containerId) is { } refusal)
        {
            return (refusal, null, null);
        }

        if (ContainerDestination.Error(url, ports, out var destination) is { } error)
        {
            return (RegistrationOutcome.InvalidUrl, null, error);
        }

        session.Routes.Set(new ContainerRoute(containerId, destination!));
        return (RegistrationOutcome.Registered, new ContainerEndpointResponse(containerId, destination!, HostNames.Container(containerId, session.Managers.GatewayHostname)), null);
    }

    private static RegistrationOutcome RemoveRoute(OrganizationSession session, string token, string containerId) =>
        Refusal(session, token, containerId)
        ?? (session.Routes.Remove(containerId) ? RegistrationOutcome.Removed : RegistrationOutcome.NotRegistered);

    /// <summary>Why <paramref name="token"/> may not change <paramref name="containerId"/>'s endpoint; null when it is that container's own.</summary>
    private static RegistrationOutcome? Refusal(OrganizationSession session, string token, string containerId) =>
        session.Managers.Containers.Authenticate(token) switch
        {
            null => RegistrationOutcome.Unauthenticated,
            var container when container.ContainerId != containerId => RegistrationOutcome.Forbidden,
            _ => null,
        };

    private static ProblemHttpResult Unauthenticated(HttpContext context) =>
        ManagerProblems.Unauthenticated(context.Response, "Send the container's own token: Authorization: Bearer <container token>.");

    private static ProblemHttpResult WrongContainer(string containerId) =>
        ApiProblems.Forbidden($"This token belongs to another container; only container {containerId} may change its endpoint.");

    private static ValidationProblem InvalidContainerId(string containerId) =>
        ApiProblems.Invalid("container_id", $"'{containerId}' is not a container id (a UUID).");
}

using Microsoft.AspNetCore.Mvc;
using Demiurge.GatewayProcess.OAuth;
using Demiurge.GatewayProcess.Users;

namespace Demiurge.GatewayProcess.Containers;

/// <summary>
/// The minimal user-container endpoints that bring the three managers together: creating a
/// container gives it a token and an OAuth client; deleting it revokes both and every token
/// issued to that client. The containers' own lifecycle comes later. A member's request is user
/// activity.
/// </summary>
internal static class ContainerEndpoints
{
    public static RouteGroupBuilder MapContainerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/containers").WithTags("Containers");
        group.MapPost("", CreateAsync).WithMetadata(new RequestSizeLimitAttribute(ApiJson.MaxRequestBodyBytes))
            .WithSummary("Register a container: its token and OAuth client (members but viewers).");
        group.MapDelete("/{container_id}", DeleteAsync).WithSummary("Remove a container, its token, client and tokens (owners, admins, its creator).");
        return group;
    }

    private static async Task<Results<Created<ContainerCreatedResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateContainerRequest request, HttpContext context, GatewayWorker worker, UserTokenVerifier users, CancellationToken cancellationToken)
    {
        var verification = await users.VerifyAsync(context.Request.Headers.Authorization, cancellationToken);
        if (verification.User is not { } user)
        {
            return ManagerProblems.Refusal(context, verification);
        }

        if (Ids.Parse(request.ContainerId) is not { } containerId)
        {
            return ApiProblems.Invalid("container_id", "The container_id is required: a UUID.");
        }

        if (request.RedirectUris is not { Count: > 0 and <= RedirectUris.MaxCount } redirectUris)
        {
            return ApiProblems.Invalid("redirect_uris", $"The redirect_uris are required: 1 to {RedirectUris.MaxCount} URIs.");
        }

        // One step under the worker's lock: the redirect URIs are checked against the names of
        // the organization the container is created in, even if the gateway changed hands meanwhile.
        if (!worker.TryWithSession((session, now) => Create(session, now, user.UserId, containerId, redirectUris), out var outcome))
        {
            return ManagerProblems.NotServing(worker);
        }

        var (errors, creation) = outcome;
        if (errors.Length > 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["redirect_uris"] = errors });
        }

        switch (creation!.Outcome)
        {
            case ContainerOutcome.Created:
                ManagerProblems.NoStore(context.Response);
                var container = creation.Container!;
                return TypedResults.Created($"/containers/{containerId}", new ContainerCreatedResponse(containerId, creation.Token!, container.OAuthClientId));
            case ContainerOutcome.Conflict:
                return ApiProblems.Conflict($"Container {containerId} already exists.");
            default:
                return ApiProblems.Forbidden($"User {user.Username} may not create containers: only members of this organization who write (not viewers) may.");
        }
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(
        string container_id, HttpContext context, GatewayWorker worker, UserTokenVerifier users, CancellationToken cancellationToken)
    {
        var verification = await users.VerifyAsync(context.Request.Headers.Authorization, cancellationToken);
        if (verification.User is not { } user)
        {
            return ManagerProblems.Refusal(context, verification);
        }

        if (Ids.Parse(container_id) is not { } containerId)
        {
            return ApiProblems.Invalid("container_id", $"'{container_id}' is not a container id (a UUID).");
        }

        if (!worker.TryWithSession((session, now) => Delete(session, now, user.UserId, containerId), out var deletion))
        {
            return ManagerProblems.NotServing(worker);
        }

        return deletion!.Outcome switch
        {
            ContainerOutcome.Deleted => TypedResults.NoContent(),
            ContainerOutcome.NotFound => ApiProblems.NotFound("Container", containerId),
            _ => ApiProblems.Forbidden("Only owners and admins may delete any container; members may delete only those they created."),
        };
    }

    private static (string[] Errors, ContainerCreation? Creation) Create(
        OrganizationSession session, DateTimeOffset now, string userId, string containerId, IReadOnlyList<string?> redirectUris)
    {
        var errors = redirectUris.Select(uri => RedirectUris.Error(uri, session.Managers.GatewayHostname)).OfType<string>().ToArray();
        if (errors.Length > 0)
        {
            return (errors, null);
        }

        if (session.Managers.Permissions.IsMember(userId))
        {
            session.Touch(now);
        }

        return ([], session.Managers.CreateContainer(userId, containerId, [.. redirectUris.Select(uri => uri!)], now));
    }

    private static ContainerDeletion Delete(OrganizationSession session, DateTimeOffset now, string userId, string containerId)
    {
        if (session.Managers.Permissions.IsMember(userId))
        {
            session.Touch(now);
        }

        var deletion = session.Managers.DeleteContainer(userId, containerId);
        if (deletion.Outcome == ContainerOutcome.Deleted)
        {
            session.Routes.Remove(containerId); // its name stops answering with its token
        }

        return deletion;
    }
}

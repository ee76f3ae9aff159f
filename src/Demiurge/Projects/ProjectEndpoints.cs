using System.Security.Claims;
using Demiurge.ApiKeys;
using Demiurge.Common;
using Demiurge.Events;
using Demiurge.Hosting;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Store;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Demiurge.Projects;

internal static class ProjectEndpoints
{
    public static RouteGroupBuilder MapProjectEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/orgs/{organization_id}/projects").WithTags("Projects");
        group.MapPost("", CreateAsync).WithSummary("Create a project in the organization (any member but viewers).");
        group.MapGet("", ListAsync).WithSummary("The organization's projects.");
        group.MapDelete("/{project_id}", DeleteAsync).WithSummary("Delete a project and its stored document (owners and admins; audited).");
        // A user's own pass into the room: an API key's scopes could not bound what the room lets its user do.
        group.MapPost("/{project_id}/room-ticket", RoomTicketAsync).WithMetadata(ApiKeyRequirement.UserTokenOnly)
            .WithSummary("A short-lived ticket into the project's room on the organization's gateway, for a browser's WebSocket (members).");
        return group;
    }

    private static async Task<Results<Created<ProjectResponse>, ProblemHttpResult>> CreateAsync(
        string organization_id, CreateProjectRequest request, ClaimsPrincipal principal, IOrganizationStore store, Gateways.GatewaySettingsPublisher settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        var access = await OrganizationAccess.LoadAsync(store, organization_id, caller, cancellationToken);
        if (access is null)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        if (!access.CanWrite)
        {
            return ApiProblems.Forbidden("Viewers read only: ask an owner or admin for the member role to create projects.");
        }

        var project = new Project(Ids.New(), access.Organization.OrganizationId, request.Name!, time.GetUtcNowMilliseconds());
        var auditEvent = new AuditEvent(Ids.New(), EventKinds.ProjectCreated, caller.UserId, project.OrganizationId, project.ProjectId, project.Name, project.CreatedAt);
        if (!await store.ProjectCreateAsync(project, auditEvent, cancellationToken))
        {
            return ApiProblems.Conflict($"The organization already has a project named '{project.Name}'.");
        }

        DemiurgeMetrics.ProjectCreated();
        settings.Changed(project.OrganizationId);
        return TypedResults.Created($"/orgs/{project.OrganizationId}/projects/{project.ProjectId}", ProjectResponse.From(project));
    }

    private static async Task<Results<Ok<ProjectResponse[]>, ProblemHttpResult>> ListAsync(
        string organization_id, ClaimsPrincipal principal, IOrganizationStore store, CancellationToken cancellationToken)
    {
        var access = await OrganizationAccess.LoadAsync(store, organization_id, Caller.From(principal), cancellationToken);
        if (access is null)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        var projects = await store.ProjectListAsync(access.Organization.OrganizationId, cancellationToken);
        return TypedResults.Ok(projects.Select(ProjectResponse.From).ToArray());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string organization_id, string project_id, ClaimsPrincipal principal, IOrganizationStore store, Gateways.GatewaySettingsPublisher settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        if (await OrganizationAccess.LoadAsync(store, organization_id, caller, cancellationToken) is not { } access)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        if (!access.CanManageMembers)
        {
            return ApiProblems.Forbidden("Only owners and admins of the organization may delete projects.");
        }

        var organizationId = access.Organization.OrganizationId;
        if (Ids.Parse(project_id) is not { } projectId
            || !await store.ProjectDeleteAsync(organizationId, projectId,
                new AuditEvent(Ids.New(), EventKinds.ProjectDeleted, caller.UserId, organizationId, projectId, null, time.GetUtcNowMilliseconds()), cancellationToken))
        {
            return ApiProblems.NotFound("Project", project_id);
        }

        settings.Changed(organizationId);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// A <see cref="Security.RoomTicket"/> for the caller into the project's room (docs/rooms.md):
    /// members only, viewers included (the gateway lets them read). A system admin who is not a
    /// member gets 403, as the gateway would refuse them.
    /// </summary>
    private static async Task<Results<Ok<RoomTicketResponse>, ProblemHttpResult>> RoomTicketAsync(
        string organization_id, string project_id, ClaimsPrincipal principal, IOrganizationStore store, Security.KeyRing ring, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        if (await OrganizationAccess.LoadAsync(store, organization_id, caller, cancellationToken) is not { } access)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        if (access.Role is null)
        {
            return ApiProblems.Forbidden("Only members of the organization enter its project rooms.");
        }

        var organizationId = access.Organization.OrganizationId;
        if (Ids.Parse(project_id) is not { } projectId || !(await store.ProjectListAsync(organizationId, cancellationToken)).Any(p => p.ProjectId == projectId))
        {
            return ApiProblems.NotFound("Project", project_id);
        }

        var expires = time.GetUtcNow() + Security.RoomTicket.Lifetime;
        var ticket = ring.IssueRoomTicket(new Security.RoomTicketClaims(organizationId, projectId, caller.UserId, caller.Username, expires));
        return TypedResults.Ok(new RoomTicketResponse(ticket, expires, organizationId, projectId, $"/collab/{projectId}"));
    }
}

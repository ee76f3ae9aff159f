using System.Security.Claims;
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
}

using System.Security.Claims;
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
        group.MapPost("", CreateAsync).WithSummary("Create a project in the organization (any member).");
        group.MapGet("", ListAsync).WithSummary("The organization's projects.");
        return group;
    }

    private static async Task<Results<Created<ProjectResponse>, ProblemHttpResult>> CreateAsync(
        string organization_id, CreateProjectRequest request, ClaimsPrincipal principal, IStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        var access = await OrganizationAccess.LoadAsync(store, organization_id, caller, cancellationToken);
        if (access is null)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        var project = new Project(Ids.New(), access.Organization.OrganizationId, request.Name!, time.GetUtcNowMilliseconds());
        var auditEvent = new AuditEvent(Ids.New(), EventKinds.ProjectCreated, caller.UserId, project.OrganizationId, project.ProjectId, project.Name, project.CreatedAt);
        if (!await store.ProjectCreateAsync(project, auditEvent, cancellationToken))
        {
            return ApiProblems.Conflict($"The organization already has a project named '{project.Name}'.");
        }

        DemiurgeMetrics.ProjectCreated();
        return TypedResults.Created($"/orgs/{project.OrganizationId}/projects/{project.ProjectId}", ProjectResponse.From(project));
    }

    private static async Task<Results<Ok<ProjectResponse[]>, ProblemHttpResult>> ListAsync(
        string organization_id, ClaimsPrincipal principal, IStore store, CancellationToken cancellationToken)
    {
        var access = await OrganizationAccess.LoadAsync(store, organization_id, Caller.From(principal), cancellationToken);
        if (access is null)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        var projects = await store.ProjectListAsync(access.Organization.OrganizationId, cancellationToken);
        return TypedResults.Ok(projects.Select(ProjectResponse.From).ToArray());
    }
}

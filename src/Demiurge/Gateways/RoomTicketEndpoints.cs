using Demiurge.Protocol;
using System.Security.Claims;
using Demiurge.Common;
using Demiurge.Hosting;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Demiurge.Gateways;

/// <summary>
/// <c>POST /orgs/{organization_id}/projects/{project_id}/room-ticket</c>: a member's pass into a
/// project's room on the organization's gateway (docs/rooms.md), for a browser, which cannot set
/// headers on a WebSocket.
/// </summary>
internal static class RoomTicketEndpoints
{
    public static RouteHandlerBuilder MapRoomTicketEndpoints(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/orgs/{organization_id}/projects/{project_id}/room-ticket", IssueAsync).WithTags("Projects")
            .WithSummary("A short-lived ticket into the project's room on the organization's gateway, for a browser's WebSocket (members).");

    /// <summary>
    /// A <see cref="RoomTicket"/> for the caller: members only, viewers included (the gateway lets
    /// them read). A system admin who is not a member gets 403, as the gateway would refuse them.
    /// An API key needs <c>org:write</c>, as for every POST: the room lets its user write.
    /// </summary>
    private static async Task<Results<Ok<RoomTicketResponse>, ProblemHttpResult>> IssueAsync(
        string organization_id, string project_id, ClaimsPrincipal principal, IOrganizationStore store, KeyRing ring, TimeProvider time, CancellationToken cancellationToken)
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

        var expires = time.GetUtcNow() + RoomTicket.Lifetime;
        var ticket = ring.IssueRoomTicket(new RoomTicketClaims(organizationId, projectId, caller.UserId, caller.Username, expires));
        return TypedResults.Ok(new RoomTicketResponse(ticket, expires, organizationId, projectId, $"/collab/{projectId}"));
    }
}

using Demiurge.Protocol;
using Demiurge.GatewayProcess.Permissions;
using Demiurge.GatewayProcess.Users;
using Demiurge.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// Who may open a room, decided before the WebSocket upgrade: a user token (the
/// <c>Authorization</c> header, or <c>?token=</c> since browsers cannot set headers on a
/// WebSocket) or a room ticket from the control plane (<c>?ticket=</c>), then the user's
/// membership and role in the organization's live config, then the project.
/// </summary>
internal static class RoomAccess
{
    public const string TokenParameter = "token";
    public const string TicketParameter = "ticket";

    /// <summary>The user and the session when the room may be opened; otherwise the problem to answer.</summary>
    public static async Task<(RoomUser? User, OrganizationSession? Session, ProblemHttpResult? Refusal)> CheckAsync(
        HttpContext context, string projectId, GatewayWorker worker, UserTokenVerifier users, GatewayProcessOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var query = context.Request.Query;
        RoomUser user;
        if (query.TryGetValue(TicketParameter, out var ticketText))
        {
            var claims = RoomTicket.Verify(ticketText.ToString(), options.ControlPlaneKeys, time.GetUtcNow());
            if (claims is null || claims.ProjectId != projectId || claims.OrganizationId != worker.Snapshot().OrganizationId)
            {
                return (null, null, ManagerProblems.Unauthenticated(context.Response,
                    "The room ticket is invalid, expired, or for another room: ask the control plane for a new one (POST /orgs/{organization_id}/projects/{project_id}/room-ticket)."));
            }

            user = new RoomUser(claims.UserId, claims.Username);
        }
        else
        {
            var header = context.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization ? authorization
                : query.TryGetValue(TokenParameter, out var token) ? "Bearer " + token.ToString()
                : null;
            var verification = await users.VerifyAsync(header, cancellationToken);
            if (verification.User is not { } verified)
            {
                return (null, null, ManagerProblems.Refusal(context, verification));
            }

            user = new RoomUser(verified.UserId, verified.Username);
        }

        if (!worker.TryWithSession((session, _) => (Session: session, Member: session.Managers.Permissions.Member(user.UserId), Known: session.Config.Projects.ContainsKey(projectId)), out var found))
        {
            return (null, null, ManagerProblems.NotServing(worker));
        }

        if (found.Member is null)
        {
            return (null, null, ApiProblems.Forbidden($"User {user.Username} is not a member of this organization."));
        }

        if (!found.Known)
        {
            return (null, null, ApiProblems.NotFound("Project", projectId));
        }

        return (user, found.Session, null);
    }

    /// <summary>The user's role now, as the organization's live config says; null once they are no longer a member or the organization is no longer served.</summary>
    public static MemberRole? Role(GatewayWorker worker, string userId)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return worker.TryWithSession((session, _) => session.Managers.Permissions.Member(userId)?.Role, out var role) ? role : null;
    }
}

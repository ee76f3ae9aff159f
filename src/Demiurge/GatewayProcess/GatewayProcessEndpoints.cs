using Demiurge.Protocol;
using Demiurge.GatewayProcess.Containers;
using Demiurge.GatewayProcess.OAuth;
using Demiurge.GatewayProcess.Permissions;
using Demiurge.GatewayProcess.Users;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The gateway's HTTP API (docs/gateway-protocol.md): ping, handshake and release for the
/// control plane, project documents for users, and activity for operators. The OAuth provider
/// and the container endpoints are in <see cref="OAuth.OAuthEndpoints"/> and <see cref="Containers.ContainerEndpoints"/>.
/// </summary>
internal static class GatewayProcessEndpoints
{
    public static RouteGroupBuilder MapGatewayProcessEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // The control plane's calls and the operators' views: not the organization's API, so not in its OpenAPI document.
        var control = endpoints.MapGroup("").ExcludeFromDescription();
        control.MapGet(GatewayPaths.Ping, Ping);
        control.MapPost(GatewayPaths.Start, StartAsync).WithMetadata(ControlPlaneOnly.Instance);
        control.MapPost(GatewayPaths.Release, ReleaseAsync).WithMetadata(ControlPlaneOnly.Instance);
        control.MapPut(GatewayPaths.CollabConfig, PutConfig).WithMetadata(ControlPlaneOnly.Instance);
        control.MapGet(GatewayPaths.Activity, Activity);

        var group = endpoints.MapGroup("/projects/{project_id}/state").WithTags("Projects");
        group.MapGet("", GetProjectState).WithSummary("The project's document, base64 (members).");
        group.MapPut("", PutProjectState).WithSummary("Replace the project's document (members but viewers).");
        return group;
    }

    /// <summary>
    /// Health check for the pool manager; not user activity. The leader's pings also carry the
    /// control planes to call (<see cref="Protocol.GatewayHeaders.ControlPlanes"/>), taken only
    /// when the control plane signed the call; the answer then shows the list in use.
    /// </summary>
    private static async Task<Results<Ok<PingResponse>, ProblemHttpResult>> Ping(
        HttpContext context, GatewayWorker worker, ControlPlaneClient controlPlane, ControlPlaneAuthentication authentication)
    {
        if (IsPublicName(context))
        {
            return OperatorsOnly();
        }

        var snapshot = worker.Snapshot();
        var answer = new PingResponse(snapshot.GatewayId, snapshot.State, snapshot.OrganizationId, snapshot.AllocationId) { SettingsRevision = snapshot.SettingsRevision };
        if (!context.Request.Headers.ContainsKey(GatewayHeaders.Signature) && !context.Request.Headers.ContainsKey(GatewayHeaders.ControlPlanes))
        {
            return TypedResults.Ok(answer);
        }

        if (!await authentication.IsControlPlaneAsync(context))
        {
            return ManagerProblems.Unauthenticated(context.Response, "Only the control plane may tell this gateway which control planes to call.");
        }

        if (context.Request.Headers[GatewayHeaders.ControlPlanes].ToString() is { Length: > 0 } header && !controlPlane.UseControlPlanes(header))
        {
            return ApiProblems.Problem(StatusCodes.Status400BadRequest, "Invalid control planes",
                $"{GatewayHeaders.ControlPlanes} must list 1 to {ControlPlaneClient.MaxControlPlanes} http(s) URLs, separated by commas.", "invalid-control-planes");
        }

        return TypedResults.Ok(answer with { ControlPlanes = [.. controlPlane.ControlPlanes.Select(url => url.AbsoluteUri)] });
    }

    /// <summary>
    /// The control plane's handshake (signed, see <see cref="ControlPlaneOnly"/>): only it may hand
    /// this gateway an organization, so a local process cannot fail allocations with bogus tokens.
    /// </summary>
    private static async Task<Results<Ok<CollabStartResponse>, ValidationProblem, ProblemHttpResult>> StartAsync(
        CollabStartRequest request, GatewayWorker worker, CancellationToken cancellationToken)
    {
        if (ControlPlaneAnswers.HandshakeTokenError(request.HandshakeToken) is { } error)
        {
            return ApiProblems.Invalid("handshake_token", error);
        }

        var result = await worker.StartAsync(request.HandshakeToken!, cancellationToken);
        return result.Outcome switch
        {
            StartOutcome.Started => TypedResults.Ok(new CollabStartResponse(result.AllocationId!, result.OrganizationId!)),
            StartOutcome.Conflict => ApiProblems.Conflict(result.Detail),
            StartOutcome.Failed => ApiProblems.Problem(StatusCodes.Status502BadGateway, "Handshake failed", result.Detail, "handshake-failed"),
            _ => ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "Shutting down", result.Detail, "unavailable"),
        };
    }

    /// <summary>
    /// Drain now (the control plane's admin release): final push, <c>/gateway/stop</c>, idle,
    /// ready. Answers once it is done, with the gateway's state.
    /// </summary>
    private static async Task<Results<Ok<PingResponse>, ProblemHttpResult>> ReleaseAsync(GatewayWorker worker, CancellationToken cancellationToken)
    {
        var outcome = await worker.ReleaseNowAsync(cancellationToken);
        var snapshot = worker.Snapshot();
        return outcome switch
        {
            ReleaseOutcome.Released => TypedResults.Ok(new PingResponse(snapshot.GatewayId, snapshot.State, snapshot.OrganizationId, snapshot.AllocationId)),
            ReleaseOutcome.NotServing => NotServing(snapshot),
            _ => ApiProblems.Problem(StatusCodes.Status502BadGateway, "Release failed",
                "The final push or /gateway/stop failed; the gateway still serves the organization and tries again later. See its log.", "release-failed"),
        };
    }

    private static async Task<Results<Ok<ProjectStateResponse>, ValidationProblem, ProblemHttpResult>> GetProjectState(
        string project_id, HttpContext context, GatewayWorker worker, UserTokenVerifier users, CancellationToken cancellationToken)
    {
        if (Ids.Parse(project_id) is not { } projectId)
        {
            return InvalidProjectId(project_id);
        }

        if (await RefuseNonMemberAsync(context, worker, users, write: false, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        return worker.ReadProject(projectId, out var document) switch
        {
            ProjectAccess.Done => TypedResults.Ok(document!),
            ProjectAccess.UnknownProject => UnknownProject(projectId),
            _ => NotServing(worker.Snapshot()),
        };
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> PutProjectState(
        string project_id, ProjectStateRequest request, HttpContext context, GatewayWorker worker, UserTokenVerifier users, CancellationToken cancellationToken)
    {
        if (Ids.Parse(project_id) is not { } projectId)
        {
            return InvalidProjectId(project_id);
        }

        if (await RefuseNonMemberAsync(context, worker, users, write: true, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        if (request.State is null)
        {
            return ApiProblems.Invalid("state", "The state is required: the project's document, base64.");
        }

        if (!System.Buffers.Text.Base64.IsValid(request.State))
        {
            return ApiProblems.Invalid("state", "The state must be base64.");
        }

        return worker.WriteProject(projectId, request.State, out var quota, out var used) switch
        {
            ProjectAccess.Done => TypedResults.NoContent(),
            ProjectAccess.UnknownProject => UnknownProject(projectId),
            ProjectAccess.QuotaExceeded => ApiProblems.StorageQuotaExceeded(quota, used,
                $"The organization stores {used} of its {quota} bytes; this document ({request.State.Length} bytes) would take it over. Nothing was written."),
            _ => NotServing(worker.Snapshot()),
        };
    }

    /// <summary>Why the gateway is still alive; not user activity.</summary>
    private static Results<Ok<ActivityResponse>, ProblemHttpResult> Activity(HttpContext context, GatewayWorker worker)
    {
        if (IsPublicName(context))
        {
            return OperatorsOnly();
        }

        var snapshot = worker.Snapshot();
        return TypedResults.Ok(new ActivityResponse(snapshot.State, snapshot.LastActivityAt, snapshot.ReleaseAt, snapshot.Dirty, snapshot.LastPushAt, snapshot.DataVersion));
    }

    /// <summary>
    /// Project documents are the organization's data: only its members read them, and only
    /// members who are not viewers write them. The user token is checked with the control plane
    /// (cached briefly), membership and role here, as the control plane last listed them.
    /// </summary>
    private static async Task<ProblemHttpResult?> RefuseNonMemberAsync(HttpContext context, GatewayWorker worker, UserTokenVerifier users, bool write, CancellationToken cancellationToken)
    {
        var verification = await users.VerifyAsync(context.Request.Headers.Authorization, cancellationToken);
        if (verification.User is not { } user)
        {
            return ManagerProblems.Refusal(context, verification);
        }

        if (!worker.TryWithSession((session, _) => session.Managers.Permissions.Member(user.UserId), out var member))
        {
            return NotServing(worker.Snapshot());
        }

        return member switch
        {
            null => ApiProblems.Forbidden($"User {user.Username} is not a member of this organization."),
            { Role: MemberRole.Viewer } when write => ApiProblems.Forbidden($"User {user.Username} is a viewer of this organization: viewers read only."),
            _ => null,
        };
    }

    /// <summary>
    /// The control plane's update (signed) of the organization's config: its name, members,
    /// projects and quota. Only a newer revision than the gateway holds is applied; an older or
    /// repeated one answers 200 with <c>"applied": false</c> and changes nothing.
    /// </summary>
    private static Results<Ok<CollabConfigResponse>, ValidationProblem, ProblemHttpResult> PutConfig(OrganizationConfig request, GatewayWorker worker)
    {
        if (ControlPlaneAnswers.ConfigError(request) is { } error)
        {
            return ApiProblems.Invalid("config", error);
        }

        return worker.ApplyConfig(request) is { } applied
            ? TypedResults.Ok(applied)
            : ApiProblems.Conflict($"The gateway does not serve organization {request.OrganizationId} now.");
    }

    /// <summary>
    /// Whether the request names an organization (<c>org-*</c>, <c>uc-*</c>): it came through the
    /// edge, from anyone. Health and activity are for the pool manager and operators, who call
    /// the worker's own loopback address.
    /// </summary>
    private static bool IsPublicName(HttpContext context) =>
        Common.HostNames.Classify(context.Request.Host.Host, out _, out _) != Common.HostKind.Gateway;

    private static ProblemHttpResult OperatorsOnly() =>
        ApiProblems.Problem(StatusCodes.Status404NotFound, "Not found",
            "The gateway's health and activity are served on its own address only, not under the organization's name.", "not-found");

    // The control plane keys documents by project id, a UUID: anything else could never be saved.
    private static ValidationProblem InvalidProjectId(string projectId) =>
        ApiProblems.Invalid("project_id", $"'{projectId}' is not a project id (a UUID).");

    // Only the organization's projects have documents: anything else could never be saved.
    private static ProblemHttpResult UnknownProject(string projectId) => ApiProblems.NotFound("Project", projectId);

    private static ProblemHttpResult NotServing(GatewaySnapshot snapshot) =>
        ApiProblems.Conflict($"The gateway is {snapshot.State.ToString().ToLowerInvariant()} and serves no organization now.");
}

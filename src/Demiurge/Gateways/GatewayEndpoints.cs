using System.Security.Claims;
using System.Text.Json;
using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Protocol;
using Microsoft.AspNetCore.Mvc;

namespace Demiurge.Gateways;

/// <summary>
/// The pool's API: users start their organization's gateway; gateways report ready, redeem
/// their handshake, pull and push data and stop; admins list, release and delete.
/// </summary>
internal static class GatewayEndpoints
{
    public static void MapGatewayEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var user = endpoints.MapGroup("/gateway").WithTags("Gateways");
        user.MapPost("/start", StartAsync).WithSummary("Allocate (or return) the organization's gateway (members).");

        // Gateways authenticate with their own tokens, checked by each handler.
        // Not rate-limited: a worker's autosave or final push must never be refused for its rate.
        var worker = endpoints.MapGroup("").WithTags("Gateway protocol").AllowAnonymous().DisableRateLimiting();
        worker.MapPost(GatewayPaths.Ready, ReadyAsync).WithSummary("A worker is idle and can be allocated (gateway token).");
        worker.MapPost(GatewayPaths.Config, ConfigAsync).WithSummary("Redeem a handshake token for the organization's config and an allocation token.");
        worker.MapPost(GatewayPaths.DataPull, PullAsync).WithSummary("The organization's saved data (allocation token).");
        worker.MapPost(GatewayPaths.DataPush, PushAsync).WithSummary("Save the organization's data: documents whole or rooms' updates appended, per project (allocation token).")
            .WithMetadata(new RequestSizeLimitAttribute(DataPushRequest.MaxBytes));
        worker.MapPost(GatewayPaths.Stop, StopAsync).WithSummary("The gateway is done with the organization (allocation token).");

        var admin = endpoints.MapGroup("").WithTags("Gateways").RequireAuthorization(IdentityExtensions.AdminPolicy);
        admin.MapDelete("/gateway/data/{organization_id}", DeleteDataAsync).WithSummary("Delete an organization's saved data (system admins; audited).");
        admin.MapPoolEndpoints();
    }

    private static async Task<Results<Ok<StartGatewayResponse>, ProblemHttpResult>> StartAsync(
        StartGatewayRequest request, ClaimsPrincipal principal, IOrganizationStore store, GatewayAllocator allocator, IOptions<PlatformOptions> options, HttpContext context, CancellationToken cancellationToken)
    {
        var caller = Caller.From(principal);
        if (await OrganizationAccess.LoadAsync(store, request.OrganizationId, caller, cancellationToken) is not { } access)
        {
            return ApiProblems.NotFound("Organization", request.OrganizationId!);
        }

        var organizationId = access.Organization.OrganizationId;
        var result = await allocator.StartAsync(organizationId, caller.UserId, cancellationToken);
        switch (result.Failure)
        {
            case AllocationFailure.None:
                return TypedResults.Ok(new StartGatewayResponse(result.Gateway!.GatewayId, HostNames.Organization(organizationId, options.Value.Domain), result.Allocation!.AllocationId));
            case AllocationFailure.RolledBack:
                return ApiProblems.Problem(StatusCodes.Status502BadGateway, "Allocation failed", result.Detail!, "allocation-failed");
            default:
                context.Response.Headers.RetryAfter = result.Failure == AllocationFailure.PoolExhausted ? "2" : "1";
                return ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "No gateway available", result.Detail!, "pool-exhausted");
        }
    }

    private static async Task<Results<Ok<GatewayReadyResponse>, ProblemHttpResult>> ReadyAsync(
        GatewayReadyRequest request, HttpRequest http, IGatewayStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (BearerToken(http) is not { } token
            || await store.GatewayFindByTokenHashAsync(Tokens.Hash(token), cancellationToken) is not { } gateway
            || gateway.GatewayId != request.GatewayId)
        {
            return Unauthorized("The gateway token does not belong to this gateway.");
        }

        var auditEvent = new AuditEvent(Ids.New(), GatewayEventKinds.GatewayReady, null, null, gateway.GatewayId, null, time.GetUtcNowMilliseconds());
        if (gateway.State == GatewayState.Ready
            || await store.GatewayTransitionAsync(gateway.GatewayId, [GatewayState.Starting, GatewayState.Releasing], GatewayState.Ready, auditEvent, cancellationToken))
        {
            return TypedResults.Ok(new GatewayReadyResponse(gateway.GatewayId, "ready"));
        }

        return ApiProblems.Conflict($"Gateway {gateway.GatewayId} is {gateway.State.ToText()} and cannot become ready now.");
    }

    private static async Task<Results<Ok<GatewayConfigResponse>, ProblemHttpResult>> ConfigAsync(
        GatewayConfigRequest request, IOrganizationStore store, IGatewayStore gateways, IOptions<PlatformOptions> platform, IOptions<GatewayOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var allocationToken = Tokens.New();
        if (await gateways.AllocationRedeemHandshakeAsync(Tokens.Hash(request.HandshakeToken!), Tokens.Hash(allocationToken), time.GetUtcNowMilliseconds(), cancellationToken) is not { } allocation)
        {
            return Unauthorized("The handshake token is unknown, already used or expired.");
        }

        if (await store.OrganizationSettingsGetAsync(allocation.OrganizationId, cancellationToken) is not { } settings)
        {
            return ApiProblems.NotFound("Organization", allocation.OrganizationId);
        }

        var organization = settings.Organization;
        return TypedResults.Ok(new GatewayConfigResponse(GatewaySettingsPublisher.Config(settings, options.Value))
        {
            AllocationId = allocation.AllocationId,
            GatewayId = allocation.GatewayId,
            GatewayHostname = HostNames.Organization(allocation.OrganizationId, platform.Value.Domain),
            AllocationToken = allocationToken,
            InactivityTimeoutSeconds = organization.GatewayAutoRelease ? options.Value.InactivityTimeout?.TotalSeconds : null,
            AutosaveIntervalSeconds = options.Value.AutosaveInterval.TotalSeconds,
        });
    }

    private static async Task<Results<Ok<DataPullResponse>, ProblemHttpResult>> PullAsync(
        OrganizationRequest request, HttpRequest http, IGatewayStore store, CancellationToken cancellationToken)
    {
        if (await CurrentAllocationAsync(http, store, request.OrganizationId, cancellationToken) is not { } allocation)
        {
            return Unauthorized("The allocation token is not valid for this organization, or was revoked.");
        }

        var data = await store.OrganizationDataGetAsync(allocation.OrganizationId, cancellationToken);
        var payload = data.Version == 0 ? null : new OrganizationDataPayload
        {
            YjsState = data.Projects,
            GatewayState = data.GatewayState is null ? null : JsonDocument.Parse(data.GatewayState).RootElement.Clone(),
        };
        return TypedResults.Ok(new DataPullResponse(allocation.OrganizationId, data.Version, data.StoredAt, payload));
    }

    private static async Task<Results<Ok<DataPushResponse>, ValidationProblem, ProblemHttpResult>> PushAsync(
        DataPushRequest request, HttpRequest http, IGatewayStore store, IOptions<GatewayOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var projects = request.Data!.YjsState ?? new Dictionary<string, string>();
        var updates = request.Data.YjsUpdates ?? new Dictionary<string, string>();
        if (projects.Keys.FirstOrDefault(k => Ids.Parse(k) is null) is { } badKey)
        {
            return ApiProblems.Invalid("data.yjs_state", $"'{badKey}' is not a project id (a UUID).");
        }

        if (projects.FirstOrDefault(p => !IsBase64(p.Value)) is { Key: { } badValue })
        {
            return ApiProblems.Invalid("data.yjs_state", $"The state of project '{badValue}' is not base64.");
        }

        if (updates.Keys.FirstOrDefault(k => Ids.Parse(k) is null) is { } badUpdateKey)
        {
            return ApiProblems.Invalid("data.yjs_updates", $"'{badUpdateKey}' is not a project id (a UUID).");
        }

        if (updates.FirstOrDefault(u => !StoredDocuments.IsUpdate(u.Value)) is { Key: { } badUpdate })
        {
            return ApiProblems.Invalid("data.yjs_updates", $"The update of project '{badUpdate}' is not a base64 Yjs update.");
        }

        if (request.Data.GatewayState is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            return ApiProblems.Invalid("data.gateway_state", "The gateway_state must be an object or null.");
        }

        var gatewayState = request.Data.GatewayState is { ValueKind: JsonValueKind.Object } state ? state.GetRawText() : null;
        var now = time.GetUtcNowMilliseconds();
        var result = await store.OrganizationDataPushAsync(
            request.OrganizationId!, Tokens.Hash(BearerToken(http) ?? string.Empty), request.Version!.Value,
            projects.ToDictionary(p => Ids.Parse(p.Key)!, p => p.Value), updates.ToDictionary(u => Ids.Parse(u.Key)!, u => u.Value),
            gatewayState, options.Value.OrganizationStorageQuota.Bytes, now, cancellationToken);
        return result.Outcome switch
        {
            PushOutcome.Stored => TypedResults.Ok(new DataPushResponse(result.Version, now,
                projects.Sum(p => (long)p.Value.Length) + updates.Sum(u => (long)u.Value.Length) + (gatewayState?.Length ?? 0))),
            PushOutcome.Stale => ApiProblems.Conflict($"The data is at version {result.Version}, not {request.Version}: pull before pushing again.",
                new Dictionary<string, object?> { ["current_version"] = result.Version }),
            // For good: the worker drops these documents and saves the rest (docs/gateway-protocol.md).
            PushOutcome.UnknownProjects => TypedResults.Problem(
                detail: $"Not projects of organization {request.OrganizationId}: {string.Join(", ", result.UnknownProjectIds)}. Nothing was stored.",
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "Unknown project", type: ApiProblems.TypePrefix + "unknown-project",
                extensions: new Dictionary<string, object?> { ["project_ids"] = result.UnknownProjectIds }),
            PushOutcome.QuotaExceeded => ApiProblems.StorageQuotaExceeded(result.QuotaBytes, result.UsedBytes,
                $"Organization {request.OrganizationId} stores {result.UsedBytes} of its {result.QuotaBytes} bytes; this push would take it over. Nothing was stored."),
            _ => Unauthorized("The allocation token is not valid for this organization, or was revoked."),
        };
    }

    private static async Task<Results<Ok, ProblemHttpResult>> StopAsync(
        OrganizationRequest request, HttpRequest http, IGatewayStore store, GatewayAllocator allocator, TimeProvider time, CancellationToken cancellationToken)
    {
        if (BearerToken(http) is not { } token
            || await store.AllocationFindByTokenHashAsync(Tokens.Hash(token), cancellationToken) is not { } allocation
            || allocation.OrganizationId != request.OrganizationId)
        {
            return Unauthorized("The allocation token is not valid for this organization.");
        }

        if (allocation.EndedAt is null && await allocator.ReleaseAsync(allocation, "stopped by the gateway", GatewayState.Releasing, null, cancellationToken))
        {
            DemiurgeMetrics.Released("gateway_stop");
        }

        // The allocation's pushes are done: its rooms' appended updates are merged into the documents.
        await store.OrganizationDataCompactAsync(allocation.OrganizationId, time.GetUtcNow(), cancellationToken);

        return TypedResults.Ok();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteDataAsync(
        string organization_id, ClaimsPrincipal principal, IOrganizationStore store, IGatewayStore gateways, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Ids.Parse(organization_id) is not { } organizationId || await store.OrganizationGetAsync(organizationId, cancellationToken) is null)
        {
            return ApiProblems.NotFound("Organization", organization_id);
        }

        if (await gateways.AllocationCurrentByOrganizationAsync(organizationId, cancellationToken) is not null)
        {
            return ApiProblems.Conflict("The organization has a gateway now; release it before deleting its data.");
        }

        var auditEvent = new AuditEvent(Ids.New(), GatewayEventKinds.DataDeleted, Caller.From(principal).UserId, organizationId, organizationId, null, time.GetUtcNowMilliseconds());
        return await gateways.OrganizationDataDeleteAsync(organizationId, auditEvent, cancellationToken)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound("Organization data", organizationId);
    }

    private static async Task<Allocation?> CurrentAllocationAsync(HttpRequest http, IGatewayStore store, string? organizationId, CancellationToken cancellationToken) =>
        BearerToken(http) is { } token
        && await store.AllocationFindByTokenHashAsync(Tokens.Hash(token), cancellationToken) is { EndedAt: null } allocation
        && allocation.OrganizationId == organizationId
            ? allocation
            : null;

    private static string? BearerToken(HttpRequest http) => BearerHeader.Token(http.Headers.Authorization);

    private static ProblemHttpResult Unauthorized(string detail) =>
        ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Authentication required", detail, "unauthorized");

    private static bool IsBase64(string value)
    {
        var buffer = new byte[(value.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(value, buffer, out _);
    }
}

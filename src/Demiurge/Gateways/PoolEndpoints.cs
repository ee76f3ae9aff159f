using System.Security.Claims;
using Demiurge.Events;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Protocol;

namespace Demiurge.Gateways;

/// <summary>The pool's admin API (system admins): list, count, add workers, release a gateway or an organization's.</summary>
internal static class PoolEndpoints
{
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Maps the pool's routes on <paramref name="admin"/>, a group that requires a system admin.</summary>
    public static RouteGroupBuilder MapPoolEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/gateways", ListAsync).WithSummary("Every gateway with its state, organization, port, pid and timestamps (system admins).");
        admin.MapPost("/gateways", CreateAsync).WithSummary("Start count more workers now, within --pool-max and --pool-ports (system admins).");
        admin.MapGet("/gateways/stats", StatsAsync).WithSummary("The pool's counts (system admins).");
        admin.MapPost("/gateways/release", ReleaseOrganizationAsync).WithSummary("Drain and release the organization's gateway now, after a final push (system admins).");
        admin.MapPost("/gateways/{gateway_id}/release", ReleaseAsync).WithSummary("Drain and release a gateway now, after a final push (system admins).");
        return admin;
    }

    private static async Task<Ok<GatewayResponse[]>> ListAsync(IGatewayStore store, CancellationToken cancellationToken)
    {
        var allocations = (await store.AllocationListCurrentAsync(cancellationToken)).ToDictionary(a => a.GatewayId);
        var gateways = await store.GatewayListAsync(cancellationToken);
        return TypedResults.Ok(gateways.Select(g => Response(g, allocations.GetValueOrDefault(g.GatewayId))).ToArray());
    }

    private static async Task<Results<Created<GatewayResponse[]>, ProblemHttpResult>> CreateAsync(
        CreateGatewaysRequest request, ClaimsPrincipal principal, IGatewayStore store, IEventStore events, GatewayLauncher launcher, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var room = launcher.Room(await store.GatewayListAsync(cancellationToken));
        if (request.Count > room)
        {
            return ApiProblems.Conflict($"Only {room} more gateways fit within {launcher.Limits}.");
        }

        var launched = await launcher.LaunchAsync(request.Count!.Value, cancellationToken);
        // The autoscaler's pool.scaled has no actor; an admin's is theirs (each worker's own gateway.started follows).
        await events.EventAppendAsync(
            new AuditEvent(Ids.New(), GatewayEventKinds.PoolScaled, Caller.From(principal).UserId, null, null, $"by a system admin: +{launched.Count}", time.GetUtcNowMilliseconds()),
            cancellationToken);
        return TypedResults.Created("/gateways", launched.Select(g => Response(g, null)).ToArray());
    }

    private static async Task<Ok<PoolStatsResponse>> StatsAsync(IGatewayStore store, CancellationToken cancellationToken)
    {
        var gateways = await store.GatewayListAsync(cancellationToken);
        var allocations = await store.AllocationListCurrentAsync(cancellationToken);
        var byState = Enum.GetValues<GatewayState>().ToDictionary(s => s.ToText(), s => gateways.Count(g => g.State == s));
        return TypedResults.Ok(new PoolStatsResponse(gateways.Count, gateways.Count(g => g.IsLive), byState, allocations.Count));
    }

    private static async Task<Results<Ok<GatewayResponse>, ProblemHttpResult>> ReleaseOrganizationAsync(
        OrganizationRequest request, ClaimsPrincipal principal, IOrganizationStore organizations, IGatewayStore store, GatewayAllocator allocator, WorkerClient workers,
        CancellationToken cancellationToken)
    {
        if (await OrganizationAccess.LoadAsync(organizations, request.OrganizationId, Caller.From(principal), cancellationToken) is not { } access)
        {
            return ApiProblems.NotFound("Organization", request.OrganizationId!);
        }

        var organizationId = access.Organization.OrganizationId;
        return await store.AllocationCurrentByOrganizationAsync(organizationId, cancellationToken) is { Step: AllocationStep.Active } allocation
            && await store.GatewayGetAsync(allocation.GatewayId, cancellationToken) is { } gateway
                ? await DrainAndReleaseAsync(gateway, allocation, principal, store, allocator, workers, cancellationToken)
                : ApiProblems.Conflict($"Organization {organizationId} has no gateway now.");
    }

    private static async Task<Results<Ok<GatewayResponse>, ProblemHttpResult>> ReleaseAsync(
        string gateway_id, ClaimsPrincipal principal, IGatewayStore store, GatewayAllocator allocator, WorkerClient workers, CancellationToken cancellationToken)
    {
        if (Ids.Parse(gateway_id) is not { } gatewayId || await store.GatewayGetAsync(gatewayId, cancellationToken) is not { } gateway)
        {
            return ApiProblems.NotFound("Gateway", gateway_id);
        }

        return await store.AllocationCurrentByGatewayAsync(gatewayId, cancellationToken) is { Step: AllocationStep.Active } allocation
            ? await DrainAndReleaseAsync(gateway, allocation, principal, store, allocator, workers, cancellationToken)
            : ApiProblems.Conflict($"Gateway {gatewayId} serves no organization.");
    }

    /// <summary>Asks the gateway to drain (it pushes, then calls <c>/gateway/stop</c>, which releases), and ends the allocation either way.</summary>
    private static async Task<Results<Ok<GatewayResponse>, ProblemHttpResult>> DrainAndReleaseAsync(
        Gateway gateway, Allocation allocation, ClaimsPrincipal principal, IGatewayStore store, GatewayAllocator allocator, WorkerClient workers, CancellationToken cancellationToken)
    {
        var drained = false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_drainTimeout);
            using var response = await workers.SendAsync(gateway, HttpMethod.Post, GatewayPaths.Release, null, timeout.Token);
            drained = response.IsSuccessStatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            drained = false;
        }

        // Whatever the gateway did, the allocation ends now; a gateway that could not drain is replaced.
        if (await allocator.ReleaseAsync(allocation, drained ? "released by an admin" : "released by an admin; the gateway did not drain",
            drained ? GatewayState.Releasing : GatewayState.Unhealthy, Caller.From(principal).UserId, cancellationToken))
        {
            DemiurgeMetrics.Released("admin");
        }

        return TypedResults.Ok(Response((await store.GatewayGetAsync(gateway.GatewayId, cancellationToken))!, null));
    }

    private static GatewayResponse Response(Gateway g, Allocation? allocation) =>
        new(g.GatewayId, g.State.ToText(), allocation?.OrganizationId, allocation?.AllocationId, g.Runtime, g.Address, g.Port, g.Pid, g.CreatedAt, g.UpdatedAt, g.ReadyAt);
}

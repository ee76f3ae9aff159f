using Demiurge.Identity;

namespace Demiurge.Edge;

/// <summary>The edge's API: admins see every route the edges serve.</summary>
internal static class EdgeEndpoints
{
    public static RouteGroupBuilder MapEdgeEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("").WithTags("Edge").RequireAuthorization(IdentityExtensions.AdminPolicy);
        admin.MapGet("/routes", ListAsync).WithSummary("Every route with its destinations, their weights and draining state (system admins).");
        return admin;
    }

    private static async Task<Ok<RouteResponse[]>> ListAsync(IEdgeRouter router, CancellationToken cancellationToken)
    {
        var routes = await router.ListRoutesAsync(cancellationToken);
        return TypedResults.Ok(routes.Select(r => new RouteResponse(r.Host, [.. r.Destinations.Select(d => new RouteDestinationResponse(d.Address.ToString(), d.Weight, d.Draining))])).ToArray());
    }
}

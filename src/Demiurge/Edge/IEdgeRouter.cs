namespace Demiurge.Edge;

/// <summary>
/// Routes host patterns under the domain (an organization's gateway, an app, a preview, the
/// dashboard) to weighted destinations. Idempotent; O(1) per change in the embedded edge.
/// </summary>
internal interface IEdgeRouter
{
    /// <summary>
    /// Sets each route, replacing the one its host had; a route with no destinations is removed.
    /// The routes land together where the edge allows it (one store transaction, one nginx reload).
    /// </summary>
    /// <exception cref="ArgumentException">A route is not valid (<see cref="EdgeRoute.Validate"/>); none is set.</exception>
    Task SetRoutesAsync(IReadOnlyList<EdgeRoute> routes, CancellationToken cancellationToken);

    /// <summary>Every route now, with its destinations; for <c>GET /routes</c> and the reconciler.</summary>
    Task<IReadOnlyList<EdgeRoute>> ListRoutesAsync(CancellationToken cancellationToken);
}

namespace Demiurge.Edge;

/// <summary>
/// Routes <c>org-{id}.{domain}</c> and <c>*.org-{id}.{domain}</c> to a gateway. Idempotent,
/// and O(1) per change in the embedded edge.
/// </summary>
internal interface IEdgeRouter
{
    Task SetRouteAsync(string organizationId, Uri gateway, CancellationToken cancellationToken);

    Task RemoveRouteAsync(string organizationId, CancellationToken cancellationToken);

    /// <summary>The organizations that have a route now, whether or not they still hold a gateway; for the reconciler.</summary>
    Task<IReadOnlyCollection<string>> ListRoutedOrganizationsAsync(CancellationToken cancellationToken);
}

namespace Demiurge.Edge;

/// <summary>
/// The published routes. Every change takes the next version, so edges stay current by asking
/// for what changed since the version they have.
/// </summary>
internal interface IEdgeStore
{
    /// <summary>Sets (or, with no destinations, removes) each route in one transaction; returns the new version.</summary>
    Task<long> EdgeRoutesSetAsync(IReadOnlyList<EdgeRoute> routes, CancellationToken cancellationToken);

    /// <summary>Routes changed after <paramref name="afterVersion"/>, removed ones with no destinations, and the current version.</summary>
    Task<(long Version, IReadOnlyList<EdgeRoute> Changes)> EdgeRoutesChangedAsync(long afterVersion, CancellationToken cancellationToken);
}

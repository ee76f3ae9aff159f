namespace Demiurge.Edge;

/// <summary>
/// The published routes. Every change takes the next version, so edges stay current by asking
/// for what changed since the version they have.
/// </summary>
internal interface IEdgeStore
{
    /// <summary>Sets (or, with a null destination, removes) the route for <paramref name="host"/>; returns the new version.</summary>
    Task<long> EdgeRouteSetAsync(string host, Uri? destination, CancellationToken cancellationToken);

    /// <summary>Routes changed after <paramref name="afterVersion"/>, removed ones with no destination, and the current version.</summary>
    Task<(long Version, IReadOnlyList<EdgeRoute> Changes)> EdgeRoutesChangedAsync(long afterVersion, CancellationToken cancellationToken);
}

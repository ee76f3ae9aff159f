namespace Demiurge.Edge;

internal static class EdgeStoreExtensions
{
    /// <summary>Every route that has destinations, by host.</summary>
    public static async Task<IReadOnlyList<EdgeRoute>> EdgeRoutesListAsync(this IEdgeStore store, CancellationToken cancellationToken)
    {
        // Every route ever set, the removed ones kept with no destinations (so that edges
        // following the versions see the removal).
        var (_, routes) = await store.EdgeRoutesChangedAsync(0, cancellationToken);
        return [.. routes.Where(r => !r.IsRemoved).OrderBy(r => r.Host, StringComparer.Ordinal)];
    }
}

namespace Demiurge.Edge;

/// <summary>
/// The destinations of one route that take new requests, ready for a weighted choice with no
/// allocation: the running totals of their weights, searched for a random number below the sum.
/// Draining destinations are left out; the requests they have finish on their own.
/// </summary>
internal sealed class WeightedDestinations
{
    private readonly Uri[] _addresses;
    private readonly int[] _cumulativeWeights;

    public WeightedDestinations(IEnumerable<EdgeDestination> destinations)
    {
        var active = destinations.Where(d => !d.Draining).ToArray();
        _addresses = [.. active.Select(d => d.Address)];
        _cumulativeWeights = new int[active.Length];
        var total = 0;
        for (var i = 0; i < active.Length; i++)
        {
            total += active[i].Weight;
            _cumulativeWeights[i] = total;
        }
    }

    /// <summary>The destination for a new request, or null when every destination drains.</summary>
    public Uri? Pick()
    {
        if (_addresses.Length <= 1)
        {
            return _addresses.Length == 0 ? null : _addresses[0];
        }

        var ticket = Random.Shared.Next(_cumulativeWeights[^1]);
        var index = Array.BinarySearch(_cumulativeWeights, ticket + 1);
        return _addresses[index >= 0 ? index : ~index];
    }
}

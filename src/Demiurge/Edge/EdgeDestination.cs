namespace Demiurge.Edge;

/// <summary>
/// Where a route sends requests: an http(s) address, its share of new requests against the
/// route's other destinations, and whether it is draining (it gets no new requests, while the
/// requests and WebSockets it has finish).
/// </summary>
internal sealed record EdgeDestination(Uri Address, int Weight = 1, bool Draining = false)
{
    /// <summary>The largest weight: nginx's too, which keeps a route's total well inside an int.</summary>
    public const int MaxWeight = 1000;
}

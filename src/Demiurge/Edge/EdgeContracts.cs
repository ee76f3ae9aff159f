namespace Demiurge.Edge;

/// <summary>A route of <c>GET /routes</c>: a host pattern and where its requests go.</summary>
internal sealed record RouteResponse(string Host, IReadOnlyList<RouteDestinationResponse> Destinations);

/// <summary>A destination of a route: its address, its weight among the route's, and whether it drains (no new requests).</summary>
internal sealed record RouteDestinationResponse(string Address, int Weight, bool Draining);

namespace Demiurge.Edge;

/// <summary>A stage-1 route: <paramref name="Host"/> and every name under it go to <paramref name="Destination"/>; null when removed.</summary>
internal sealed record EdgeRoute(string Host, Uri? Destination);

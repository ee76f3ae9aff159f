namespace Demiurge.GatewayProcess.Routing;

/// <summary>Where requests for one user container go: a loopback http(s) URL, without a trailing slash.</summary>
internal sealed record ContainerRoute(string ContainerId, string Destination);

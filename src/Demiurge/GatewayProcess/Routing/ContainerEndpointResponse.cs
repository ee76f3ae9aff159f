namespace Demiurge.GatewayProcess.Routing;

/// <summary>Answer of <c>PUT /containers/{container_id}/endpoint</c>: the endpoint as stored, and the name it is served at.</summary>
internal sealed record ContainerEndpointResponse(string ContainerId, string Url, string Hostname);

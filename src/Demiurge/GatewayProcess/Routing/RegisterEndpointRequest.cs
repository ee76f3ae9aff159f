namespace Demiurge.GatewayProcess.Routing;

/// <summary>Body of <c>PUT /containers/{container_id}/endpoint</c>: where the container listens.</summary>
internal sealed record RegisterEndpointRequest
{
    /// <summary>An http(s) URL on a loopback IP literal, such as <c>http://127.0.0.1:8888</c>; see <see cref="ContainerDestination"/>.</summary>
    public string? Url { get; init; }
}

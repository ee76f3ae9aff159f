using Demiurge.GatewayProcess.OAuth;
namespace Demiurge.GatewayProcess.Containers;

/// <summary>Body of <c>POST /containers</c>: the container's id (a UUID) and the redirect URIs its OAuth client may use.</summary>
internal sealed record CreateContainerRequest
{
    public string? ContainerId { get; init; }

    public IReadOnlyList<string?>? RedirectUris { get; init; }
}

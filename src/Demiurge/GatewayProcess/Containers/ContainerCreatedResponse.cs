using System.Text.Json.Serialization;

namespace Demiurge.GatewayProcess.Containers;

/// <summary>Answer of <c>POST /containers</c>. The container token is shown here once and kept only hashed.</summary>
internal sealed record ContainerCreatedResponse(
    string ContainerId,
    string ContainerToken,
    [property: JsonPropertyName("oauth_client_id")] string OAuthClientId)
{
    /// <summary>The container token is a secret; keep it out of logs.</summary>
    public override string ToString() => $"container {ContainerId} (OAuth client {OAuthClientId})";
}

using System.Text.Json.Serialization;

namespace Demiurge.GatewayProcess.Containers;

/// <summary>A user container the gateway knows: who created it, its token (hashed) and its OAuth client.</summary>
internal sealed record ContainerRecord(
    string ContainerId,
    string CreatedBy,
    string TokenHash,
    [property: JsonPropertyName("oauth_client_id")] string OAuthClientId,
    DateTimeOffset CreatedAt);

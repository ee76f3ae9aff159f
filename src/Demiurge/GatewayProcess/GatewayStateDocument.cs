using System.Text.Json.Serialization;
using Demiurge.GatewayProcess.Containers;
using Demiurge.GatewayProcess.OAuth;
using Demiurge.GatewayProcess.Permissions;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The managers' state as it travels in the organization's <c>gateway_state</c>
/// (docs/gateway-protocol.md, "gateway_state"). Every secret in it is a SHA-256, never the secret.
/// </summary>
internal sealed record GatewayStateDocument(
    int Version = GatewayStateDocument.CurrentVersion,
    PermissionsState? Permissions = null,
    [property: JsonPropertyName("oauth")] OAuthState? OAuth = null,
    IReadOnlyList<ContainerRecord>? Containers = null)
{
    /// <summary>The shape this gateway writes; it refuses to read a newer one rather than overwrite it.</summary>
    public const int CurrentVersion = 1;
}

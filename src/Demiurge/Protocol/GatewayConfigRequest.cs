using System.ComponentModel.DataAnnotations;

namespace Demiurge.Protocol;

/// <summary>Body of <see cref="GatewayPaths.Config"/> (no bearer: the handshake token is the credential).</summary>
public sealed record GatewayConfigRequest
{
    [Required(ErrorMessage = "The handshake_token is required.")]
    public string? HandshakeToken { get; init; }
}

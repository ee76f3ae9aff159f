using System.ComponentModel.DataAnnotations;

namespace Demiurge.Protocol;

// Requests the control plane validates are public: the .NET 10 validation generator only sees public types.

/// <summary>Body of <see cref="GatewayPaths.Ready"/>.</summary>
public sealed record GatewayReadyRequest
{
    [Required(ErrorMessage = "The gateway_id is required.")]
    public string? GatewayId { get; init; }
}

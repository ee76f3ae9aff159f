using System.ComponentModel.DataAnnotations;

namespace Demiurge.Protocol;

/// <summary>Body of <see cref="GatewayPaths.DataPull"/> and <see cref="GatewayPaths.Stop"/>.</summary>
public sealed record OrganizationRequest
{
    [Required(ErrorMessage = "The organization_id is required.")]
    public string? OrganizationId { get; init; }
}

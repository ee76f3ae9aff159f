using System.ComponentModel.DataAnnotations;

namespace Demiurge.Protocol;

/// <summary>Body of <see cref="GatewayPaths.DataPush"/>.</summary>
public sealed record DataPushRequest
{
    /// <summary>
    /// Largest push body the control plane accepts (413 above). A worker splits what it has
    /// unsaved into pushes under it.
    /// </summary>
    public const long MaxBytes = 16 * 1024 * 1024;

    [Required(ErrorMessage = "The organization_id is required.")]
    public string? OrganizationId { get; init; }

    /// <summary>The version this writer last pulled or pushed.</summary>
    [Required(ErrorMessage = "The version is required."), Range(0, long.MaxValue, ErrorMessage = "The version must not be negative.")]
    public long? Version { get; init; }

    [Required(ErrorMessage = "The data is required.")]
    public OrganizationDataPayload? Data { get; init; }
}

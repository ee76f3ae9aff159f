using System.ComponentModel.DataAnnotations;

namespace Demiurge.Gateways;

/// <summary>Body of <c>POST /gateways</c>: how many workers to add now (public for the validation generator).</summary>
public sealed record CreateGatewaysRequest
{
    /// <summary>At most <see cref="MaxCount"/>; the pool's <c>--pool-max</c> bounds it further.</summary>
    public const int MaxCount = 1000;

    [Required(ErrorMessage = "The count is required.")]
    [Range(1, MaxCount, ErrorMessage = "The count must be between 1 and 1000.")]
    public int? Count { get; init; }
}

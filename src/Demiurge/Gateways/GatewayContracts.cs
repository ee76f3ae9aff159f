using System.ComponentModel.DataAnnotations;

namespace Demiurge.Gateways;

// The pool's user and admin API. The protocol between the control plane and its workers is in
// Protocol/. Request contracts are public: the .NET 10 validation generator only sees public types.

public sealed record StartGatewayRequest
{
    [Required(ErrorMessage = "The organization_id is required.")]
    public string? OrganizationId { get; init; }
}

internal sealed record StartGatewayResponse(string GatewayId, string GatewayHostname, string AllocationId);

internal sealed record GatewayResponse(
    string GatewayId,
    string State,
    string? OrganizationId,
    string? AllocationId,
    string Runtime,
    string Address,
    int Port,
    int? Pid,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ReadyAt);

internal sealed record PoolStatsResponse(int Total, int Live, IReadOnlyDictionary<string, int> ByState, int Allocations);

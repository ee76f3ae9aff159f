namespace Demiurge.Gateways;

/// <summary>An organization's claim on a gateway; current while <see cref="EndedAt"/> is null.</summary>
internal sealed record Allocation(
    string AllocationId,
    string OrganizationId,
    string GatewayId,
    AllocationStep Step,
    string? Outcome,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? EndedAt);

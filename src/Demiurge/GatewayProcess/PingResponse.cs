namespace Demiurge.GatewayProcess;

/// <summary>Answer of <c>GET /collab/ping</c>.</summary>
internal sealed record PingResponse(string GatewayId, GatewayWorkerState State, string? OrganizationId, string? AllocationId);

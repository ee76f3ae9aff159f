namespace Demiurge.GatewayProcess;

/// <summary>Answer of <c>POST /collab/start</c> once the gateway serves the organization.</summary>
internal sealed record CollabStartResponse(string AllocationId, string OrganizationId);

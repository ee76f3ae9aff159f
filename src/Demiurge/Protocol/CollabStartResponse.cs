namespace Demiurge.Protocol;

/// <summary>The worker's answer to <see cref="GatewayPaths.Start"/> once it serves the organization.</summary>
internal sealed record CollabStartResponse(string AllocationId, string OrganizationId);

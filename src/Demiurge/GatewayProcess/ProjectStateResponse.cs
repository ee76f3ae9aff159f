namespace Demiurge.GatewayProcess;

/// <summary>Answer of <c>GET /projects/{project_id}/state</c>; the state is null for a project with no document yet.</summary>
internal sealed record ProjectStateResponse(string ProjectId, string? State);

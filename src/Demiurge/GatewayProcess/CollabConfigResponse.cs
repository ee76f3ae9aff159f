namespace Demiurge.GatewayProcess;

/// <summary>Answer of <c>PUT /collab/config</c>: the revision the gateway holds now, and whether this update moved it.</summary>
internal sealed record CollabConfigResponse(string OrganizationId, long SettingsRevision, bool Applied);

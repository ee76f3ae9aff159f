namespace Demiurge.Protocol;

/// <summary>The worker's answer to <see cref="GatewayPaths.CollabConfig"/>: the revision it holds now, and whether this update moved it.</summary>
internal sealed record CollabConfigResponse(string OrganizationId, long SettingsRevision, bool Applied);

namespace Demiurge.GatewayProcess;

/// <summary>Body of <c>POST /gateway/data/push</c>; <see cref="Version"/> is the one this writer last pulled or pushed.</summary>
internal sealed record PushBody(string OrganizationId, long Version, DataPayload Data);

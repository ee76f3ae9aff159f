namespace Demiurge.GatewayProcess;

/// <summary>Body of <c>POST /gateway/data/pull</c> and <c>POST /gateway/stop</c>.</summary>
internal sealed record OrganizationBody(string OrganizationId);

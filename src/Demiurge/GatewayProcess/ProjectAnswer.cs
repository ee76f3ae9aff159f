namespace Demiurge.GatewayProcess;

/// <summary>A project of the organization, as <c>/gateway/config</c> lists them.</summary>
internal sealed record ProjectAnswer(string ProjectId, string Name);

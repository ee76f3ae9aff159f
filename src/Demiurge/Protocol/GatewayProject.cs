namespace Demiurge.Protocol;

/// <summary>A project of the organization: only these have documents (and rooms) on its gateway.</summary>
internal sealed record GatewayProject(string ProjectId, string Name);

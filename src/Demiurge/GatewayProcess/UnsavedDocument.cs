namespace Demiurge.GatewayProcess;

/// <summary>A document not saved yet: its project, its content, and the write that made it (newer writes replace it).</summary>
internal sealed record UnsavedDocument(string ProjectId, string Content, long Write);

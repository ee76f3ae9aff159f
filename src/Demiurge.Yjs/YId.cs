namespace Demiurge.Yjs;

/// <summary>The identity of one unit of a Yjs document: the client that made it and that client's clock.</summary>
internal readonly record struct YId(ulong Client, ulong Clock);

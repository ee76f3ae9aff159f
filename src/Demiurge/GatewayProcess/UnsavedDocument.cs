namespace Demiurge.GatewayProcess;

/// <summary>
/// A document not saved yet: its project, its whole content when that was written whole
/// (<c>yjs_state</c>), the room updates since as one merged update, base64 (<c>yjs_updates</c>),
/// and the newest write it holds (newer writes stay unsaved).
/// </summary>
internal sealed record UnsavedDocument(string ProjectId, string? Content, string? Update, long Write)
{
    /// <summary>Characters it takes in a push, as the control plane counts them.</summary>
    public long Length => (Content?.Length ?? 0) + (Update?.Length ?? 0);
}

namespace Demiurge.GatewayProcess;

/// <summary>
/// One project's document on the gateway, with a lock of its own (<see cref="Gate"/>, which
/// guards the rest): a write to one project never waits on another project's, and a push holds
/// it only to copy references.
/// </summary>
/// <remarks>
/// Two kinds of writes. A whole write replaces <see cref="Content"/> (and is pushed whole); a
/// room's updates are appended to <see cref="Updates"/> and pushed as one merged delta, which the
/// control plane appends to the stored document. While a room is open on the project, the room
/// holds the current document (<see cref="Live"/>); when it unloads, it leaves it in
/// <see cref="Content"/>.
/// </remarks>
internal sealed class ProjectDocument(string? content)
{
    public Lock Gate { get; } = new();

    /// <summary>The document, base64, as pulled, written whole or left by a room; null for none yet. Replaced whole, so it may be read without the lock.</summary>
    public string? Content
    {
        get => Volatile.Read(ref field);
        set => Volatile.Write(ref field, value);
    } = content;

    /// <summary>The room's current document (base64; null while the room has taken no update), while one is open on the project.</summary>
    public Func<string?>? Live { get; set; }

    /// <summary>The organization-wide sequence number of the newest write; 0 for the document as pulled.</summary>
    public long Write { get; set; }

    /// <summary>The write that last replaced <see cref="Content"/> whole; 0 for the document as pulled.</summary>
    public long ContentWrite { get; set; }

    /// <summary>The write the control plane holds, or that was given up as one that can never be saved.</summary>
    public long SavedWrite { get; set; }

    /// <summary>A room's updates not acknowledged by a push yet, oldest first.</summary>
    public List<PendingUpdate> Updates { get; } = [];

    /// <summary>What the document counts towards the organization's quota: its stored size, base64, as far as the gateway knows it.</summary>
    public long Bytes { get; set; } = content?.Length ?? 0;

    public bool Unsaved => Write > SavedWrite;

    /// <summary>Whether <see cref="Content"/> itself is unsaved (a whole write), not only updates.</summary>
    public bool ContentUnsaved => ContentWrite > SavedWrite;
}

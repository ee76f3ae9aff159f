namespace Demiurge.GatewayProcess;

/// <summary>
/// One project's document on the gateway, with a lock of its own (<see cref="Gate"/>, which
/// guards the rest): a write to one project never waits on another project's, and a push holds
/// it only to copy a reference.
/// </summary>
internal sealed class ProjectDocument(string? content)
{
    public Lock Gate { get; } = new();

    /// <summary>The document, base64; null for a project with none yet. Replaced whole, so it may be read without the lock.</summary>
    public string? Content
    {
        get => Volatile.Read(ref field);
        set => Volatile.Write(ref field, value);
    } = content;

    /// <summary>The organization-wide sequence number of the newest write; 0 for the document as pulled.</summary>
    public long Write { get; set; }

    /// <summary>The write the control plane holds, or that was given up as one that can never be saved.</summary>
    public long SavedWrite { get; set; }

    public bool Unsaved => Write != SavedWrite;
}

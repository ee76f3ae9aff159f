using System.Text.Json;
using Demiurge.GatewayProcess.Managers;
using Demiurge.GatewayProcess.Routing;

namespace Demiurge.GatewayProcess;

/// <summary>
/// What changes while a worker serves one organization: its documents, its managers, what is
/// not saved yet, and the clocks of activity, autosave and OAuth cleanup. Not thread-safe:
/// <see cref="GatewayWorker"/> guards it. <c>managersUnsaved</c> says the managers already differ
/// from the stored state (restoring them left entries out), so the next autosave pushes them.
/// Disposed when the organization is dropped, which empties stage 2's routes.
/// </summary>
internal sealed class OrganizationSession(
    IReadOnlyDictionary<string, string> projects, OrganizationManagers managers, bool managersUnsaved, long storedGatewayStateBytes, long version, DateTimeOffset now,
    TimeSpan autosaveInterval, TimeSpan cleanupInterval) : IDisposable
{
    private readonly Dictionary<string, string> _projects = new(projects, StringComparer.Ordinal);

    // What the documents and the stored gateway state weigh, counted as the control plane counts
    // them (the stored texts' lengths), for the organization's quota.
    private long _documentBytes = projects.Values.Sum(p => (long)p.Length);
    private long _gatewayStateBytes = storedGatewayStateBytes;

    // Project id → the write sequence number of its newest unsaved document. A push clears only
    // the entries it carried unchanged, so a write that lands while a push is on the wire stays dirty.
    private readonly Dictionary<string, long> _unsaved = new(StringComparer.Ordinal);
    private long _writes;

    // The managers' revision the control plane holds; -1 when it holds an older state than theirs.
    private long _pushedManagersRevision = managersUnsaved ? -1 : managers.Revision;

    /// <summary>Permissions, OAuth provider and container tokens; their state travels as <c>gateway_state</c>.</summary>
    public OrganizationManagers Managers { get; } = managers;

    /// <summary>Stage 2: the containers' endpoints. Live state of this gateway, never saved: a container registers again with the next gateway.</summary>
    public ContainerRoutes Routes { get; } = new();

    /// <summary>The version this writer last pulled or pushed; sent with the next push.</summary>
    public long Version { get; private set; } = version;

    public DateTimeOffset LastActivityAt { get; private set; } = now;

    public DateTimeOffset? LastPushAt { get; private set; }

    public DateTimeOffset NextAutosaveAt { get; set; } = now + autosaveInterval;

    /// <summary>When the OAuth provider next forgets its expired codes and tokens.</summary>
    public DateTimeOffset NextCleanupAt { get; set; } = now + cleanupInterval;

    /// <summary>A release that failed is not tried again before this.</summary>
    public DateTimeOffset ReleaseNotBefore { get; set; } = DateTimeOffset.MinValue;

    public bool Dirty => _unsaved.Count > 0 || ManagersUnsaved;

    public bool ManagersUnsaved => Managers.Revision != _pushedManagersRevision;

    /// <summary>The organization's data as it will be stored: every document, and the gateway state as last stored.</summary>
    public long UsedBytes => _documentBytes + _gatewayStateBytes;

    public int ProjectCount => _projects.Count;

    /// <summary>The revision of the organization's name, members and projects held here (<c>PUT /collab/config</c>).</summary>
    public long SettingsRevision { get; set; }

    public required string OrganizationName { get; set; }

    /// <summary>The organization's projects, id → name, as of <see cref="SettingsRevision"/>.</summary>
    public required IReadOnlyDictionary<string, string> Projects { get; set; }

    /// <summary>Most the organization may store, as of <see cref="SettingsRevision"/> (a system admin may change it while it is served).</summary>
    public required long StorageQuotaBytes { get; set; }

    /// <summary>
    /// Takes a newer revision of the settings. Documents of projects that were listed and are no
    /// longer (deleted) are forgotten, unsaved ones included: the control plane deleted them.
    /// Returns how many documents were forgotten.
    /// </summary>
    public int ApplySettings(long revision, string organizationName, IReadOnlyDictionary<string, string> projects)
    {
        var forgotten = 0;
        foreach (var deleted in Projects.Keys.Where(id => !projects.ContainsKey(id)))
        {
            forgotten += _projects.Remove(deleted) ? 1 : 0;
            _unsaved.Remove(deleted);
        }

        SettingsRevision = revision;
        OrganizationName = organizationName;
        Projects = projects;
        return forgotten;
    }

    /// <summary>User activity: re-arms the inactivity deadline.</summary>
    public void Touch(DateTimeOffset now) => LastActivityAt = now;

    public string? Read(string projectId) => _projects.GetValueOrDefault(projectId);

    /// <summary>
    /// Replaces the project's document unless that would take <see cref="UsedBytes"/> over
    /// <paramref name="quotaBytes"/>; a write that does not make the data grow always passes.
    /// </summary>
    public bool TryWrite(string projectId, string state, long quotaBytes)
    {
        var after = UsedBytes - (_projects.GetValueOrDefault(projectId)?.Length ?? 0) + state.Length;
        if (after > quotaBytes && after > UsedBytes)
        {
            return false;
        }

        _documentBytes = after - _gatewayStateBytes;
        _projects[projectId] = state;
        _unsaved[projectId] = ++_writes;
        return true;
    }

    /// <summary>The unsaved documents, each with the write number that <see cref="MarkPushed"/> and <see cref="Discard"/> need.</summary>
    public List<UnsavedDocument> UnsavedDocuments() =>
        [.. _unsaved.OrderBy(u => u.Value).Select(u => new UnsavedDocument(u.Key, _projects[u.Key], u.Value))];

    /// <summary>The managers' whole state, and the revision it is of.</summary>
    public (JsonElement State, long Revision) ExportGatewayState() => (GatewayStateJson.Write(Managers.Export()), Managers.Revision);

    /// <summary>
    /// Takes the control plane's version after a push whose answer was lost: only this
    /// allocation can have written since its pull, so that version holds this session's own writes.
    /// </summary>
    public void AdoptVersion(long version) => Version = version;

    /// <summary>
    /// Marks what a push carried as saved (the gateway state with its revision and size, when it
    /// carried it); what changed since it was taken stays unsaved.
    /// </summary>
    public void MarkPushed(IEnumerable<UnsavedDocument> pushed, (long Revision, long Bytes)? gatewayState, long newVersion, DateTimeOffset now)
    {
        foreach (var document in pushed)
        {
            Discard(document);
        }

        if (gatewayState is { } state)
        {
            _pushedManagersRevision = state.Revision;
            _gatewayStateBytes = state.Bytes;
        }

        Version = newVersion;
        LastPushAt = now;
    }

    /// <summary>Takes a document off the unsaved set, unless it was written again since <paramref name="document"/> was taken.</summary>
    public void Discard(UnsavedDocument document)
    {
        if (_unsaved.TryGetValue(document.ProjectId, out var current) && current == document.Write)
        {
            _unsaved.Remove(document.ProjectId);
        }
    }

    /// <summary>Gives up saving the managers' state of <paramref name="revision"/>: a later change makes it unsaved again.</summary>
    public void DiscardGatewayState(long revision) => _pushedManagersRevision = revision;

    public void Dispose() => Routes.Dispose();
}

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
    IReadOnlyDictionary<string, string> projects, OrganizationManagers managers, bool managersUnsaved, long version, DateTimeOffset now,
    TimeSpan autosaveInterval, TimeSpan cleanupInterval) : IDisposable
{
    private readonly Dictionary<string, string> _projects = new(projects, StringComparer.Ordinal);

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

    public bool Dirty => _unsaved.Count > 0 || Managers.Revision != _pushedManagersRevision;

    public int ProjectCount => _projects.Count;

    /// <summary>The revision of the organization's name, members and projects held here (<c>PUT /collab/config</c>).</summary>
    public long SettingsRevision { get; set; }

    public required string OrganizationName { get; set; }

    /// <summary>The organization's projects, id → name, as of <see cref="SettingsRevision"/>.</summary>
    public required IReadOnlyDictionary<string, string> Projects { get; set; }

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

    public void Write(string projectId, string state)
    {
        _projects[projectId] = state;
        _unsaved[projectId] = ++_writes;
    }

    /// <summary>
    /// The unsaved documents to push, the managers' whole state, and the write numbers and
    /// revision that <see cref="MarkPushed"/> needs.
    /// </summary>
    public (Dictionary<string, string> Projects, JsonElement GatewayState, Dictionary<string, long> Writes, long ManagersRevision) Unsaved() =>
        (_unsaved.Keys.ToDictionary(id => id, id => _projects[id], StringComparer.Ordinal), GatewayStateJson.Write(Managers.Export()),
            new Dictionary<string, long>(_unsaved, StringComparer.Ordinal), Managers.Revision);

    /// <summary>
    /// Takes the control plane's version after a push whose answer was lost: only this
    /// allocation can have written since its pull, so that version holds this session's own writes.
    /// </summary>
    public void AdoptVersion(long version) => Version = version;

    /// <summary>Marks what a push carried as saved; what changed since it was taken stays unsaved.</summary>
    public void MarkPushed(IReadOnlyDictionary<string, long> pushed, long managersRevision, long newVersion, DateTimeOffset now)
    {
        foreach (var (projectId, write) in pushed)
        {
            if (_unsaved.TryGetValue(projectId, out var current) && current == write)
            {
                _unsaved.Remove(projectId);
            }
        }

        _pushedManagersRevision = managersRevision;
        Version = newVersion;
        LastPushAt = now;
    }

    public void Dispose() => Routes.Dispose();
}

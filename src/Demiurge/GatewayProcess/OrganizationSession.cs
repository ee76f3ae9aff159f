using System.Text.Json;

namespace Demiurge.GatewayProcess;

/// <summary>
/// What changes while a worker serves one organization: its documents, what is not saved yet,
/// and the clocks of activity and autosave. Not thread-safe: <see cref="GatewayWorker"/> guards it.
/// </summary>
internal sealed class OrganizationSession(
    IReadOnlyDictionary<string, string> projects, JsonElement? gatewayState, long version, DateTimeOffset now, TimeSpan autosaveInterval)
{
    private readonly Dictionary<string, string> _projects = new(projects, StringComparer.Ordinal);

    // Project id → the write sequence number of its newest unsaved document. A push clears only
    // the entries it carried unchanged, so a write that lands while a push is on the wire stays dirty.
    private readonly Dictionary<string, long> _unsaved = new(StringComparer.Ordinal);
    private long _writes;

    public JsonElement? GatewayState { get; } = gatewayState;

    /// <summary>The version this writer last pulled or pushed; sent with the next push.</summary>
    public long Version { get; private set; } = version;

    public DateTimeOffset LastActivityAt { get; private set; } = now;

    public DateTimeOffset? LastPushAt { get; private set; }

    public DateTimeOffset NextAutosaveAt { get; set; } = now + autosaveInterval;

    /// <summary>A release that failed is not tried again before this.</summary>
    public DateTimeOffset ReleaseNotBefore { get; set; } = DateTimeOffset.MinValue;

    public bool Dirty => _unsaved.Count > 0;

    public int ProjectCount => _projects.Count;

    /// <summary>User activity: re-arms the inactivity deadline.</summary>
    public void Touch(DateTimeOffset now) => LastActivityAt = now;

    public string? Read(string projectId) => _projects.GetValueOrDefault(projectId);

    public void Write(string projectId, string state)
    {
        _projects[projectId] = state;
        _unsaved[projectId] = ++_writes;
    }

    /// <summary>The unsaved documents to push, and the write numbers that <see cref="MarkPushed"/> needs.</summary>
    public (Dictionary<string, string> Projects, Dictionary<string, long> Writes) Unsaved() =>
        (_unsaved.Keys.ToDictionary(id => id, id => _projects[id], StringComparer.Ordinal), new Dictionary<string, long>(_unsaved, StringComparer.Ordinal));

    public void MarkPushed(IReadOnlyDictionary<string, long> pushed, long newVersion, DateTimeOffset now)
    {
        foreach (var (projectId, write) in pushed)
        {
            if (_unsaved.TryGetValue(projectId, out var current) && current == write)
            {
                _unsaved.Remove(projectId);
            }
        }

        Version = newVersion;
        LastPushAt = now;
    }
}

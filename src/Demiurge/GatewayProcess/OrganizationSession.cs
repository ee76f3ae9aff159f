using System.Collections.Concurrent;
using System.Text.Json;
using Demiurge.GatewayProcess.Routing;

namespace Demiurge.GatewayProcess;

/// <summary>
/// What changes while a worker serves one organization: its config, its documents, its managers,
/// what is not saved yet, and the clocks of activity, autosave and OAuth cleanup.
/// <c>managersUnsaved</c> says the managers already differ from the stored state (restoring them
/// left entries out), so the next autosave pushes them. Disposed when the organization is
/// dropped, which empties stage 2's routes.
/// </summary>
/// <remarks>
/// No lock of the worker guards the organization's data. Each project's document has its own
/// (<see cref="ProjectDocument.Gate"/>), and the managers and routes theirs
/// (<see cref="ManagersLock"/>), so one project's traffic never waits on another's, on the
/// managers, or on a push, which holds each lock only to copy a reference. Each checks
/// <see cref="Open"/> under its lock: once a release has closed the session, the final push, which
/// takes every lock after, holds every change that was let in. The autosave, cleanup and release
/// clocks are the state machine's, under its lock.
/// </remarks>
internal sealed partial class OrganizationSession : IDisposable
{
    private readonly ConcurrentDictionary<string, ProjectDocument> _documents;

    // What the documents and the stored gateway state weigh, counted as the control plane counts
    // them (the stored texts' lengths), for the organization's quota.
    private long _documentBytes;
    private long _gatewayStateBytes;

    // The organization-wide sequence of writes: a push clears only the documents it carried
    // unchanged, so a write that lands while a push is on the wire stays unsaved.
    private long _writes;

    // The managers' revision the control plane holds; -1 when it holds an older state than theirs. Under ManagersLock.
    private long _pushedManagersRevision;

    // Room updates not acknowledged yet, over every project, and when the newest came (UTC ticks): the rooms' save cadence.
    private long _unsavedUpdates;
    private long _lastUpdateTicks;

    // Written by the pushes, read by ping and activity: kept as ticks (0: never pushed) so that no read is torn.
    private long _version;
    private long _lastActivityTicks;
    private long _lastPushTicks;
    private ServedConfig _config;
    private volatile bool _open = true;
    private CancellationTokenSource _closing = new();

    public OrganizationSession(
        ServedConfig config, IReadOnlyDictionary<string, string> documents, OrganizationManagers managers, bool managersUnsaved, long storedGatewayStateBytes,
        long version, DateTimeOffset now, TimeSpan autosaveInterval, TimeSpan cleanupInterval)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(managers);
        _config = config;
        _documents = new(documents.Select(d => KeyValuePair.Create(d.Key, new ProjectDocument(d.Value))), StringComparer.Ordinal);
        _documentBytes = documents.Values.Sum(d => (long)d.Length);
        _gatewayStateBytes = storedGatewayStateBytes;
        Managers = managers;
        _pushedManagersRevision = managersUnsaved ? -1 : managers.Revision;
        _version = version;
        _lastActivityTicks = now.UtcTicks;
        NextAutosaveAt = now + autosaveInterval;
        NextCleanupAt = now + cleanupInterval;
    }

    /// <summary>Guards <see cref="Managers"/> and <see cref="Routes"/> (but for <see cref="ContainerRoutes.End"/>).</summary>
    public Lock ManagersLock { get; } = new();

    /// <summary>Permissions, OAuth provider and container tokens; their state travels as <c>gateway_state</c>.</summary>
    public OrganizationManagers Managers { get; }

    /// <summary>Stage 2: the containers' endpoints. Live state of this gateway, never saved: a container registers again with the next gateway.</summary>
    public ContainerRoutes Routes { get; } = new();

    /// <summary>Whether users' changes are let in: from the handshake until a release or shutdown starts its final push.</summary>
    public bool Open => _open;

    /// <summary>Cancelled when <see cref="Close"/> stops letting changes in: the rooms close their connections then.</summary>
    public CancellationToken Closing => Volatile.Read(ref _closing).Token;

    /// <summary>The organization's name, members, projects and quota, as the newest config applied set them.</summary>
    public ServedConfig Config => Volatile.Read(ref _config);

    /// <summary>The version this writer last pulled or pushed; sent with the next push.</summary>
    public long Version => Interlocked.Read(ref _version);

    public DateTimeOffset LastActivityAt => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    public DateTimeOffset? LastPushAt => Interlocked.Read(ref _lastPushTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public DateTimeOffset NextAutosaveAt { get; set; }

    /// <summary>When the OAuth provider next forgets its expired codes and tokens.</summary>
    public DateTimeOffset NextCleanupAt { get; set; }

    /// <summary>A release that failed is not tried again before this.</summary>
    public DateTimeOffset ReleaseNotBefore { get; set; } = DateTimeOffset.MinValue;

    public bool Dirty => ManagersUnsaved || _documents.Values.Any(document =>
    {
        lock (document.Gate)
        {
            return document.Unsaved;
        }
    });

    public bool ManagersUnsaved
    {
        get
        {
            lock (ManagersLock)
            {
                return Managers.Revision != _pushedManagersRevision;
            }
        }
    }

    /// <summary>The organization's data as it will be stored: every document, and the gateway state as last stored.</summary>
    public long UsedBytes => Interlocked.Read(ref _documentBytes) + Interlocked.Read(ref _gatewayStateBytes);

    /// <summary>
    /// Stops letting changes in, once those under way are done: what the final push takes next
    /// holds all that was let in.
    /// </summary>
    public void Close()
    {
        lock (ManagersLock)
        {
            _open = false;
        }

        Volatile.Read(ref _closing).Cancel();
    }

    /// <summary>A release that could not finish: changes are let in again (rooms open anew).</summary>
    public void Reopen()
    {
        // The old one is cancelled: its rooms are closed. Not disposed, so that a room being opened on it meanwhile still registers.
        Interlocked.Exchange(ref _closing, new CancellationTokenSource());
        _open = true;
    }

    /// <summary>
    /// Takes <paramref name="config"/> if it is a newer revision than the one held; false if not.
    /// The members replace the permission manager's at once; documents of projects that are no
    /// longer listed (deleted) are forgotten, unsaved ones included: the control plane deleted
    /// them. <paramref name="forgotten"/> counts them.
    /// </summary>
    public bool Apply(ServedConfig config, out int forgotten)
    {
        ArgumentNullException.ThrowIfNull(config);
        forgotten = 0;
        lock (ManagersLock)
        {
            if (config.Revision <= Config.Revision)
            {
                return false;
            }

            Managers.Permissions.Replace(config.Members);
            // Before the documents go: a writer that finds a document after this sees it is not a project any more.
            Volatile.Write(ref _config, config);
            foreach (var projectId in _documents.Keys.Where(id => !config.Projects.ContainsKey(id)))
            {
                if (_documents.TryRemove(projectId, out var document))
                {
                    lock (document.Gate)
                    {
                        forgotten += document.Content is null && document.Updates.Count == 0 ? 0 : 1;
                        Interlocked.Add(ref _documentBytes, -document.Bytes);
                        Interlocked.Add(ref _unsavedUpdates, -document.Updates.Count);
                        (document.Content, document.Bytes) = (null, 0);
                        document.Updates.Clear();
                    }
                }
            }

            return true;
        }
    }

    /// <summary>User activity: re-arms the inactivity deadline.</summary>
    public void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastActivityTicks, now.UtcTicks);

    /// <summary>The document of <paramref name="projectId"/> held here, if any (none before the project's first write, or pulled document).</summary>
    public ProjectDocument? Document(string projectId) => _documents.GetValueOrDefault(projectId);

    /// <summary>The project's document, unless the session is closed or it is not a project of the organization.</summary>
    public ProjectAccess Read(string projectId, out string? content)
    {
        // A reference, swapped whole by each write: no lock needed to read it. An open room holds the newest.
        var document = Document(projectId);
        content = document?.Live?.Invoke() ?? document?.Content;
        return !Open ? ProjectAccess.NotServing : Config.Projects.ContainsKey(projectId) ? ProjectAccess.Done : ProjectAccess.UnknownProject;
    }

    /// <summary>
    /// Replaces the project's document unless that would take <see cref="UsedBytes"/> over the
    /// organization's quota; a write that does not make the data grow always passes.
    /// </summary>
    public ProjectAccess Write(string projectId, string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!Config.Projects.ContainsKey(projectId))
        {
            return Open ? ProjectAccess.UnknownProject : ProjectAccess.NotServing;
        }

        var document = _documents.GetOrAdd(projectId, static _ => new ProjectDocument(null));
        lock (document.Gate)
        {
            if (!Open)
            {
                return ProjectAccess.NotServing;
            }

            // Checked again under the document's lock: a config that deleted the project meanwhile forgets it.
            if (!Config.Projects.ContainsKey(projectId))
            {
                return ProjectAccess.UnknownProject;
            }

            if (!TryReserve(state.Length - document.Bytes, Config.StorageQuotaBytes))
            {
                return ProjectAccess.QuotaExceeded;
            }

            // A whole write replaces the room updates before it too.
            Interlocked.Add(ref _unsavedUpdates, -document.Updates.Count);
            document.Updates.Clear();
            (document.Content, document.Bytes) = (state, state.Length);
            document.Write = document.ContentWrite = Interlocked.Increment(ref _writes);
            return ProjectAccess.Done;
        }
    }

    /// <summary>The unsaved documents, each with the write number that <see cref="MarkPushed"/> and <see cref="Discard"/> need.</summary>
    /// <remarks>A document's room updates are merged into one delta out of its lock.</remarks>
    public List<UnsavedDocument> UnsavedDocuments()
    {
        var unsaved = new List<(string ProjectId, string? Content, List<ReadOnlyMemory<byte>> Updates, long Write)>();
        foreach (var (projectId, document) in _documents)
        {
            lock (document.Gate)
            {
                var content = document.ContentUnsaved ? document.Content : null;
                if (document.Unsaved && (content is not null || document.Updates.Count > 0))
                {
                    unsaved.Add((projectId, content, [.. document.Updates.Select(u => (ReadOnlyMemory<byte>)u.Update)], document.Write));
                }
            }
        }

        return [.. unsaved.OrderBy(d => d.Write).Select(d => new UnsavedDocument(d.ProjectId, d.Content,
            d.Updates.Count == 0 ? null : Convert.ToBase64String(Demiurge.Yjs.YUpdate.Merge(d.Updates)), d.Write))];
    }

    /// <summary>The managers' whole state, and the revision it is of.</summary>
    public (JsonElement State, long Revision) ExportGatewayState()
    {
        lock (ManagersLock)
        {
            return (GatewayStateJson.Write(Managers.Export()), Managers.Revision);
        }
    }

    /// <summary>
    /// Takes the control plane's version after a push whose answer was lost: only this
    /// allocation can have written since its pull, so that version holds this session's own writes.
    /// </summary>
    public void AdoptVersion(long version) => Interlocked.Exchange(ref _version, version);

    /// <summary>
    /// Marks what a push carried as saved (the gateway state with its revision and size, when it
    /// carried it); what changed since it was taken stays unsaved.
    /// </summary>
    public void MarkPushed(IEnumerable<UnsavedDocument> pushed, (long Revision, long Bytes)? gatewayState, long newVersion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pushed);
        foreach (var document in pushed)
        {
            Discard(document);
        }

        if (gatewayState is { } state)
        {
            DiscardGatewayState(state.Revision);
            Interlocked.Exchange(ref _gatewayStateBytes, state.Bytes);
        }

        Interlocked.Exchange(ref _version, newVersion);
        Interlocked.Exchange(ref _lastPushTicks, now.UtcTicks);
    }

    /// <summary>Takes what <paramref name="unsaved"/> held off the unsaved set; what was written since stays.</summary>
    public void Discard(UnsavedDocument unsaved)
    {
        ArgumentNullException.ThrowIfNull(unsaved);
        if (Document(unsaved.ProjectId) is { } document)
        {
            lock (document.Gate)
            {
                document.SavedWrite = Math.Max(document.SavedWrite, unsaved.Write);
                var removed = document.Updates.RemoveAll(u => u.Write <= unsaved.Write);
                Interlocked.Add(ref _unsavedUpdates, -removed);
            }
        }
    }

    /// <summary>Gives up saving the managers' state of <paramref name="revision"/>: a later change makes it unsaved again.</summary>
    public void DiscardGatewayState(long revision)
    {
        lock (ManagersLock)
        {
            _pushedManagersRevision = revision;
        }
    }

    public void Dispose()
    {
        Routes.Dispose();
        _closing.Dispose();
    }

    /// <summary>Counts <paramref name="delta"/> more bytes of documents, unless they grow the data over <paramref name="quotaBytes"/>.</summary>
    private bool TryReserve(long delta, long quotaBytes)
    {
        while (true)
        {
            var documents = Interlocked.Read(ref _documentBytes);
            if (delta > 0 && documents + delta + Interlocked.Read(ref _gatewayStateBytes) > quotaBytes)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _documentBytes, documents + delta, documents) == documents)
            {
                return true;
            }
        }
    }
}

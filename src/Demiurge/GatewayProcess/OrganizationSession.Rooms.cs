namespace Demiurge.GatewayProcess;

/// <summary>The rooms' side of the organization's documents: updates appended and pushed as deltas, and the rooms that hold a project's document while open.</summary>
internal sealed partial class OrganizationSession
{
    /// <summary>
    /// Appends a room's Yjs update to the project's document, to be pushed as a delta, unless the
    /// session is closed, it is not a project, or its stored size (base64) would take
    /// <see cref="UsedBytes"/> over the organization's quota.
    /// </summary>
    public ProjectAccess Append(string projectId, byte[] update, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(update);
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

            if (!Config.Projects.ContainsKey(projectId))
            {
                return ProjectAccess.UnknownProject;
            }

            var bytes = Base64Length(update.Length);
            if (!TryReserve(bytes, Config.StorageQuotaBytes))
            {
                return ProjectAccess.QuotaExceeded;
            }

            document.Bytes += bytes;
            document.Write = Interlocked.Increment(ref _writes);
            document.Updates.Add(new PendingUpdate(update, document.Write, now.UtcTicks));
            Interlocked.Increment(ref _unsavedUpdates);
            Interlocked.Exchange(ref _lastUpdateTicks, now.UtcTicks);
            return ProjectAccess.Done;
        }
    }

    /// <summary>
    /// Whether the rooms' updates are due for a push: <paramref name="delay"/> after the newest, or,
    /// while edits go on, <paramref name="maxDelay"/> after the oldest unsaved one.
    /// </summary>
    public bool UpdatesDue(DateTimeOffset now, TimeSpan delay, TimeSpan maxDelay)
    {
        if (Interlocked.Read(ref _unsavedUpdates) <= 0)
        {
            return false;
        }

        if (now.UtcTicks - Interlocked.Read(ref _lastUpdateTicks) >= delay.Ticks)
        {
            return true;
        }

        var oldest = long.MaxValue;
        foreach (var document in _documents.Values)
        {
            lock (document.Gate)
            {
                if (document.Updates.Count > 0)
                {
                    oldest = Math.Min(oldest, document.Updates[0].AtTicks);
                }
            }
        }

        return oldest != long.MaxValue && now.UtcTicks - oldest >= maxDelay.Ticks;
    }

    /// <summary>Whether the project has room updates not acknowledged by a push.</summary>
    public bool HasUnsavedUpdates(string projectId)
    {
        if (Document(projectId) is not { } document)
        {
            return false;
        }

        lock (document.Gate)
        {
            return document.Updates.Count > 0;
        }
    }

    /// <summary>
    /// A room opens on the project: reads go to <paramref name="live"/> until <see cref="Unload"/>.
    /// The whole write the room's document starts from, for <see cref="Unload"/>.
    /// </summary>
    public long Attach(string projectId, Func<string?> live)
    {
        var document = _documents.GetOrAdd(projectId, static _ => new ProjectDocument(null));
        lock (document.Gate)
        {
            document.Live = live;
            return document.ContentWrite;
        }
    }

    /// <summary>
    /// A room unloads: its document (base64, null if it took no update) becomes the project's
    /// content here, already saved as the updates pushed, unless a whole write replaced the
    /// content since the room opened (<paramref name="contentWrite"/>).
    /// </summary>
    public void Unload(string projectId, string? content, long contentWrite)
    {
        if (Document(projectId) is not { } document)
        {
            return;
        }

        lock (document.Gate)
        {
            document.Live = null;
            if (content is not null && document.ContentWrite == contentWrite)
            {
                document.Content = content;
                Interlocked.Add(ref _documentBytes, content.Length - document.Bytes);
                document.Bytes = content.Length;
            }
        }
    }

    /// <summary>
    /// A room merged its document: <paramref name="bytes"/> (its size, base64) is what the project
    /// will store once the control plane compacts it, and what it counts towards the quota now.
    /// </summary>
    public void Resize(string projectId, long bytes)
    {
        if (Document(projectId) is not { } document)
        {
            return;
        }

        lock (document.Gate)
        {
            Interlocked.Add(ref _documentBytes, bytes - document.Bytes);
            document.Bytes = bytes;
        }
    }

    /// <summary>The length of <paramref name="bytes"/> bytes in base64, as the control plane stores them.</summary>
    public static long Base64Length(long bytes) => (bytes + 2) / 3 * 4;
}

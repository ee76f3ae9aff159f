using Demiurge.Protocol;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The served organization's traffic: project documents, the managers, and config updates. None
/// of it takes the state machine's lock for longer than reading which session is served: each
/// uses the session's own locks.
/// </summary>
internal sealed partial class GatewayWorker
{
    /// <summary>The project's document, when it is a project of the organization served. User activity.</summary>
    public ProjectAccess ReadProject(string projectId, out ProjectStateResponse? document)
    {
        document = null;
        if (Served() is not { } session)
        {
            return ProjectAccess.NotServing;
        }

        session.Touch(_time.GetUtcNow());
        var access = session.Read(projectId, out var content);
        document = access == ProjectAccess.Done ? new ProjectStateResponse(projectId, content) : null;
        return access;
    }

    /// <summary>
    /// Replaces the project's document and marks it unsaved, when it is a project of the
    /// organization served and the organization's data stays within its quota (else nothing
    /// changes). <paramref name="quotaBytes"/> and <paramref name="usedBytes"/> say where it
    /// stands. User activity.
    /// </summary>
    public ProjectAccess WriteProject(string projectId, string state, out long quotaBytes, out long usedBytes)
    {
        (quotaBytes, usedBytes) = (0, 0);
        if (Served() is not { } session)
        {
            return ProjectAccess.NotServing;
        }

        session.Touch(_time.GetUtcNow());
        var access = session.Write(projectId, state);
        (quotaBytes, usedBytes) = (session.Config.StorageQuotaBytes, session.UsedBytes);
        return access;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the served organization's session, with the current
    /// time, under the session's managers lock: in memory only, never the network. False when
    /// the gateway serves no organization. The action decides whether the request is user
    /// activity (<see cref="OrganizationSession.Touch"/>); what it changes in the managers is
    /// pushed with the next autosave.
    /// </summary>
    public bool TryWithSession<T>(Func<OrganizationSession, DateTimeOffset, T> action, out T? result)
    {
        result = default;
        return Served() is { } session && TryWithSession(session, action, out result);
    }

    /// <summary>
    /// Applies <paramref name="config"/> (which passed <see cref="ControlPlaneAnswers.ConfigError"/>)
    /// if it is for the organization served now and newer than what the gateway holds. The
    /// members replace the permission manager's at once, so a removed member's next request, and
    /// every OAuth token of theirs, is refused; documents of projects no longer listed are
    /// forgotten and never pushed. Null when the gateway serves no such organization.
    /// </summary>
    public CollabConfigResponse? ApplyConfig(OrganizationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        OrganizationSession session;
        lock (_lock)
        {
            if (_state != GatewayWorkerState.Serving || _session is null || _allocation?.OrganizationId != config.OrganizationId)
            {
                return null;
            }

            session = _session;
        }

        var served = ServedConfig.From(config);
        if (!session.Apply(served, out var forgotten))
        {
            return new CollabConfigResponse(config.OrganizationId!, session.Config.Revision, Applied: false);
        }

        Log.ConfigApplied(_logger, _options.GatewayId, config.OrganizationId!, served.Revision, served.Members.Count, served.Projects.Count, forgotten);
        return new CollabConfigResponse(config.OrganizationId!, served.Revision, Applied: true);
    }

    private bool TryWithSession<T>(OrganizationSession session, Func<OrganizationSession, DateTimeOffset, T> action, out T? result)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (session.ManagersLock)
        {
            if (!session.Open)
            {
                result = default;
                return false;
            }

            result = action(session, _time.GetUtcNow());
            return true;
        }
    }

    /// <summary>The session of the organization served now, if any; closed sessions refuse what is asked of them.</summary>
    private OrganizationSession? Served() => Volatile.Read(ref _session);
}

using System.Buffers.Text;
using System.Text.Json;
using Demiurge.Common;
using Demiurge.GatewayProcess.Managers;
using Demiurge.GatewayProcess.Routing;
using Demiurge.Identity;
using Demiurge.Store;
using Microsoft.Extensions.Options;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The gateway's state machine, one per process: idle → handshaking → serving → releasing → idle.
/// It holds at most one organization at a time and is its only writer on the control plane.
/// </summary>
/// <remarks>
/// Two guards. <see cref="_lock"/> protects the fields and is held only for in-memory work,
/// never across an await, so ping and project reads never wait for the network.
/// <see cref="_writer"/> serializes every exchange that changes the organization's state on the
/// control plane (handshake, push, stop, final push at shutdown): two of them never overlap, so
/// there is never a second writer, and a push's version is always the last one this gateway saw.
/// </remarks>
internal sealed partial class GatewayWorker : IDisposable
{
    /// <summary>Longest handshake token accepted; the control plane's tokens are far shorter.</summary>
    public const int MaxHandshakeTokenLength = 512;

    private readonly GatewayProcessOptions _options;
    private readonly ControlPlaneClient _controlPlane;
    private readonly UserTokenVerifier _users;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayWorker> _logger;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly CancellationTokenSource _shutdown = new();

    // Guarded by _lock.
    private GatewayWorkerState _state = GatewayWorkerState.Idle;
    private string? _handshakeTokenHash;
    private Task<StartResult>? _handshake;
    private GatewayAllocation? _allocation;
    private OrganizationSession? _session;
    private long _readyGeneration;

    private long _ticksCompleted;

    public GatewayWorker(
        IOptions<GatewayProcessOptions> options, ControlPlaneClient controlPlane, UserTokenVerifier users, TimeProvider time, ILogger<GatewayWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _controlPlane = controlPlane;
        _users = users;
        _time = time;
        _logger = logger;
    }

    public string GatewayId => _options.GatewayId;

    /// <summary>Ticks handled so far; a test that moves a fake clock waits on it to know a tick has run.</summary>
    public long TicksCompleted => Interlocked.Read(ref _ticksCompleted);

    /// <summary>
    /// Tells the control plane that this gateway is idle, in the background: <c>POST /gateway/ready</c>
    /// with backoff until it is accepted, refused for good (409), the gateway is allocated, or it stops.
    /// </summary>
    public void AnnounceReady()
    {
        long generation;
        lock (_lock)
        {
            if (_shutdown.IsCancellationRequested || _state != GatewayWorkerState.Idle)
            {
                return;
            }

            generation = ++_readyGeneration;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await AnnounceReadyAsync(generation);
            }
#pragma warning disable CA1031 // Nobody awaits this loop: a bug in it must at least be logged.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogReadyCrashed(_logger, exception, _options.GatewayId);
            }
        });
    }

    /// <summary>
    /// <c>POST /collab/start</c>: redeem the handshake token, pull the organization's data and serve
    /// it. Every call with the token of the current allocation gets that allocation's answer, and
    /// only the first one talks to the control plane.
    /// </summary>
    public async Task<StartResult> StartAsync(string handshakeToken, CancellationToken cancellationToken)
    {
        var hash = Tokens.Hash(handshakeToken);
        Task<StartResult> handshake;
        lock (_lock)
        {
            if (_handshake is not null && _handshakeTokenHash == hash && _state is GatewayWorkerState.Handshaking or GatewayWorkerState.Serving)
            {
                handshake = _handshake;
            }
            else if (_shutdown.IsCancellationRequested)
            {
                return StartResult.Unavailable("The gateway is shutting down.");
            }
            else if (_state != GatewayWorkerState.Idle)
            {
                var what = _allocation is { } current ? $"allocation {current.AllocationId} of organization {current.OrganizationId}" : "another allocation";
                return StartResult.Conflict($"The gateway is {Format(_state)} for {what}; it serves one organization at a time.");
            }
            else
            {
                _state = GatewayWorkerState.Handshaking;
                _handshakeTokenHash = hash;
                _readyGeneration++; // the control plane has us: stop announcing
                // Its own task: a caller that gives up does not abort the handshake the others wait for.
                handshake = _handshake = Task.Run(() => HandshakeAsync(handshakeToken, hash));
            }
        }

        return await handshake.WaitAsync(cancellationToken);
    }

    /// <summary>The project's document, when it is a project of the organization served. User activity.</summary>
    public ProjectAccess ReadProject(string projectId, out ProjectStateResponse? document)
    {
        document = null;
        lock (_lock)
        {
            if (_state != GatewayWorkerState.Serving || _session is null || _allocation is null)
            {
                return ProjectAccess.NotServing;
            }

            _session.Touch(_time.GetUtcNow());
            if (!_session.Projects.ContainsKey(projectId))
            {
                return ProjectAccess.UnknownProject;
            }

            document = new ProjectStateResponse(projectId, _session.Read(projectId));
            return ProjectAccess.Done;
        }
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
        lock (_lock)
        {
            if (_state != GatewayWorkerState.Serving || _session is null || _allocation is null)
            {
                return ProjectAccess.NotServing;
            }

            _session.Touch(_time.GetUtcNow());
            if (!_session.Projects.ContainsKey(projectId))
            {
                return ProjectAccess.UnknownProject;
            }

            var written = _session.TryWrite(projectId, state, _session.StorageQuotaBytes);
            (quotaBytes, usedBytes) = (_session.StorageQuotaBytes, _session.UsedBytes);
            return written ? ProjectAccess.Done : ProjectAccess.QuotaExceeded;
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the served organization's session, with the current
    /// time, under the worker's lock: in memory only, never the network. False when the gateway
    /// serves no organization. The action decides whether the request is user activity
    /// (<see cref="OrganizationSession.Touch"/>); what it changes in the managers is pushed with
    /// the next autosave.
    /// </summary>
    public bool TryWithSession<T>(Func<OrganizationSession, DateTimeOffset, T> action, out T? result)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_lock)
        {
            if (_state != GatewayWorkerState.Serving || _session is null)
            {
                result = default;
                return false;
            }

            result = action(_session, _time.GetUtcNow());
            return true;
        }
    }

    public GatewaySnapshot Snapshot()
    {
        lock (_lock)
        {
            // No release while a container request is open: no deadline to show either.
            var releaseAt = _session is { Routes.OpenRequests: 0 } && _allocation?.InactivityTimeout is { } timeout
                ? _session.LastActivityAt + timeout
                : (DateTimeOffset?)null;
            return new GatewaySnapshot(_options.GatewayId, _state, _allocation?.OrganizationId, _allocation?.AllocationId,
                _session?.LastActivityAt, releaseAt, _session?.Dirty ?? false, _session?.LastPushAt, _session?.Version, _session?.SettingsRevision);
        }
    }

    /// <summary>
    /// One beat of the background loop: release at the inactivity deadline, else push when the
    /// autosave interval has passed and something is unsaved. Never counts as activity.
    /// </summary>
    public async Task TickAsync()
    {
        try
        {
            CleanUpExpired();

            // Another exchange is writing (a handshake, a requested release, the shutdown push):
            // skip this beat rather than queue behind it; the next one comes soon.
            if (!await _writer.WaitAsync(TimeSpan.Zero))
            {
                return;
            }

            try
            {
                var (release, autosave) = DueWork();
                if (release)
                {
                    await ReleaseAsync("inactivity");
                }
                else if (autosave)
                {
                    await PushAsync("autosave", CancellationToken.None);
                }
            }
            finally
            {
                _writer.Release();
            }
        }
        finally
        {
            Interlocked.Increment(ref _ticksCompleted);
        }
    }

    /// <summary>Release now, as at the inactivity deadline: final push, stop, idle, ready.</summary>
    public async Task<ReleaseOutcome> ReleaseNowAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            lock (_lock)
            {
                if (_state != GatewayWorkerState.Serving)
                {
                    return ReleaseOutcome.NotServing;
                }
            }

            return await ReleaseAsync("requested") ? ReleaseOutcome.Released : ReleaseOutcome.Failed;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// The process is stopping: no more ready announcements or handshakes, and when serving, one
    /// last push of what is unsaved, bounded by <paramref name="cancellationToken"/>. The
    /// allocation is left to the control plane, which sees the gateway go.
    /// </summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _readyGeneration++;
        }

        await _shutdown.CancelAsync();
        try
        {
            await _writer.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogShutdownPushAbandoned(_logger, _options.GatewayId, Snapshot().OrganizationId, "an exchange with the control plane was still running");
            return;
        }

        try
        {
            string organizationId;
            lock (_lock)
            {
                if (_state != GatewayWorkerState.Serving || _allocation is null)
                {
                    return;
                }

                // Writes from now on could not be saved: refuse them.
                _state = GatewayWorkerState.Releasing;
                organizationId = _allocation.OrganizationId;
            }

            try
            {
                await PushAsync("shutdown", cancellationToken);
            }
            catch (OperationCanceledException)
            {
                LogShutdownPushAbandoned(_logger, _options.GatewayId, organizationId, "the final push took too long");
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    public void Dispose()
    {
        _session?.Dispose();
        _shutdown.Cancel();
        _shutdown.Dispose();
        _writer.Dispose();
    }

    private async Task AnnounceReadyAsync(long generation)
    {
        var delay = _options.ReadyRetryInitialDelay;
        for (var attempt = 1; ; attempt++)
        {
            if (!IsCurrentAnnouncement(generation))
            {
                return;
            }

            ControlPlaneResult<ReadyAnswer> result;
            try
            {
                result = await _controlPlane.ReadyAsync(_shutdown.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Logged even when a handshake has begun meanwhile: the control plane did accept it,
            // and the handshake that follows may well be its consequence.
            if (result.Status == ControlPlaneStatus.Success)
            {
                LogReady(_logger, _options.GatewayId, attempt);
                return;
            }

            if (!IsCurrentAnnouncement(generation))
            {
                return; // allocated meanwhile: whatever the answer says is stale
            }

            switch (result.Status)
            {
                case ControlPlaneStatus.Conflict:
                    LogReadyRefused(_logger, _options.GatewayId, result.Describe());
                    return;
                default:
                    LogReadyRetry(_logger, _options.GatewayId, attempt, delay.TotalMilliseconds, result.Describe());
                    break;
            }

            try
            {
                await Task.Delay(delay, _time, _shutdown.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = delay * 2 < _options.ReadyRetryMaxDelay ? delay * 2 : _options.ReadyRetryMaxDelay;
        }
    }

    private bool IsCurrentAnnouncement(long generation)
    {
        lock (_lock)
        {
            return generation == _readyGeneration && _state == GatewayWorkerState.Idle && !_shutdown.IsCancellationRequested;
        }
    }

    private async Task<StartResult> HandshakeAsync(string handshakeToken, string hash)
    {
        var started = _time.GetTimestamp();
        StartResult result;
        try
        {
            await _writer.WaitAsync(_shutdown.Token);
            try
            {
                result = await RedeemAndPullAsync(handshakeToken, hash);
            }
            finally
            {
                _writer.Release();
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            result = StartResult.Unavailable("The gateway is shutting down.");
        }
#pragma warning disable CA1031 // A bug must not leave the worker stuck in handshaking: log it, answer, and go back to idle.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogHandshakeCrashed(_logger, exception, _options.GatewayId);
            result = StartResult.Failed("The gateway failed while handling the handshake; see its log.");
        }

        if (result.Outcome == StartOutcome.Started)
        {
            var elapsed = _time.GetElapsedTime(started);
            LogServing(_logger, _options.GatewayId, result.OrganizationId!, result.AllocationId!, elapsed.TotalMilliseconds);
            return result;
        }

        LogHandshakeFailed(_logger, _options.GatewayId, result.Detail);
        lock (_lock)
        {
            if (_handshakeTokenHash == hash)
            {
                _state = GatewayWorkerState.Idle;
                _handshakeTokenHash = null;
                _handshake = null;
                _allocation = null;
                _session = null;
            }
        }

        // Idle and healthy: back in the pool. If the control plane decided otherwise while
        // undoing its saga, it answers 409 and the announcement stops.
        AnnounceReady();
        return result;
    }

    private async Task<StartResult> RedeemAndPullAsync(string handshakeToken, string hash)
    {
        var config = await _controlPlane.ConfigAsync(handshakeToken, _shutdown.Token);
        if (!config.Succeeded)
        {
            return StartResult.Failed($"The control plane refused the handshake (/gateway/config answered {config.Describe()}).");
        }

        if (ConfigError(config.Value!) is { } configError)
        {
            return StartResult.Failed($"The control plane's /gateway/config answer is unusable: {configError}");
        }

        var allocation = ToAllocation(config.Value!, hash);
        var pull = await _controlPlane.PullAsync(allocation.AllocationToken, allocation.OrganizationId, _shutdown.Token);
        if (!pull.Succeeded)
        {
            return StartResult.Failed($"The control plane refused to hand over organization {allocation.OrganizationId}'s data (/gateway/data/pull answered {pull.Describe()}).");
        }

        if (PullError(pull.Value!, allocation.OrganizationId) is { } pullError)
        {
            return StartResult.Failed($"The control plane's /gateway/data/pull answer is unusable: {pullError}");
        }

        var data = pull.Value!.Data;
        if (!GatewayStateJson.TryRead(data?.GatewayState, out var stored, out var stateError))
        {
            return StartResult.Failed($"The organization's gateway_state cannot be restored: {stateError}");
        }

        int dropped;
        lock (_lock)
        {
            if (_handshakeTokenHash != hash || _shutdown.IsCancellationRequested)
            {
                return StartResult.Unavailable("The gateway is shutting down.");
            }

            var now = _time.GetUtcNow();
            var managers = OrganizationManagers.Restore(allocation.Members, allocation.GatewayHostname, stored, now, out dropped);
            _allocation = allocation;
            _session = new OrganizationSession(data?.YjsState ?? new Dictionary<string, string>(), managers, managersUnsaved: dropped > 0,
                data?.GatewayState?.GetRawText().Length ?? 0, pull.Value.Version, now, allocation.AutosaveInterval, _options.OAuthCleanupInterval)
            {
                SettingsRevision = allocation.SettingsRevision,
                OrganizationName = allocation.OrganizationName,
                Projects = allocation.Projects,
                StorageQuotaBytes = allocation.StorageQuotaBytes,
            };
            _state = GatewayWorkerState.Serving;
        }

        if (dropped > 0)
        {
            LogRestoreDropped(_logger, _options.GatewayId, allocation.OrganizationId, dropped);
        }

        return StartResult.Started(allocation.AllocationId, allocation.OrganizationId);
    }

    private string? ConfigError(ConfigAnswer config)
    {
        if (string.IsNullOrEmpty(config.AllocationId) || string.IsNullOrEmpty(config.OrganizationId) || string.IsNullOrEmpty(config.AllocationToken))
        {
            return "allocation_id, organization_id and allocation_token are required.";
        }

        if (config.GatewayId != _options.GatewayId)
        {
            return $"it is for gateway '{config.GatewayId}', and this is '{_options.GatewayId}'.";
        }

        // Stage 2 and the redirect URIs are checked against this name: it must be the organization's.
        if (config.GatewayHostname is null || !HostNames.IsUnderOrganization(config.GatewayHostname, config.OrganizationId)
            || Uri.CheckHostName(config.GatewayHostname) != UriHostNameType.Dns)
        {
            return $"gateway_hostname must be the organization's name, {HostNames.Organization(config.OrganizationId, "{domain}")}, not '{config.GatewayHostname}'.";
        }

        return SecondsError(config.InactivityTimeoutSeconds, "inactivity_timeout_seconds")
            ?? SecondsError(config.AutosaveIntervalSeconds, "autosave_interval_seconds")
            ?? (string.IsNullOrEmpty(config.OrganizationName) ? "organization_name is required." : null)
            ?? MembersError(config.Members)
            ?? ProjectsError(config.Projects)
            ?? (config.StorageQuotaBytes is > 0 ? null : "storage_quota_bytes is required: a positive number of bytes.");
    }

    /// <summary>Only the organization's projects have documents here: refuse a list that cannot be read exactly.</summary>
    internal static string? ProjectsError(IReadOnlyList<ProjectAnswer>? projects)
    {
        if (projects is null)
        {
            return "projects is required (a list, empty when the organization has none).";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var project in projects)
        {
            if (project is null || Ids.Parse(project.ProjectId) != project.ProjectId || string.IsNullOrEmpty(project.Name))
            {
                return "every project needs a project_id (a lower-case UUID) and a name.";
            }

            if (!seen.Add(project.ProjectId))
            {
                return $"project {project.ProjectId} is listed twice.";
            }
        }

        return null;
    }

    /// <summary>The members are who may use the organization here: refuse a list that cannot be read exactly.</summary>
    internal static string? MembersError(IReadOnlyList<MemberAnswer>? members)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in members ?? [])
        {
            if (member is null || string.IsNullOrEmpty(member.UserId) || string.IsNullOrEmpty(member.Username))
            {
                return "every member needs a user_id and a username.";
            }

            if (!PermissionManager.TryParseRole(member.Role, out _))
            {
                return $"member {member.UserId} has the role '{member.Role}'; the roles are owner, admin, member and viewer.";
            }

            if (!seen.Add(member.UserId))
            {
                return $"member {member.UserId} is listed twice.";
            }
        }

        return null;
    }

    private static string? SecondsError(JsonElement value, string name) =>
        value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
        || (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) && seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
            ? null
            : $"{name} must be a positive number of seconds or null.";

    private static string? PullError(PullAnswer pull, string organizationId)
    {
        if (pull.OrganizationId != organizationId)
        {
            return $"it is for organization '{pull.OrganizationId}', not '{organizationId}'.";
        }

        if (pull.Version < 0)
        {
            return "the version is negative.";
        }

        foreach (var (projectId, state) in pull.Data?.YjsState ?? new Dictionary<string, string>())
        {
            if (Ids.Parse(projectId) != projectId)
            {
                return $"'{projectId}' is not a project id (a lower-case UUID).";
            }

            if (state is null || !Base64.IsValid(state))
            {
                return $"the document of project {projectId} is not base64.";
            }
        }

        return pull.Data?.GatewayState is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) }
            ? "gateway_state must be an object or null."
            : null;
    }

    /// <summary>The organization's own durations win over this worker's flags: absent keeps the flag, null disables.</summary>
    private GatewayAllocation ToAllocation(ConfigAnswer config, string hash)
    {
        var inactivity = config.InactivityTimeoutSeconds.ValueKind switch
        {
            JsonValueKind.Undefined => _options.InactivityTimeout,
            JsonValueKind.Null => null,
            _ => TimeSpan.FromSeconds(config.InactivityTimeoutSeconds.GetDouble()),
        };
        var autosave = config.AutosaveIntervalSeconds.ValueKind == JsonValueKind.Number
            ? TimeSpan.FromSeconds(config.AutosaveIntervalSeconds.GetDouble())
            : _options.AutosaveInterval;
        var members = ToMembers(config.Members ?? []);
        var projects = config.Projects!.ToDictionary(p => p.ProjectId, p => p.Name, StringComparer.Ordinal);
        return new GatewayAllocation(config.AllocationId, config.OrganizationId, config.OrganizationName!, config.GatewayHostname, config.AllocationToken, hash,
            members, projects, config.StorageQuotaBytes!.Value, config.SettingsRevision, inactivity, autosave);
    }

    private (bool Release, bool Autosave) DueWork()
    {
        lock (_lock)
        {
            if (_state != GatewayWorkerState.Serving || _session is null || _allocation is null)
            {
                return (false, false);
            }

            var now = _time.GetUtcNow();
            if (_allocation.InactivityTimeout is { } timeout && now >= _session.LastActivityAt + timeout && now >= _session.ReleaseNotBefore
                && _session.Routes.OpenRequests == 0)
            {
                return (true, false);
            }

            if (now < _session.NextAutosaveAt)
            {
                return (false, false);
            }

            _session.NextAutosaveAt = now + _allocation.AutosaveInterval;
            return (false, _session.Dirty);
        }
    }

    /// <summary>
    /// Final push, stop, idle, ready (the caller holds <see cref="_writer"/>). When the data
    /// cannot be saved or the stop fails, the organization stays served and the release is tried
    /// again after <see cref="GatewayProcessOptions.ReleaseRetryDelay"/>: nothing is dropped unsaved.
    /// </summary>
    private async Task<bool> ReleaseAsync(string reason)
    {
        GatewayAllocation allocation;
        lock (_lock)
        {
            if (_state != GatewayWorkerState.Serving || _allocation is null)
            {
                return false;
            }

            _state = GatewayWorkerState.Releasing;
            allocation = _allocation;
        }

        LogReleasing(_logger, _options.GatewayId, allocation.OrganizationId, allocation.AllocationId, reason);
        switch (await PushAsync("final", CancellationToken.None))
        {
            case ControlPlaneStatus.Unauthorized:
                return true; // revoked: already dropped and announced
            case ControlPlaneStatus.Conflict:
                // Another writer saved a newer version: these changes can never be saved as they
                // are, and waiting would hold the gateway forever. (What the control plane refuses
                // for good was dropped by the push itself, and the rest saved.)
                LogUnsavedDropped(_logger, _options.GatewayId, allocation.OrganizationId, allocation.AllocationId);
                break;
            case ControlPlaneStatus.Refused or ControlPlaneStatus.Unreachable:
                PostponeRelease(allocation);
                return false;
        }

        var stop = await _controlPlane.StopAsync(allocation.AllocationToken, allocation.OrganizationId, CancellationToken.None);
        if (stop.Status is not (ControlPlaneStatus.Success or ControlPlaneStatus.Unauthorized))
        {
            LogStopFailed(_logger, _options.GatewayId, allocation.OrganizationId, stop.Describe());
            PostponeRelease(allocation);
            return false;
        }

        Drop(allocation);
        LogReleased(_logger, _options.GatewayId, allocation.OrganizationId, allocation.AllocationId);
        AnnounceReady();
        return true;
    }

    private void PostponeRelease(GatewayAllocation allocation)
    {
        lock (_lock)
        {
            if (_allocation == allocation && _state == GatewayWorkerState.Releasing)
            {
                _state = GatewayWorkerState.Serving;
                _session!.ReleaseNotBefore = _time.GetUtcNow() + _options.ReleaseRetryDelay;
            }
        }
    }

    /// <summary>Forgets the organization entirely; the next one finds nothing of it.</summary>
    private void Drop(GatewayAllocation allocation)
    {
        OrganizationSession? session;
        lock (_lock)
        {
            if (_allocation != allocation)
            {
                return;
            }

            session = _session;
            _allocation = null;
            _session = null;
            _handshake = null;
            _handshakeTokenHash = null;
            _state = _shutdown.IsCancellationRequested ? GatewayWorkerState.Releasing : GatewayWorkerState.Idle;
        }

        // Out of the lock: this aborts the container requests still being forwarded.
        session?.Dispose();
        _users.Clear();
    }

    /// <summary>
    /// The OAuth cleanup timer, on the worker's tick: at each <see cref="GatewayProcessOptions.OAuthCleanupInterval"/>,
    /// forget expired codes and tokens. Not activity; what it removes is saved with the next autosave.
    /// </summary>
    private void CleanUpExpired()
    {
        string organizationId;
        int removed;
        lock (_lock)
        {
            if (_state != GatewayWorkerState.Serving || _session is null || _allocation is null)
            {
                return;
            }

            var now = _time.GetUtcNow();
            if (now < _session.NextCleanupAt)
            {
                return;
            }

            _session.NextCleanupAt = now + _options.OAuthCleanupInterval;
            removed = _session.Managers.OAuth.RemoveExpired(now);
            organizationId = _allocation.OrganizationId;
        }

        LogCleanedUp(_logger, _options.GatewayId, organizationId, removed);
    }

    private static string Format(GatewayWorkerState state) => state.ToString().ToLowerInvariant();

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Gateway {GatewayId} is ready (accepted after {Attempts} attempt(s))")]
    private static partial void LogReady(ILogger logger, string gatewayId, int attempts);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Gateway {GatewayId} could not report ready (attempt {Attempt}); retrying in {DelayMs} ms: {Detail}")]
    private static partial void LogReadyRetry(ILogger logger, string gatewayId, int attempt, double delayMs, string detail);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Gateway {GatewayId} was refused as ready for good; it will not be allocated: {Detail}")]
    private static partial void LogReadyRefused(ILogger logger, string gatewayId, string detail);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Gateway {GatewayId} stopped announcing ready after an unexpected error")]
    private static partial void LogReadyCrashed(ILogger logger, Exception exception, string gatewayId);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Gateway {GatewayId} serves organization {OrganizationId} (allocation {AllocationId}) after a {ElapsedMs:0.0} ms handshake")]
    private static partial void LogServing(ILogger logger, string gatewayId, string organizationId, string allocationId, double elapsedMs);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Gateway {GatewayId} handshake failed; back to idle: {Detail}")]
    private static partial void LogHandshakeFailed(ILogger logger, string gatewayId, string detail);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Error, Message = "Gateway {GatewayId} handshake crashed; back to idle")]
    private static partial void LogHandshakeCrashed(ILogger logger, Exception exception, string gatewayId);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Warning, Message = "Gateway {GatewayId} lost organization {OrganizationId}: allocation {AllocationId} was revoked; dropping its data: {Detail}")]
    private static partial void LogRevoked(ILogger logger, string gatewayId, string organizationId, string allocationId, string detail);

    [LoggerMessage(EventId = 4030, Level = LogLevel.Information, Message = "Gateway {GatewayId} releasing organization {OrganizationId} (allocation {AllocationId}): {Reason}")]
    private static partial void LogReleasing(ILogger logger, string gatewayId, string organizationId, string allocationId, string reason);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Information, Message = "Gateway {GatewayId} released organization {OrganizationId} (allocation {AllocationId})")]
    private static partial void LogReleased(ILogger logger, string gatewayId, string organizationId, string allocationId);

    [LoggerMessage(EventId = 4032, Level = LogLevel.Warning, Message = "Gateway {GatewayId} could not stop organization {OrganizationId}; still serving, will retry: {Detail}")]
    private static partial void LogStopFailed(ILogger logger, string gatewayId, string organizationId, string detail);

    [LoggerMessage(EventId = 4033, Level = LogLevel.Error, Message = "Gateway {GatewayId} releases organization {OrganizationId} (allocation {AllocationId}) with unsaved changes: the control plane holds a newer version")]
    private static partial void LogUnsavedDropped(ILogger logger, string gatewayId, string organizationId, string allocationId);

    [LoggerMessage(EventId = 4050, Level = LogLevel.Information, Message = "Gateway {GatewayId} OAuth cleanup for organization {OrganizationId}: removed {Removed} expired code(s) and token(s)")]
    private static partial void LogCleanedUp(ILogger logger, string gatewayId, string organizationId, int removed);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Information, Message = "Gateway {GatewayId} restored organization {OrganizationId}'s managers without {Dropped} code(s) and token(s) that can no longer be used (expired, of a deleted client, or of a former member)")]
    private static partial void LogRestoreDropped(ILogger logger, string gatewayId, string organizationId, int dropped);

    [LoggerMessage(EventId = 4040, Level = LogLevel.Error, Message = "Gateway {GatewayId} stopped without its final push for organization {OrganizationId}: {Reason}")]
    private static partial void LogShutdownPushAbandoned(ILogger logger, string gatewayId, string? organizationId, string reason);
}

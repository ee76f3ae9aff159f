using Demiurge.GatewayProcess.Users;
using Demiurge.Identity;
using Demiurge.Protocol;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The gateway's state machine, one per process: idle → handshaking → serving → releasing → idle.
/// It holds at most one organization at a time and is its only writer on the control plane.
/// The ready announcement, the data (pull, push, release), the projects and the config are
/// partials of their own.
/// </summary>
/// <remarks>
/// Two guards. <see cref="_lock"/> protects the state machine's fields and is held only for
/// in-memory transitions, never across an await: ping, project traffic and the managers never
/// wait for the network, and the organization's data has locks of its own
/// (<see cref="OrganizationSession"/>). <see cref="_writer"/> serializes every exchange that
/// changes the organization's state on the control plane (handshake, push, stop, final push at
/// shutdown): two of them never overlap, so there is never a second writer, and a push's version
/// is always the last one this gateway saw.
/// </remarks>
internal sealed partial class GatewayWorker : IDisposable
{
    private readonly GatewayProcessOptions _options;
    private readonly ControlPlaneClient _controlPlane;
    private readonly UserTokenVerifier _users;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayWorker> _logger;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly CancellationTokenSource _shutdown = new();

    // Guarded by _lock; _session is also read without it, by the traffic that uses the session's own locks.
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

    public GatewaySnapshot Snapshot()
    {
        lock (_lock)
        {
            // No release while a container request is open: no deadline to show either.
            var releaseAt = _session is { Routes.OpenRequests: 0 } && _allocation?.InactivityTimeout is { } timeout
                ? _session.LastActivityAt + timeout
                : (DateTimeOffset?)null;
            return new GatewaySnapshot(_options.GatewayId, _state, _allocation?.OrganizationId, _allocation?.AllocationId,
                _session?.LastActivityAt, releaseAt, _session?.Dirty ?? false, _session?.LastPushAt, _session?.Version, _session?.Config.Revision);
        }
    }

    /// <summary>
    /// One beat of the background loop: release at the inactivity deadline, else push when the
    /// autosave interval has passed and something is unsaved, or when the rooms' updates are due.
    /// Never counts as activity.
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
                var (release, push) = DueWork();
                if (release)
                {
                    await ReleaseAsync("inactivity");
                }
                else if (push is not null)
                {
                    await PushAsync(push, CancellationToken.None);
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
            Log.ShutdownPushAbandoned(_logger, _options.GatewayId, Snapshot().OrganizationId, "an exchange with the control plane was still running");
            return;
        }

        try
        {
            // Writes from now on could not be saved: refuse them.
            if (BeginReleasing() is not { } allocation)
            {
                return;
            }

            try
            {
                await PushAsync("shutdown", cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Log.ShutdownPushAbandoned(_logger, _options.GatewayId, allocation.OrganizationId, "the final push took too long");
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

    /// <summary>
    /// Serving → releasing, closing the session to changes (the caller holds <see cref="_writer"/>
    /// and pushes next); null when the gateway serves no organization.
    /// </summary>
    private GatewayAllocation? BeginReleasing()
    {
        OrganizationSession session;
        GatewayAllocation allocation;
        lock (_lock)
        {
            if (_state != GatewayWorkerState.Serving || _allocation is null || _session is null)
            {
                return null;
            }

            _state = GatewayWorkerState.Releasing;
            (allocation, session) = (_allocation, _session);
        }

        // Out of the state machine's lock: this waits for the managers' changes under way.
        session.Close();
        return allocation;
    }

    /// <summary>Whether to release now, else what to push for (<c>autosave</c>, <c>rooms</c>), if anything.</summary>
    private (bool Release, string? Push) DueWork()
    {
        lock (_lock)
        {
            if (_state != GatewayWorkerState.Serving || _session is null || _allocation is null)
            {
                return (false, null);
            }

            var now = _time.GetUtcNow();
            if (_allocation.InactivityTimeout is { } timeout && now >= _session.LastActivityAt + timeout && now >= _session.ReleaseNotBefore
                && _session.Routes.OpenRequests == 0)
            {
                return (true, null);
            }

            if (now < _session.NextAutosaveAt)
            {
                // The rooms' updates have a cadence of their own, much shorter (docs/rooms.md).
                return (false, _session.UpdatesDue(now, _options.RoomLimits.SaveDelay, _options.RoomLimits.SaveMaxDelay) ? "rooms" : null);
            }

            _session.NextAutosaveAt = now + _allocation.AutosaveInterval;
            return (false, _session.Dirty ? "autosave" : null);
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

        // Out of the lock: this waits for the managers' changes under way, then aborts the container requests still being forwarded.
        session?.Close();
        session?.Dispose();
        _users.Clear();
    }

    /// <summary>
    /// The OAuth cleanup timer, on the worker's tick: at each <see cref="GatewayProcessOptions.OAuthCleanupInterval"/>,
    /// forget expired codes and tokens. Not activity; what it removes is saved with the next autosave.
    /// </summary>
    private void CleanUpExpired()
    {
        var now = _time.GetUtcNow();
        string organizationId;
        OrganizationSession session;
        lock (_lock)
        {
            if (_state != GatewayWorkerState.Serving || _session is null || _allocation is null || now < _session.NextCleanupAt)
            {
                return;
            }

            _session.NextCleanupAt = now + _options.OAuthCleanupInterval;
            (organizationId, session) = (_allocation.OrganizationId, _session);
        }

        if (TryWithSession(session, (current, _) => current.Managers.OAuth.RemoveExpired(now), out var removed))
        {
            Log.CleanedUp(_logger, _options.GatewayId, organizationId, removed);
        }
    }

    private static string Format(GatewayWorkerState state) => state.ToString().ToLowerInvariant();
}

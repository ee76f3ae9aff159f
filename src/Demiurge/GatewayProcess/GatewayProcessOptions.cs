namespace Demiurge.GatewayProcess;

/// <summary>
/// Settings of one gateway worker (<c>demiurge gateway</c>). The command line fills them from
/// its flags and <see cref="Protocol.WorkerEnvironment.GatewayToken"/>; the pool manager can also build them directly and
/// start a worker in its own process with <see cref="GatewayHost.Create"/>.
/// </summary>
internal sealed class GatewayProcessOptions
{
    public static readonly TimeSpan DefaultInactivityTimeout = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan DefaultAutosaveInterval = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan DefaultOAuthCleanupInterval = TimeSpan.FromHours(1);

    /// <summary>Ports that none of the platform's own listeners use by default (API 5080, edge 8080/8443, DNS 8053, pool 7100-7199).</summary>
    public static readonly PortRange DefaultContainerPorts = new(20000, 29999);

    /// <summary>Longest period of the background tick; shorter intervals tick faster.</summary>
    public static readonly TimeSpan MaxTickInterval = TimeSpan.FromSeconds(1);

    /// <summary>Base URL of the control plane's API (<c>/gateway/*</c> hang under it).</summary>
    public required Uri ControlPlane { get; init; }

    /// <summary>Loopback port to listen on; 0 picks a free one (see <see cref="GatewayHost.Url"/>).</summary>
    public required int Port { get; init; }

    /// <summary>This worker's id in the pool, sent with <c>/gateway/ready</c>.</summary>
    public required string GatewayId { get; init; }

    /// <summary>The secret that authenticates <c>/gateway/ready</c>.</summary>
    public required string GatewayToken { get; init; }

    /// <summary>
    /// The control planes' public signing keys by key id (<see cref="Protocol.WorkerEnvironment.ControlPlaneKeys"/>):
    /// only calls signed by one of them may start, release or reconfigure this worker, or name the control planes it calls.
    /// </summary>
    public required IReadOnlyDictionary<string, System.Security.Cryptography.ECDsa> ControlPlaneKeys { get; init; }

    /// <summary>
    /// Release an organization after this long without user activity; null never releases.
    /// The organization's own value from <c>/gateway/config</c> wins when it sends one.
    /// </summary>
    public TimeSpan? InactivityTimeout { get; init; } = DefaultInactivityTimeout;

    /// <summary>Push dirty data this often; the value from <c>/gateway/config</c> wins when it sends one.</summary>
    public TimeSpan AutosaveInterval { get; init; } = DefaultAutosaveInterval;

    /// <summary>
    /// How often the OAuth provider forgets its expired codes and tokens (<c>--oauth-cleanup-interval</c>).
    /// Expired ones are refused whenever they are presented; this only bounds memory and the saved state.
    /// </summary>
    public TimeSpan OAuthCleanupInterval { get; init; } = DefaultOAuthCleanupInterval;

    /// <summary>The loopback ports a container may register as its endpoint (<c>--container-ports</c>).</summary>
    public PortRange ContainerPorts { get; init; } = DefaultContainerPorts;

    /// <summary>What one client may ask of the rooms (<c>--room-*</c>, <c>--rooms</c>).</summary>
    public Rooms.RoomLimits RoomLimits { get; init; } = Rooms.RoomLimits.Default;

    /// <summary>Time allowed for each call to the control plane.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for the final push when the process is told to stop.</summary>
    public TimeSpan ShutdownPushTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait before <c>/gateway/ready</c> is tried again; it doubles up to <see cref="ReadyRetryMaxDelay"/>.</summary>
    public TimeSpan ReadyRetryInitialDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ReadyRetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Wait before a release that could not save or stop is tried again (the organization stays served meanwhile).</summary>
    public TimeSpan ReleaseRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Period of the background loop that autosaves, saves rooms, cleans up and releases: at most
    /// a second, no longer than the configured intervals, and a quarter of the rooms' save delay,
    /// so none fires more than a tick late and a room's save not more than a quarter of its delay.
    /// </summary>
    public TimeSpan TickInterval
    {
        get
        {
            var tick = AutosaveInterval < MaxTickInterval ? AutosaveInterval : MaxTickInterval;
            var roomTick = RoomLimits.SaveDelay / 4;
            tick = roomTick < tick ? roomTick : tick;
            tick = OAuthCleanupInterval < tick ? OAuthCleanupInterval : tick;
            return InactivityTimeout is { } inactivity && inactivity < tick ? inactivity : tick;
        }
    }
}

using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Demiurge.Hosting;

/// <summary>The table of settings that have flags and environment twins.</summary>
internal static class Settings
{
    public static readonly Setting DataDir = new("DataDir", typeof(string), "Directory for the database and all state.");
    public static readonly Setting ApiPort = new("ApiPort", typeof(int), "Loopback port of the API (0 picks a free one).");
    public static readonly Setting Domain = new("Domain", typeof(string), "DNS suffix for organization names.");
    public static readonly Setting AdvertiseUrl = new("AdvertiseUrl", typeof(string), "URL workers use to reach this control plane (default: the API's loopback address).");
    public static readonly Setting AdminToken = new("AdminToken", typeof(string), "Token of the built-in admin user (generated on first start when unset).");
    public static readonly Setting LogFormat = ConsoleLogging.FormatSetting;
    public static readonly Setting MasterKey = new("MasterKey", typeof(string), "Base64 key that wraps the key ring; the same on every control plane of one store (default: master.key in the data dir, created on first start). Prefer the environment variable to the flag.");

    public static readonly Setting PoolSize = new("Pool:Size", typeof(int), "Gateway workers started at start-up.");
    public static readonly Setting PoolMinReady = new("Pool:MinReady", typeof(int), "Autoscale keeps at least this many workers ready.");
    public static readonly Setting PoolScaleStep = new("Pool:ScaleStep", typeof(int), "Workers added per scale event.");
    public static readonly Setting PoolMax = new("Pool:Max", typeof(int), "Most live workers.");
    public static readonly Setting PoolPorts = new("Pool:Ports", typeof(PortRange), "Loopback port range for workers, first-last.");
    public static readonly Setting PoolCheckInterval = new("Pool:CheckInterval", typeof(TimeSpan), "How often the pool is checked (e.g. 2s).");
    public static readonly Setting PoolReconcileInterval = new("Pool:ReconcileInterval", typeof(TimeSpan), "How often published DNS records and routes are checked against the allocations (e.g. 30s).");
    public static readonly Setting GatewayInactivityTimeout = new("Gateway:InactivityTimeout", typeof(TimeSpan?), "Release an organization after this long without activity (e.g. 5m, or off).");
    public static readonly Setting GatewayAutosaveInterval = new("Gateway:AutosaveInterval", typeof(TimeSpan), "How often workers save dirty data (e.g. 30s).");
    public static readonly Setting GatewayHandshakeTimeout = new("Gateway:HandshakeTimeout", typeof(TimeSpan), "Time an allocation's handshake (the worker's config and pull) may take (e.g. 30s).");
    public static readonly Setting GatewayContainerPorts = new("Gateway:ContainerPorts", typeof(PortRange),
        "Loopback ports that user containers may register as their endpoints, first-last; none of the platform's own.", Name: "ContainerPorts");
    public static readonly Setting GatewayOAuthCleanupInterval = new("Gateway:OAuthCleanupInterval", typeof(TimeSpan), "How often workers remove expired OAuth codes and tokens (e.g. 1h).");
    public static readonly Setting GatewayOrganizationStorageQuota = new("Gateway:OrganizationStorageQuota", typeof(ByteSize),
        "Most an organization may store: its documents and gateway state (e.g. 256MiB); a system admin can set another per organization.", Name: "OrgStorageQuota");
    public static readonly Setting GatewayRoomMessageMaxBytes = new("Gateway:RoomMessageMaxBytes", typeof(ByteSize), "Largest message a room client may send (e.g. 16MiB).", Name: "RoomMessageMaxBytes");
    public static readonly Setting GatewayRoomUpdatesPerSecond = new("Gateway:RoomUpdatesPerSecond", typeof(int), "Document and awareness updates one room connection may send per second.", Name: "RoomUpdatesPerSecond");
    public static readonly Setting GatewayRoomConnections = new("Gateway:RoomConnections", typeof(int), "Clients connected to one project's room at once.", Name: "RoomConnections");
    public static readonly Setting GatewayRooms = new("Gateway:Rooms", typeof(int), "Rooms with clients on one gateway at once.", Name: "Rooms");
    public static readonly Setting GatewayRoomSaveDelay = new("Gateway:RoomSaveDelay", typeof(TimeSpan), "Push a room's updates this long after its last change (e.g. 1s).", Name: "RoomSaveDelay");
    public static readonly Setting GatewayRoomSaveMaxDelay = new("Gateway:RoomSaveMaxDelay", typeof(TimeSpan), "While edits go on, push a room's updates at the latest this long after the oldest (e.g. 8s).", Name: "RoomSaveMaxDelay");
    public static readonly Setting GatewayRoomIdleUnload = new("Gateway:RoomIdleUnload", typeof(TimeSpan), "Unload a room without clients or unsaved updates after this long idle (e.g. 1m).", Name: "RoomIdleUnload");

    public static readonly IReadOnlyList<Setting> ControlPlane =
    [
        DataDir, ApiPort, Domain, AdminToken, MasterKey, AdvertiseUrl, LogFormat,
        .. RateLimits.All,
        PoolSize, PoolMinReady, PoolScaleStep, PoolMax, PoolPorts, PoolCheckInterval, PoolReconcileInterval,
        GatewayInactivityTimeout, GatewayAutosaveInterval, GatewayOAuthCleanupInterval, GatewayHandshakeTimeout, GatewayOrganizationStorageQuota, GatewayContainerPorts,
        GatewayRoomMessageMaxBytes, GatewayRoomUpdatesPerSecond, GatewayRoomConnections, GatewayRooms, GatewayRoomSaveDelay, GatewayRoomSaveMaxDelay, GatewayRoomIdleUnload,
        .. Store.StoreSettings.All,
        .. Edge.EdgeSettings.All,
        .. Dns.DnsSettings.All,
        .. Runtime.RuntimeSettings.All,
    ];

    /// <summary>Values of <c>DEMIURGE_*</c> variables, keyed by configuration key.</summary>
    public static Dictionary<string, string?> FromEnvironment(IEnumerable<Setting> settings, IDictionary environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in settings)
        {
            if (environment[setting.EnvironmentVariable] is string value)
            {
                values[setting.ConfigurationKey] = value;
            }
        }

        return values;
    }

    /// <summary>
    /// The values of <paramref name="settings"/> in <paramref name="configuration"/> as the binder
    /// reads them (<see cref="Setting.Bindable"/>), for values without a type error.
    /// </summary>
    public static Dictionary<string, string?> Bindable(IEnumerable<Setting> settings, IConfiguration configuration) =>
        settings
            .Where(s => configuration[s.ConfigurationKey] is { } value && s.TypeError(value) is null)
            .ToDictionary(s => s.ConfigurationKey, s => (string?)s.Bindable(configuration[s.ConfigurationKey]!), StringComparer.OrdinalIgnoreCase);

    /// <summary>Every setting whose value in <paramref name="configuration"/> does not convert to its type, and why.</summary>
    public static IReadOnlyList<(Setting Setting, string Error)> TypeErrors(IEnumerable<Setting> settings, IConfiguration configuration) =>
        settings
            .Select(s => (Setting: s, Error: configuration[s.ConfigurationKey] is { } value ? s.TypeError(value) : null))
            .Where(e => e.Error is not null)
            .Select(e => (e.Setting, e.Error!))
            .ToList();
}

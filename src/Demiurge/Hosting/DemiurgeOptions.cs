namespace Demiurge.Hosting;

/// <summary>
/// Settings of every role. Bound from the <c>Demiurge</c> section of appsettings.json,
/// then <c>DEMIURGE_*</c> environment variables, then command-line flags (see <see cref="Settings"/>).
/// </summary>
public sealed class DemiurgeOptions
{
    public const string SectionName = Setting.SectionName;

    /// <summary>Directory that holds the database and every other piece of state.</summary>
    public string DataDir { get; set; } = DefaultDataDir();

    /// <summary>Loopback port of the control-plane API; 0 picks a free port.</summary>
    public int ApiPort { get; set; } = 5080;

    /// <summary>DNS suffix under which organizations get their names (<c>org-{id}.{Domain}</c>).</summary>
    public string Domain { get; set; } = "demiurge.localhost";

    /// <summary>
    /// Token of the built-in <c>admin</c> user. When set, it replaces the stored one at start;
    /// when unset, a token is generated on first start and printed once.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>
    /// The master key (32 bytes, base64) that wraps the key ring in the store. Every control plane
    /// of one store needs the same one; when unset, <c>master.key</c> in the data dir (0600) holds
    /// it, created on the first start.
    /// </summary>
    public string? MasterKey { get; set; }

    /// <summary>
    /// The URL gateway workers use to reach this control plane, and through which the other
    /// control planes' workers fail over to it; the API's loopback address when unset.
    /// </summary>
    public string? AdvertiseUrl { get; set; }

    /// <summary>
    /// The console's log lines: <c>text</c> for a person or <c>json</c> for machines; when unset,
    /// <c>text</c> on a terminal and <c>json</c> otherwise (see <see cref="ConsoleLogging"/>).
    /// </summary>
    public string? LogFormat { get; set; }

    /// <summary>Requests per caller on the API.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>The gateway pool.</summary>
    public Gateways.PoolOptions Pool { get; set; } = new();

    /// <summary>Settings handed to gateway workers.</summary>
    public Gateways.GatewayOptions Gateway { get; set; } = new();

    /// <summary>Where state lives: SQLite or PostgreSQL.</summary>
    public global::Demiurge.Store.StoreOptions Store { get; set; } = new();

    /// <summary>The stage-1 edge: the embedded proxy or nginx.</summary>
    public global::Demiurge.Edge.EdgeOptions Edge { get; set; } = new();

    /// <summary>DNS: the embedded server or PowerDNS.</summary>
    public global::Demiurge.Dns.DnsOptions Dns { get; set; } = new();

    /// <summary>Where gateways run: child processes or Docker containers.</summary>
    public global::Demiurge.Runtime.RuntimeOptions Runtime { get; set; } = new();

    private static string DefaultDataDir()
    {
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome))
        {
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(dataHome, "demiurge");
    }
}

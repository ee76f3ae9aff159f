namespace Demiurge.Hosting;

/// <summary>
/// Settings of every role: the platform's (<see cref="PlatformOptions"/>) and each part's section. Bound from the <c>Demiurge</c> section of appsettings.json,
/// then <c>DEMIURGE_*</c> environment variables, then command-line flags (see <see cref="Settings"/>).
/// </summary>
public sealed class DemiurgeOptions : PlatformOptions
{
    public const string SectionName = Setting.SectionName;

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
}

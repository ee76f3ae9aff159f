namespace Demiurge.Gateways;

/// <summary>The gateway pool (section <c>Demiurge:Pool</c>). Defaults follow seed 000.</summary>
public sealed class PoolOptions
{
    /// <summary>Workers started at start-up; 0 starts none.</summary>
    public int Size { get; set; } = 3;

    /// <summary>Autoscale keeps at least this many ready (or starting) workers.</summary>
    public int MinReady { get; set; } = 2;

    /// <summary>Workers added per scale event.</summary>
    public int ScaleStep { get; set; } = 3;

    /// <summary>Upper bound on live workers.</summary>
    public int Max { get; set; } = 20;

    /// <summary>Loopback ports for workers, as <c>first-last</c>.</summary>
    public PortRange Ports { get; set; } = new(7100, 7199);

    /// <summary>How often the pool manager checks workers' health and the pool's size.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often the leader compares the published DNS records and edge routes with the
    /// allocations: it restores those an active allocation lost and removes those left behind.
    /// </summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);
}

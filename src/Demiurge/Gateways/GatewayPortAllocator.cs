namespace Demiurge.Gateways;

/// <summary>
/// Chooses the port of a new gateway from <c>--pool-ports</c>, as the store records them: the
/// first port that no live gateway holds after the port of the newest gateway (gone ones too),
/// wrapping around. It does not probe this machine: a worker may run in a container or on
/// another node, and the store is what every control plane agrees on. Going round the range
/// means a port some other process holds is not tried again at once: its worker cannot listen,
/// is marked gone, and the next launch takes the next port.
/// </summary>
internal sealed class GatewayPortAllocator(IOptions<PoolOptions> options)
{
    /// <summary>The configured range; validation at start-up guarantees it parses.</summary>
    public PortRange Range { get; } = options.Value.Ports;

    /// <summary>The ports of the range that none of <paramref name="gateways"/> holds, lowest first.</summary>
    public IEnumerable<int> Free(IEnumerable<Gateway> gateways)
    {
        var taken = gateways.Where(g => g.State != GatewayState.Gone).Select(g => g.Port).ToHashSet();
        return Range.Ports.Where(port => !taken.Contains(port));
    }

    /// <summary>The port of the next gateway beside <paramref name="gateways"/>, or null when none is free.</summary>
    public int? Next(IReadOnlyCollection<Gateway> gateways)
    {
        var free = Free(gateways).ToList();
        if (free.Count == 0)
        {
            return null;
        }

        var last = gateways.MaxBy(g => g.CreatedAt)?.Port ?? 0;
        return free.FirstOrDefault(port => port > last) is > 0 and var after ? after : free[0];
    }
}

using Demiurge.Common;
using Demiurge.Hosting;
using Microsoft.Extensions.Options;

namespace Demiurge.Gateways;

/// <summary>
/// Chooses the port of a new gateway: the lowest of <c>--pool-ports</c> that no live gateway
/// holds, as the store records them. It does not probe this machine: a worker may run in a
/// container or on another node, and the store is what every control plane agrees on.
/// </summary>
internal sealed class GatewayPortAllocator(IOptions<DemiurgeOptions> options)
{
    /// <summary>The configured range; validation at start-up guarantees it parses.</summary>
    public PortRange Range { get; } = options.Value.Pool.Ports;

    /// <summary>The ports of the range that none of <paramref name="gateways"/> holds, lowest first.</summary>
    public IEnumerable<int> Free(IEnumerable<Gateway> gateways)
    {
        var taken = gateways.Where(g => g.State != GatewayState.Gone).Select(g => g.Port).ToHashSet();
        return Range.Ports.Where(port => !taken.Contains(port));
    }
}

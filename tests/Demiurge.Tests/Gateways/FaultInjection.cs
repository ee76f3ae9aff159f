using Demiurge.Dns;
using Demiurge.Edge;

namespace Demiurge.Tests.Gateways;

/// <summary>Which saga step should fail next; shared by the faulty DNS provider and edge router.</summary>
public sealed class FaultPlan
{
    /// <summary>Setting records fails, and so does listing them (as with PowerDNS down); removing still works, so undo tests see it.</summary>
    public bool FailDns { get; set; }

    public bool FailRoute { get; set; }
}

/// <summary>The configured real DNS provider, failing on demand.</summary>
internal sealed class FaultyDnsProvider(IDnsProvider inner, FaultPlan plan) : IDnsProvider
{
    public Task SetRecordSetsAsync(IReadOnlyList<DnsRecordSet> sets, CancellationToken cancellationToken) =>
        plan.FailDns && sets.Any(s => !s.IsDeleted) ? throw new IOException("injected DNS failure") : inner.SetRecordSetsAsync(sets, cancellationToken);

    public Task<IReadOnlyList<DnsRecordSet>> ListRecordSetsAsync(CancellationToken cancellationToken) =>
        plan.FailDns ? throw new IOException("injected DNS failure") : inner.ListRecordSetsAsync(cancellationToken);
}

/// <summary>The real embedded edge router, failing on demand: setting fails, removing still works.</summary>
internal sealed class FaultyEdgeRouter(EmbeddedEdgeRouter inner, FaultPlan plan) : IEdgeRouter
{
    public Task SetRoutesAsync(IReadOnlyList<EdgeRoute> routes, CancellationToken cancellationToken) =>
        plan.FailRoute && routes.Any(r => !r.IsRemoved) ? throw new IOException("injected route failure") : inner.SetRoutesAsync(routes, cancellationToken);

    public Task<IReadOnlyList<EdgeRoute>> ListRoutesAsync(CancellationToken cancellationToken) => inner.ListRoutesAsync(cancellationToken);
}

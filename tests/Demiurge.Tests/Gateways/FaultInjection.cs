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
    public Task SetOrganizationAsync(string organizationId, CancellationToken cancellationToken) =>
        plan.FailDns ? throw new IOException("injected DNS failure") : inner.SetOrganizationAsync(organizationId, cancellationToken);

    public Task RemoveOrganizationAsync(string organizationId, CancellationToken cancellationToken) => inner.RemoveOrganizationAsync(organizationId, cancellationToken);

    public Task<IReadOnlyCollection<string>> ListPublishedOrganizationsAsync(CancellationToken cancellationToken) =>
        plan.FailDns ? throw new IOException("injected DNS failure") : inner.ListPublishedOrganizationsAsync(cancellationToken);
}

/// <summary>The real embedded edge router, failing on demand.</summary>
internal sealed class FaultyEdgeRouter(EmbeddedEdgeRouter inner, FaultPlan plan) : IEdgeRouter
{
    public Task SetRouteAsync(string organizationId, Uri gateway, CancellationToken cancellationToken) =>
        plan.FailRoute ? throw new IOException("injected route failure") : inner.SetRouteAsync(organizationId, gateway, cancellationToken);

    public Task RemoveRouteAsync(string organizationId, CancellationToken cancellationToken) => inner.RemoveRouteAsync(organizationId, cancellationToken);

    public Task<IReadOnlyCollection<string>> ListRoutedOrganizationsAsync(CancellationToken cancellationToken) => inner.ListRoutedOrganizationsAsync(cancellationToken);
}

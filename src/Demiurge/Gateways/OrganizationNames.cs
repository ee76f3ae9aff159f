using Demiurge.Dns;
using Demiurge.Edge;

namespace Demiurge.Gateways;

/// <summary>
/// An organization's published names, over the generic DNS and edge ports: <c>org-{id}.{domain}</c>
/// and <c>*.org-{id}.{domain}</c>, both resolving to the edge's addresses and both routed to the
/// organization's gateway. The allocation saga publishes them, and the reconciler keeps them.
/// </summary>
internal static class OrganizationNames
{
    public static Task SetOrganizationAsync(this IDnsProvider dns, string organizationId, PlatformOptions platform, DnsOptions options, CancellationToken cancellationToken) =>
        dns.SetRecordSetsAsync(RecordSets(organizationId, platform, options.EdgeAddressList(), remove: false), cancellationToken);

    public static Task RemoveOrganizationAsync(this IDnsProvider dns, string organizationId, PlatformOptions platform, CancellationToken cancellationToken) =>
        dns.SetRecordSetsAsync(RecordSets(organizationId, platform, [], remove: true), cancellationToken);

    /// <summary>The organizations whose names are published now, whether or not they still hold a gateway.</summary>
    public static async Task<IReadOnlyCollection<string>> ListPublishedOrganizationsAsync(this IDnsProvider dns, PlatformOptions options, CancellationToken cancellationToken) =>
        (await dns.ListRecordSetsAsync(cancellationToken)).Select(s => HostNames.OrganizationOf(s.Name, options.Domain)).OfType<string>().ToHashSet();

    public static Task SetRouteAsync(this IEdgeRouter edge, string organizationId, Uri gateway, PlatformOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        return edge.SetRoutesAsync([.. Hosts(organizationId, options).Select(h => EdgeRoute.To(h, gateway))], cancellationToken);
    }

    public static Task RemoveRouteAsync(this IEdgeRouter edge, string organizationId, PlatformOptions options, CancellationToken cancellationToken) =>
        edge.SetRoutesAsync([.. Hosts(organizationId, options).Select(EdgeRoute.Removed)], cancellationToken);

    /// <summary>The organizations that have a route now, whether or not they still hold a gateway.</summary>
    public static async Task<IReadOnlyCollection<string>> ListRoutedOrganizationsAsync(this IEdgeRouter edge, PlatformOptions options, CancellationToken cancellationToken) =>
        (await edge.ListRoutesAsync(cancellationToken)).Select(r => HostNames.OrganizationOf(r.Host, options.Domain)).OfType<string>().ToHashSet();

    private static string[] Hosts(string organizationId, PlatformOptions options)
    {
        var name = HostNames.Organization(organizationId, options.Domain.ToLowerInvariant());
        return [name, HostNames.Wildcard(name)];
    }

    private static DnsRecordSet[] RecordSets(string organizationId, PlatformOptions platform, IReadOnlyList<System.Net.IPAddress> edge, bool remove) =>
        [.. Hosts(organizationId, platform).SelectMany(name => DnsZoneRecords.Addresses(name, edge, always: remove))];
}

namespace Demiurge.GatewayProcess.Routing;

/// <summary>
/// Reads the names of the seeds' DNS layout from a Host: <c>org-{id}.{domain}</c> for an
/// organization's gateway and <c>uc-{container_id}.org-{id}.{domain}</c> for its user
/// containers. The domain itself needs no configuration: the gateway learns its organization's
/// name (<c>gateway_hostname</c>) in the handshake and compares whole names with it.
/// </summary>
internal static class OrganizationHosts
{
    public const string OrganizationPrefix = "org-";
    public const string ContainerPrefix = "uc-";

    /// <summary>
    /// What <paramref name="host"/> (no port) names. For a container, <paramref name="containerLabel"/>
    /// is what follows <c>uc-</c> in lower case; for both kinds, <paramref name="organizationHost"/>
    /// is the organization's name.
    /// </summary>
    public static HostKind Classify(string host, out string containerLabel, out string organizationHost)
    {
        ArgumentNullException.ThrowIfNull(host);
        containerLabel = organizationHost = "";
        host = host.TrimEnd('.'); // an absolute name (RFC 1034) is the same name
        if (host.StartsWith(OrganizationPrefix, StringComparison.OrdinalIgnoreCase))
        {
            organizationHost = host;
            return HostKind.Organization;
        }

        var dot = host.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && host.StartsWith(ContainerPrefix, StringComparison.OrdinalIgnoreCase)
            && host.AsSpan(dot + 1).StartsWith(OrganizationPrefix, StringComparison.OrdinalIgnoreCase))
        {
            containerLabel = host[ContainerPrefix.Length..dot].ToLowerInvariant();
            organizationHost = host[(dot + 1)..];
            return HostKind.Container;
        }

        return HostKind.Gateway;
    }

    /// <summary>The name a container is served at, under its organization's name.</summary>
    public static string Container(string containerId, string gatewayHostname) => $"{ContainerPrefix}{containerId}.{gatewayHostname}";
}

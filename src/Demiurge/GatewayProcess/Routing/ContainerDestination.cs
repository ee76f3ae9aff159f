using System.Net;
using System.Net.Sockets;

namespace Demiurge.GatewayProcess.Routing;

/// <summary>
/// Which endpoints a container may register. The gateway forwards anyone's request for a
/// registered name to its endpoint, so an endpoint elsewhere would make the gateway an open
/// proxy into the operator's network (its admin interfaces, cloud metadata at 169.254.169.254,
/// other tenants' services). User containers listen on loopback on the gateway's machine, so the
/// allowed set is exactly that, spelled out: http or https, an IP literal in 127.0.0.0/8 or
/// <c>::1</c>, a port in the configured container range (<c>--container-ports</c>), and an
/// optional path prefix. Host names are refused, <c>localhost</c> included: what they resolve to
/// can change after the check. The port range keeps the platform's own loopback listeners (the
/// API and its /metrics, PostgreSQL, a registry, a Docker socket on TCP) off the public edge.
/// </summary>
internal static class ContainerDestination
{
    public const int MaxLength = 2048;

    /// <summary>Why <paramref name="url"/> cannot be registered, or null when it can; then <paramref name="destination"/> is its normal form.</summary>
    public static string? Error(string? url, PortRange allowedPorts, out string? destination)
    {
        destination = null;
        if (string.IsNullOrEmpty(url))
        {
            return "The url is required: the container's endpoint, such as http://127.0.0.1:8888.";
        }

        if (url.Length > MaxLength)
        {
            return $"The url must be at most {MaxLength} characters.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return $"'{url}' is not an absolute http(s) URL.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            return $"'{url}' must have no user info, query or fragment.";
        }

        if (!IPAddress.TryParse(uri.DnsSafeHost, out var address) || !IsLoopback(address))
        {
            return $"'{url}' must point to a loopback address (127.0.0.0/8 or [::1]) given as an IP literal: the gateway forwards only to containers on its own machine.";
        }

        if (!allowedPorts.Contains(uri.Port))
        {
            return $"'{url}' uses port {uri.Port}; containers may register only ports {allowedPorts} (--container-ports).";
        }

        destination = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return null;
    }

    // Explicit rather than IPAddress.IsLoopback, so that the allowed set is exactly what the docs say
    // (an IPv4-mapped ::ffff:127.0.0.1, say, is refused).
    private static bool IsLoopback(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? address.GetAddressBytes()[0] == 127 : address.Equals(IPAddress.IPv6Loopback);
}

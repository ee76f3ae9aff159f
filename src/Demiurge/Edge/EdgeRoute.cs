using System.Globalization;

namespace Demiurge.Edge;

/// <summary>
/// A stage-1 route: requests for <paramref name="Host"/> go to one of its destinations, chosen by
/// weight among those not draining. The host is an exact name under the domain (or the domain
/// itself), or <c>*.{name}</c> for every name one label below <c>{name}</c>. A route with no
/// destinations is a removal.
/// </summary>
internal sealed record EdgeRoute(string Host, IReadOnlyList<EdgeDestination> Destinations)
{
    /// <summary>Whether the route is removed (it has no destinations).</summary>
    public bool IsRemoved => Destinations.Count == 0;

    /// <summary>A route to one destination.</summary>
    public static EdgeRoute To(string host, Uri destination) => new(host, [new EdgeDestination(destination)]);

    /// <summary>The removal of <paramref name="host"/>'s route.</summary>
    public static EdgeRoute Removed(string host) => new(host, []);

    /// <summary>
    /// Checks the route before it is stored or written into nginx's configuration: the host is the
    /// domain or a name under it in lower case, a wildcard only as its whole first label; each
    /// destination is an http(s) address without credentials, weighed 1 to
    /// <see cref="EdgeDestination.MaxWeight"/>, listed once.
    /// </summary>
    /// <exception cref="ArgumentException">Something above does not hold.</exception>
    public void Validate(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var name = Host.StartsWith("*.", StringComparison.Ordinal) ? Host[2..] : Host;
        domain = domain.TrimEnd('.').ToLowerInvariant();
        if (!(name == domain || name.EndsWith("." + domain, StringComparison.Ordinal)) || !name.Split('.').All(IsLabel))
        {
            throw new ArgumentException($"'{Host}' is not a lower-case name under '{domain}', or '*.' and one.");
        }

        foreach (var destination in Destinations)
        {
            var address = destination.Address;
            if (!address.IsAbsoluteUri || address.Scheme is not ("http" or "https") || address.UserInfo.Length > 0
                || address.Host.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']')))
            {
                throw new ArgumentException($"'{address}' is not an http(s) address the edge can forward to.");
            }

            if (destination.Weight is < 1 or > EdgeDestination.MaxWeight)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The weight of '{address}' must be 1 to {EdgeDestination.MaxWeight}, not {destination.Weight}."));
            }
        }

        if (Destinations.DistinctBy(d => d.Address.GetLeftPart(UriPartial.Authority)).Count() != Destinations.Count)
        {
            throw new ArgumentException($"The route of '{Host}' lists a destination twice.");
        }
    }

    private static bool IsLabel(string label) =>
        label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}

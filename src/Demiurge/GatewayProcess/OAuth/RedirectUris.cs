namespace Demiurge.GatewayProcess.OAuth;

/// <summary>
/// Rules for the redirect URIs a container registers. They must point into the organization's
/// own names (<c>org-{id}.{domain}</c> and below, where its containers are served): a member
/// cannot register a client that sends other members' codes anywhere else.
/// </summary>
internal static class RedirectUris
{
    public const int MaxCount = 10;
    public const int MaxLength = 2048;

    /// <summary>Why <paramref name="value"/> cannot be registered, or null when it can.</summary>
    public static string? Error(string? value, string gatewayHostname)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "A redirect URI must not be empty.";
        }

        if (value.Length > MaxLength)
        {
            return $"A redirect URI must be at most {MaxLength} characters.";
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return $"'{value}' is not an absolute http(s) URI.";
        }

        if (value.Contains('#', StringComparison.Ordinal) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return $"'{value}' must have no fragment and no user info (RFC 6749, section 3.1.2).";
        }

        var host = uri.IdnHost;
        return !string.IsNullOrEmpty(gatewayHostname)
            && (host.Equals(gatewayHostname, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + gatewayHostname, StringComparison.OrdinalIgnoreCase))
            ? null
            : $"'{value}' must point to the organization's own names: {gatewayHostname} or a name under it.";
    }
}

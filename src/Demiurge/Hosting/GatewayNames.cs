namespace Demiurge.Hosting;

/// <summary>
/// The DNS layout of the seeds: an organization's gateway answers at <c>org-{id}.{domain}</c>,
/// its user containers under that name, and the API at <c>ganymede.{domain}</c>.
/// </summary>
internal static class GatewayNames
{
    private const string Prefix = "org-";

    /// <summary>The label of the API's name, <c>ganymede.{domain}</c>.</summary>
    public const string ApiLabel = "ganymede";

    public static string Hostname(string organizationId, string domain) => $"org-{organizationId}.{domain}";

    /// <summary>
    /// The organization's name (<c>org-{id}.{domain}</c>) that <paramref name="host"/> is or lies
    /// under, such as a container's <c>uc-{id}.org-{id}.{domain}</c>, or null for any other name.
    /// </summary>
    public static string? OrganizationHostnameOf(string host, string domain)
    {
        ArgumentNullException.ThrowIfNull(host);
        host = host.TrimEnd('.');
        var suffix = "." + domain.TrimEnd('.');
        if (host.Length <= suffix.Length || !host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var name = host[(host[..^suffix.Length].LastIndexOf('.') + 1)..];
        return OrganizationOf(name, domain) is null ? null : name;
    }

    /// <summary>
    /// The organization whose name <paramref name="name"/> is (<c>org-{id}.{domain}</c>, with or
    /// without <c>*.</c> in front or a trailing dot), or null for any other name.
    /// </summary>
    public static string? OrganizationOf(string name, string domain)
    {
        ArgumentNullException.ThrowIfNull(name);
        var label = name.TrimEnd('.');
        label = label.StartsWith("*.", StringComparison.Ordinal) ? label[2..] : label;
        var suffix = "." + domain.TrimEnd('.');
        if (!label.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) || !label.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var id = label[Prefix.Length..^suffix.Length];
        return id.Length > 0 && !id.Contains('.', StringComparison.Ordinal) ? id : null;
    }
}

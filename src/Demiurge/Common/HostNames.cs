using System.Globalization;
using System.Text;

namespace Demiurge.Common;

/// <summary>
/// Every rule of Demiurge's names, in one place (docs/architecture.md, "Names"): an organization's
/// gateway answers at <c>org-{id}.{domain}</c> and its user containers at
/// <c>uc-{container}.org-{id}.{domain}</c>; apps at <c>{app}.{org_slug}.apps.{domain}</c> (other
/// environments <c>{app}-{env}.…</c>, previews <c>{app}-pr-{n}.…</c>), never under the
/// organization's gateway name, which is released when idle; the API at <c>ganymede.{domain}</c>.
/// A wildcard covers one label, so each organization has one wildcard name per level:
/// <c>*.org-{id}.{domain}</c> and <c>*.{org_slug}.apps.{domain}</c>.
/// </summary>
internal static class HostNames
{
    /// <summary>The first characters of an organization's gateway label, <c>org-{id}</c>.</summary>
    public const string OrganizationPrefix = "org-";

    /// <summary>The first characters of a user container's label, <c>uc-{id}</c>.</summary>
    public const string ContainerPrefix = "uc-";

    /// <summary>The label apps live under, <c>{org_slug}.apps.{domain}</c>.</summary>
    public const string AppsLabel = "apps";

    /// <summary>The label of the API's name, <c>ganymede.{domain}</c>.</summary>
    public const string ApiLabel = "ganymede";

    /// <summary>The label of the zone's nameserver, <c>ns.{domain}</c>.</summary>
    public const string NameserverLabel = "ns";

    /// <summary>The longest slug: a DNS label may hold 63 characters, and room is left for a "-{n}" that makes it unique.</summary>
    public const int SlugMaxLength = 48;

    /// <summary>The longest DNS label (RFC 1035).</summary>
    public const int MaxLabelLength = 63;

    private const string PreviewInfix = "-pr-";

    /// <summary>Labels no organization's slug may be.</summary>
    private static readonly string[] s_reservedLabels = [AppsLabel, ApiLabel, NameserverLabel, "www"];

    /// <summary>Prefixes no organization's slug may start with: they name gateways and containers.</summary>
    private static readonly string[] s_reservedPrefixes = [OrganizationPrefix, ContainerPrefix];

    // Latin letters with accents, as ASCII: the process runs without ICU (invariant
    // globalization), so string normalization cannot take the accents off.
    private static readonly Dictionary<char, string> s_latin = new (string Letters, string Ascii)[]
    {
        ("àáâãäåāăą", "a"), ("çćĉċč", "c"), ("ďđð", "d"), ("èéêëēĕėęě", "e"), ("ĝğġģ", "g"), ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"), ("ĵ", "j"), ("ķ", "k"), ("ĺļľŀł", "l"), ("ñńņň", "n"), ("òóôõöøōŏő", "o"),
        ("ŕŗř", "r"), ("śŝşš", "s"), ("ţťŧ", "t"), ("ùúûüũūŭůűų", "u"), ("ŵ", "w"), ("ýÿŷ", "y"), ("źżž", "z"),
        ("æ", "ae"), ("œ", "oe"), ("ß", "ss"), ("þ", "th"),
    }.SelectMany(p => p.Letters.Select(c => (c, p.Ascii))).ToDictionary(p => p.c, p => p.Ascii);

    /// <summary><c>org-{id}.{domain}</c>: the organization's gateway.</summary>
    public static string Organization(string organizationId, string domain) => $"{OrganizationPrefix}{organizationId}.{domain}";

    /// <summary><c>uc-{id}.{organization's name}</c>: a user container, under its organization's name.</summary>
    public static string Container(string containerId, string organizationHost) => $"{ContainerPrefix}{containerId}.{organizationHost}";

    /// <summary><c>*.{name}</c>: every name one label below <paramref name="name"/>.</summary>
    public static string Wildcard(string name) => "*." + name;

    /// <summary><c>{org_slug}.apps.{domain}</c>: the level an organization's apps are named under.</summary>
    public static string Apps(string organizationSlug, string domain) => $"{organizationSlug}.{AppsLabel}.{domain}";

    /// <summary>
    /// An app's name: <c>{app}.{org_slug}.apps.{domain}</c> for its production environment (no
    /// <paramref name="environment"/>), <c>{app}-{env}.{org_slug}.apps.{domain}</c> for another.
    /// </summary>
    public static string App(string app, string organizationSlug, string domain, string? environment = null) =>
        $"{app}{(environment is null ? "" : "-" + environment)}.{Apps(organizationSlug, domain)}";

    /// <summary><c>{app}-pr-{n}.{org_slug}.apps.{domain}</c>: the preview of pull request <paramref name="number"/>.</summary>
    public static string Preview(string app, int number, string organizationSlug, string domain) =>
        string.Create(CultureInfo.InvariantCulture, $"{app}{PreviewInfix}{number}.{Apps(organizationSlug, domain)}");

    /// <summary>Whether an organization's slug may not be <paramref name="label"/>: a reserved label, or one that starts like a gateway's or container's.</summary>
    public static bool IsReserved(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return s_reservedLabels.Contains(label, StringComparer.OrdinalIgnoreCase)
            || s_reservedPrefixes.Any(p => label.StartsWith(p, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// A DNS-safe slug for an organization named <paramref name="organizationName"/>, unique among
    /// those <paramref name="isTaken"/> says are in use: lower-case ASCII letters, digits and single
    /// hyphens (Latin accents dropped, anything else a hyphen), at most <see cref="SlugMaxLength"/>
    /// characters, never reserved; <c>-2</c>, <c>-3</c>… is added until it is free (<c>2</c>, <c>3</c>…
    /// after <c>org</c> and <c>uc</c>).
    /// </summary>
    public static string Slug(string organizationName, Func<string, bool> isTaken)
    {
        ArgumentNullException.ThrowIfNull(isTaken);
        var label = SlugBase(organizationName);
        // After "org" or "uc", "-{n}" would read as a gateway's or container's name, reserved for
        // ever: there the number follows the label directly ("org2").
        var separator = IsReserved(label + "-") ? "" : "-";
        var candidate = label;
        for (var n = 2; IsReserved(candidate) || isTaken(candidate); n++)
        {
            candidate = string.Create(CultureInfo.InvariantCulture, $"{label}{separator}{n}");
        }

        return candidate;
    }

    /// <summary>
    /// The label <see cref="Slug"/> starts from for <paramref name="organizationName"/>, before a
    /// number makes it unique: every slug it may return starts with this label.
    /// </summary>
    public static string SlugBase(string organizationName)
    {
        ArgumentNullException.ThrowIfNull(organizationName);
        var slug = new StringBuilder();
        foreach (var c in organizationName.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (s_latin.TryGetValue(c, out var folded))
            {
                slug.Append(folded);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var label = slug.ToString(0, Math.Min(slug.Length, SlugMaxLength)).Trim('-');
        // "org-acme" would read as a gateway's name: the prefix goes.
        while (s_reservedPrefixes.FirstOrDefault(p => label.StartsWith(p, StringComparison.Ordinal)) is { } prefix)
        {
            label = label[prefix.Length..];
        }

        return label.Length == 0 ? "org" : label;
    }

    /// <summary>
    /// Why <paramref name="slug"/> cannot be an organization's slug, or null when it can: one DNS
    /// label (at most 63 characters) of lower-case ASCII letters, digits and single hyphens, starting
    /// and ending with a letter or digit, and not reserved (<see cref="IsReserved"/>).
    /// </summary>
    public static string? SlugError(string slug)
    {
        ArgumentNullException.ThrowIfNull(slug);
        if (slug.Length is 0 or > MaxLabelLength || !slug.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            || slug[0] == '-' || slug[^1] == '-' || slug.Contains("--", StringComparison.Ordinal))
        {
            return $"A slug is 1 to {MaxLabelLength} lower-case letters (a-z), digits and single hyphens, starting and ending with a letter or digit.";
        }

        return IsReserved(slug)
            ? $"The slug '{slug}' is reserved: {string.Join(", ", s_reservedLabels)} and names starting with {string.Join(" or ", s_reservedPrefixes)} belong to Demiurge."
            : null;
    }

    /// <summary>
    /// The name a TLS certificate for <paramref name="host"/> is issued to: one wildcard per
    /// organization and level, <c>*.org-{id}.{domain}</c> for the organization's name and the names
    /// one label under it, <c>*.{org_slug}.apps.{domain}</c> for its apps' names; any other name its own.
    /// </summary>
    public static string CertificateNameOf(string host, string domain)
    {
        ArgumentNullException.ThrowIfNull(host);
        host = host.TrimEnd('.').ToLowerInvariant();
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        return IsLevel(host, domain) ? Wildcard(host)
            : dot > 0 && IsLevel(host[(dot + 1)..], domain) ? Wildcard(host[(dot + 1)..])
            : host;
    }

    // An organization's name, or the name its apps are under ({org_slug}.apps.{domain}).
    private static bool IsLevel(string name, string domain)
    {
        var apps = $".{AppsLabel}.{domain.TrimEnd('.')}";
        return OrganizationOf(name, domain) is not null
            || (name.Length > apps.Length && name.EndsWith(apps, StringComparison.OrdinalIgnoreCase) && !name[..^apps.Length].Contains('.', StringComparison.Ordinal));
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
        if (!label.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) || !label.StartsWith(OrganizationPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var id = label[OrganizationPrefix.Length..^suffix.Length];
        return id.Length > 0 && !id.Contains('.', StringComparison.Ordinal) ? id : null;
    }

    /// <summary>
    /// What <paramref name="host"/> (no port) names, as a gateway sees it: the gateway needs no
    /// domain, since it compares whole names with its organization's. For a container,
    /// <paramref name="containerLabel"/> is what follows <c>uc-</c> in lower case; for both kinds,
    /// <paramref name="organizationHost"/> is the organization's name.
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

    /// <summary>Whether <paramref name="host"/> begins with the organization's gateway label, <c>org-{id}.</c>.</summary>
    public static bool IsUnderOrganization(string host, string organizationId) =>
        host.StartsWith($"{OrganizationPrefix}{organizationId}.", StringComparison.OrdinalIgnoreCase);
}

namespace Demiurge.Common;

/// <summary>Reads <c>Authorization: Bearer &lt;token&gt;</c>, refusing what could never be a token before anything hashes or forwards it.</summary>
internal static class BearerHeader
{
    /// <summary>Longer presented tokens are refused before they are hashed.</summary>
    public const int MaxLength = 1024;

    private const string Scheme = "Bearer ";

    /// <summary>The token, or null when the header is absent, of another scheme, or not a plausible token.</summary>
    public static string? Token(string? header)
    {
        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[Scheme.Length..].Trim();
        // It is forwarded in a header of its own: printable ASCII, no white space.
        return token.Length is > 0 and <= MaxLength && token.All(c => c is > ' ' and < (char)127) ? token : null;
    }
}

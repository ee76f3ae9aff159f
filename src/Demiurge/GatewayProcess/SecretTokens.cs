using Demiurge.Identity;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The secrets the gateway hands out: 256 random bits, base64url, behind a prefix that tells
/// what they are. Only <see cref="Hash"/> is ever kept.
/// </summary>
internal static class SecretTokens
{
    public const string CodePrefix = "gwc_";
    public const string AccessPrefix = "gwa_";
    public const string RefreshPrefix = "gwr_";
    public const string ContainerPrefix = "gwt_";

    /// <summary>Longer presented tokens are refused before they are hashed.</summary>
    public const int MaxLength = BearerHeader.MaxLength;

    public static string New(string prefix) => Tokens.New(prefix);

    /// <summary>SHA-256, lower-case hex: fast is right for random tokens, which cannot be guessed from a dictionary.</summary>
    public static string Hash(string token) => Tokens.Hash(token);
}

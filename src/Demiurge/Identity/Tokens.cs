using System.Security.Cryptography;
using System.Text;

namespace Demiurge.Identity;

/// <summary>
/// Bearer tokens: 256 random bits behind a recognizable prefix. Only their SHA-256 is stored;
/// a fast hash is right here because the tokens are random, not chosen by people.
/// </summary>
internal static class Tokens
{
    public const string Prefix = "dmg_";

    public static string New() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

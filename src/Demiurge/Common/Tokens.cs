using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Demiurge.Common;

/// <summary>
/// Bearer tokens: 256 random bits behind a recognizable prefix. Only their SHA-256 is stored;
/// a fast hash is right here because the tokens are random, not chosen by people.
/// </summary>
internal static class Tokens
{
    public const string Prefix = "dmg_";

    public static string New() => New(Prefix);

    /// <summary>A new token behind <paramref name="prefix"/>, which tells what it is for.</summary>
    public static string New(string prefix) => prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

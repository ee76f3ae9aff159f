using System.Security.Cryptography;
using System.Text;

namespace Demiurge.GatewayProcess.OAuth;

/// <summary>Proof Key for Code Exchange (RFC 7636), S256 only: <c>plain</c> would let a stolen code be redeemed.</summary>
internal static class Pkce
{
    public const string S256 = "S256";

    /// <summary>A base64url SHA-256 without padding is 43 characters.</summary>
    public const int ChallengeLength = 43;

    public const int MinVerifierLength = 43;
    public const int MaxVerifierLength = 128;

    public static bool IsChallenge(string? value) =>
        value is { Length: ChallengeLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>43 to 128 unreserved characters (RFC 7636, section 4.1).</summary>
    public static bool IsVerifier(string? value) =>
        value is { Length: >= MinVerifierLength and <= MaxVerifierLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    public static string Challenge(string verifier) =>
        System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>Whether <paramref name="verifier"/> hashes to <paramref name="challenge"/>, compared in constant time.</summary>
    public static bool Matches(string verifier, string challenge) =>
        IsVerifier(verifier) && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Challenge(verifier)), Encoding.ASCII.GetBytes(challenge));
}

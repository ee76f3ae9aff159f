using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Demiurge.Protocol;

/// <summary>
/// How a control plane proves itself to a gateway worker (docs/gateway-protocol.md): it signs each
/// call with the key ring's signing key, and the worker checks the signature against the public
/// keys it was started with. The store holds only the wrapped private key, so reading the store
/// (or a worker's environment) gives nothing that commands a worker.
/// </summary>
/// <remarks>
/// The signature covers the worker it is meant for, the method, the path and query, the time,
/// the body and the control-plane list a ping hands over: it cannot be replayed to another
/// worker, on another path, with another body or list, nor later than <see cref="MaxSkew"/>.
/// Both sides use this one definition.
/// </remarks>
internal static class ControlPlaneSignature
{
    /// <summary>How far a signature's time may be from the worker's clock, either way.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromSeconds(60);

    private const int MaxHeaderLength = 512;

    public static string Sign(ECDsa key, string keyId, string gatewayId, string method, string pathAndQuery, DateTimeOffset at, ReadOnlySpan<byte> body, string? controlPlanes)
    {
        ArgumentNullException.ThrowIfNull(key);
        var millis = at.ToUnixTimeMilliseconds();
        var signature = key.SignData(Payload(gatewayId, method, pathAndQuery, millis, body, controlPlanes), HashAlgorithmName.SHA256);
        return string.Create(CultureInfo.InvariantCulture, $"key={keyId},ts={millis},sig={Base64Url.EncodeToString(signature)}");
    }

    /// <summary>Whether <paramref name="header"/> is a valid signature of this request by one of <paramref name="keys"/>, made within <see cref="MaxSkew"/> of <paramref name="now"/>.</summary>
    public static bool Verify(
        string? header, IReadOnlyDictionary<string, ECDsa> keys, string gatewayId, string method, string pathAndQuery, DateTimeOffset now, ReadOnlySpan<byte> body, string? controlPlanes)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (!TryParse(header, out var keyId, out var millis, out var signature) || !keys.TryGetValue(keyId, out var key))
        {
            return false;
        }

        if ((now - DateTimeOffset.FromUnixTimeMilliseconds(millis)).Duration() > MaxSkew)
        {
            return false;
        }

        var payload = Payload(gatewayId, method, pathAndQuery, millis, body, controlPlanes);
        lock (key) // one key object serves every request; it is not documented as safe to share between threads
        {
            return key.VerifyData(payload, signature, HashAlgorithmName.SHA256);
        }
    }

    private static bool TryParse(string? header, out string keyId, out long millis, out byte[] signature)
    {
        keyId = string.Empty;
        millis = 0;
        signature = [];
        if (string.IsNullOrEmpty(header) || header.Length > MaxHeaderLength)
        {
            return false;
        }

        string? key = null, ts = null, sig = null;
        foreach (var part in header.Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return false;
            }

            var value = part[(equals + 1)..].Trim();
            switch (part[..equals].Trim())
            {
                case "key": key = value; break;
                case "ts": ts = value; break;
                case "sig": sig = value; break;
                default: return false;
            }
        }

        if (key is null || sig is null || !long.TryParse(ts, NumberStyles.None, CultureInfo.InvariantCulture, out millis)
            || millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        try
        {
            signature = Base64Url.DecodeFromChars(sig);
        }
        catch (FormatException)
        {
            return false;
        }

        keyId = key;
        return true;
    }

    private static byte[] Payload(string gatewayId, string method, string pathAndQuery, long millis, ReadOnlySpan<byte> body, string? controlPlanes) =>
        Encoding.UTF8.GetBytes(string.Join('\n',
            "demiurge-control-v1", gatewayId, method.ToUpperInvariant(), pathAndQuery,
            millis.ToString(CultureInfo.InvariantCulture), Convert.ToHexStringLower(SHA256.HashData(body)), controlPlanes ?? string.Empty));
}

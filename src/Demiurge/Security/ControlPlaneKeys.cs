using System.Security.Cryptography;

namespace Demiurge.Security;

/// <summary>
/// The public halves of the key ring's signing keys, as a worker receives them at start in
/// <see cref="Protocol.WorkerEnvironment.ControlPlaneKeys"/>: <c>{key id}:{base64 SubjectPublicKeyInfo}</c>, separated by commas.
/// Public: nothing in them lets anyone sign.
/// </summary>
internal static class ControlPlaneKeys
{
    private const int MaxKeys = 16;

    public static string Format(IEnumerable<(string KeyId, byte[] PublicKey)> keys) =>
        string.Join(',', keys.Select(k => $"{k.KeyId}:{Convert.ToBase64String(k.PublicKey)}"));

    /// <summary>The keys by id, or null with <paramref name="error"/> when <paramref name="text"/> is not such a list.</summary>
    public static Dictionary<string, ECDsa>? Parse(string? text, out string? error)
    {
        error = null;
        var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        foreach (var entry in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var key = ECDsa.Create();
            try
            {
                key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(colon > 0 ? entry[(colon + 1)..] : string.Empty), out _);
            }
            catch (Exception exception) when (exception is FormatException or CryptographicException)
            {
                key.Dispose();
                error = $"{Protocol.WorkerEnvironment.ControlPlaneKeys}: '{entry[..Math.Min(entry.Length, 40)]}' is not {{key id}}:{{base64 public key}}.";
                break;
            }

            if (!keys.TryAdd(entry[..colon], key))
            {
                key.Dispose();
            }
        }

        if (error is null && (keys.Count == 0 || keys.Count > MaxKeys))
        {
            error = $"{Protocol.WorkerEnvironment.ControlPlaneKeys} must list 1 to {MaxKeys} control-plane public keys; the control plane sets it when it starts a worker.";
        }

        if (error is not null)
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }

            return null;
        }

        return keys;
    }
}

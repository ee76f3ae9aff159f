using System.Security.Cryptography;

namespace Demiurge.Security;

/// <summary>
/// The key that wraps the key ring. It never enters the store: each control plane reads it from
/// the <c>MasterKey</c> setting (<see cref="Variable"/>) or from a 0600 file, <c>master.key</c> in
/// the data dir, and every control plane of one store must have the same one. The first start
/// creates the file.
/// </summary>
internal sealed class MasterKey : IDisposable
{
    public const string Variable = "DEMIURGE_MASTER_KEY";

    public const string FileName = "master.key";

    private const int KeyBytes = 32;
    private const int NonceBytes = 12;
    internal const int TagBytes = 16;

    private readonly AesGcm _aes;

    private MasterKey(byte[] key, string source)
    {
        _aes = new AesGcm(key, TagBytes);
        Source = source;
    }

    /// <summary>Where the key came from, for error messages (never the key itself).</summary>
    public string Source { get; }

    /// <summary>
    /// The key from <paramref name="setting"/> when set, else from <paramref name="path"/>;
    /// a new key is written there (0600) when neither exists and <paramref name="create"/> is true.
    /// </summary>
    /// <exception cref="ConfigurationException">The key is missing or malformed.</exception>
    public static MasterKey Load(string? setting, string path, bool create)
    {
        if (!string.IsNullOrEmpty(setting))
        {
            return new MasterKey(Decode(setting, Variable), Variable);
        }

        if (File.Exists(path))
        {
            return new MasterKey(Decode(File.ReadAllText(path).Trim(), path), path);
        }

        if (!create)
        {
            throw new ConfigurationException([
                $"The store's key ring is wrapped by a master key, and this control plane has none: copy {FileName} from another control plane's data dir to {path}, or set {Variable}."]);
        }

        var key = RandomNumberGenerator.GetBytes(KeyBytes);
        DataDirectory.CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using (var writer = new StreamWriter(DataDirectory.OpenFile(path, FileMode.CreateNew, FileAccess.Write, FileShare.None)))
        {
            writer.WriteLine(Convert.ToBase64String(key));
        }

        return new MasterKey(key, path);
    }

    /// <summary>A new random key, base64: what <see cref="Variable"/> and the file hold.</summary>
    public static string NewEncoded() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary><paramref name="plaintext"/> sealed with AES-256-GCM, bound to <paramref name="keyId"/>: nonce, ciphertext and tag, base64.</summary>
    public string Wrap(string keyId, ReadOnlySpan<byte> plaintext)
    {
        lock (_aes)
        {
            return Seal(_aes, keyId, plaintext);
        }
    }

    /// <summary>The bytes <see cref="Wrap"/> sealed.</summary>
    /// <exception cref="CryptographicException">Another master key wrapped them, or they were altered.</exception>
    public byte[] Unwrap(string keyId, string wrapped)
    {
        lock (_aes)
        {
            return Open(_aes, keyId, wrapped);
        }
    }

    public void Dispose() => _aes.Dispose();

    /// <summary>AES-GCM with a random nonce and <paramref name="associated"/> as associated data; shared with the secret service's data keys.</summary>
    internal static string Seal(AesGcm aes, string associated, ReadOnlySpan<byte> plaintext)
    {
        var sealedBytes = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceBytes, plaintext.Length), sealedBytes.AsSpan(NonceBytes + plaintext.Length), System.Text.Encoding.UTF8.GetBytes(associated));
        return Convert.ToBase64String(sealedBytes);
    }

    internal static byte[] Open(AesGcm aes, string associated, string sealedText)
    {
        var sealedBytes = Convert.FromBase64String(sealedText);
        if (sealedBytes.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("The sealed value is too short.");
        }

        var plaintext = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plaintext.Length), sealedBytes.AsSpan(NonceBytes + plaintext.Length), plaintext,
            System.Text.Encoding.UTF8.GetBytes(associated));
        return plaintext;
    }

    private static byte[] Decode(string text, string source)
    {
        try
        {
            var key = Convert.FromBase64String(text);
            if (key.Length == KeyBytes)
            {
                return key;
            }
        }
        catch (FormatException)
        {
        }

        throw new ConfigurationException([$"The master key in {source} must be {KeyBytes} bytes in base64 (make one with: head -c {KeyBytes} /dev/urandom | base64)."]);
    }
}

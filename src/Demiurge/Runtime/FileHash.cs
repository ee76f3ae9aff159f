using System.Security.Cryptography;

namespace Demiurge.Runtime;

/// <summary>
/// The SHA-256 of a file (its first 16 hex digits), hashed again only when its length or
/// last write time changes, so that asking on every pool pass costs a stat.
/// </summary>
internal sealed class FileHash
{
    private readonly Lock _lock = new();
    private (string Path, long Length, DateTime Written, string Hash)? _last;

    public string Of(string path)
    {
        var file = new FileInfo(path);
        lock (_lock)
        {
            if (_last is not { } last || last.Path != path || last.Length != file.Length || last.Written != file.LastWriteTimeUtc)
            {
                using var stream = file.OpenRead();
                last = (path, file.Length, file.LastWriteTimeUtc, Convert.ToHexStringLower(SHA256.HashData(stream))[..16]);
                _last = last;
            }

            return last.Hash;
        }
    }
}

using Demiurge.Yjs;

namespace Demiurge.Gateways;

/// <summary>
/// A project's stored document and the room updates appended to it (base64 Yjs updates): merged
/// into one when pulled, and compacted into the stored content (docs/gateway-protocol.md).
/// </summary>
internal static class StoredDocuments
{
    /// <summary>Appended updates of one project that trigger a compaction at the push that passes either bound.</summary>
    public const int CompactAfterUpdates = 32;

    public const long CompactAfterBytes = 1024 * 1024;

    /// <summary>
    /// <paramref name="content"/> with <paramref name="updates"/> merged in, base64. A part that is
    /// not a Yjs update (content written whole through <c>/projects/{id}/state</c>, say) cannot be
    /// merged: the content is left as it is if no update is, else the updates replace it.
    /// </summary>
    public static string? Merge(string? content, IReadOnlyList<string> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (updates.Count == 0)
        {
            return content;
        }

        var parts = new List<ReadOnlyMemory<byte>>(updates.Count + 1);
        foreach (var part in content is null ? updates : updates.Prepend(content))
        {
            if (Decode(part) is { } bytes)
            {
                parts.Add(bytes);
            }
        }

        return parts.Count == 0 ? content : Convert.ToBase64String(YUpdate.Merge(parts));
    }

    /// <summary>Whether <paramref name="update"/> is base64 of a well-formed Yjs update.</summary>
    public static bool IsUpdate(string update) => Decode(update) is not null;

    private static byte[]? Decode(string base64)
    {
        try
        {
            var bytes = Convert.FromBase64String(base64);
            return YUpdate.IsValid(bytes) ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

using System.Buffers.Binary;

namespace Demiurge.Common;

/// <summary>
/// Identifiers are UUIDv7: time-ordered, so indexes stay append-friendly and the event table
/// reads in write order. Within one millisecond v7 is random, so this process bumps a new id
/// past the previous one (RFC 9562, section 6.2, method 3) to keep them strictly increasing.
/// </summary>
internal static class Ids
{
    private static readonly Lock s_lock = new();
    private static UInt128 s_last;

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.CreateVersion7().TryWriteBytes(bytes, bigEndian: true, out _);
        var candidate = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        lock (s_lock)
        {
            s_last = candidate > s_last ? candidate : s_last + 1;
            BinaryPrimitives.WriteUInt128BigEndian(bytes, s_last);
        }

        return new Guid(bytes, bigEndian: true).ToString();
    }

    /// <summary>Normalizes an id from a URL or a body; null when it is not a UUID.</summary>
    /// <remarks>
    /// The length check comes first because <see cref="Guid.TryParseExact(string, string, out Guid)"/>
    /// trims white space: without it <c>"{id} "</c> (<c>%20</c> in a path) named the same object.
    /// </remarks>
    public static string? Parse(string? value) =>
        value is { Length: 36 } && Guid.TryParseExact(value, "D", out var id) ? id.ToString() : null;
}

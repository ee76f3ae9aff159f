using System.Text;
using Demiurge.Yjs;

namespace Demiurge.Tests.Infrastructure;

/// <summary>Small Yjs updates (v1) written by hand, for tests of what stores and carries them.</summary>
internal static class TestYjsUpdates
{
    /// <summary>
    /// <paramref name="client"/> (under 128) inserts ASCII <paramref name="text"/> (under 128 characters)
    /// into root text "t" at <paramref name="clock"/> (under 128), after its own previous character when there is one.
    /// </summary>
    public static byte[] Text(ulong client, ulong clock, string text)
    {
        var bytes = new List<byte> { 1, 1, (byte)client, (byte)clock };
        if (clock == 0)
        {
            bytes.AddRange([4, 1, 1, (byte)'t']); // a string, no origins: its parent is the root type "t"
        }
        else
        {
            bytes.AddRange([4 | 0x80, (byte)client, (byte)(clock - 1)]); // a string after its origin
        }

        bytes.Add((byte)text.Length);
        bytes.AddRange(Encoding.ASCII.GetBytes(text));
        bytes.Add(0); // no deletions
        var update = bytes.ToArray();
        YUpdate.Validate(update);
        return update;
    }
}

namespace Demiurge.Yjs.Tests;

/// <summary>Updates written byte by byte, for the content kinds and corners random sessions rarely reach.</summary>
internal static class TestUpdates
{
    /// <summary>
    /// Client 7, clocks 0 to 25: every content kind, a GC, a skip and a nested parent; client 3 with a right origin
    /// only; a delete set with two clients. Legacy JSON content is here because yjs 13 no longer writes it.
    /// </summary>
    public static byte[] AllContentKinds()
    {
        var w = new Lib0Writer();
        w.WriteVarUint(2); // client groups
        w.WriteVarUint(13); // structs of client 7
        w.WriteVarUint(7);
        w.WriteVarUint(0);
        RootItem(w, YContentRef.String, "text"); // 0..4 "a😀b" is four UTF-16 units
        w.WriteVarString("a😀b");
        w.WriteUint8(YContentRef.String | YContentRef.BitOrigin); // 4..6
        Id(w, 7, 3);
        w.WriteVarString("xy");
        RootItem(w, YContentRef.Any, "map", "k"); // 6..9
        w.WriteVarUint(3);
        w.WriteAny(1);
        w.WriteAny("s");
        w.WriteAny(new Dictionary<string, object?> { ["n"] = null });
        RootItem(w, YContentRef.Deleted, "array"); // 9..12
        w.WriteVarUint(3);
        RootItem(w, YContentRef.Json, "array"); // 12..15
        w.WriteVarUint(3);
        w.WriteVarString("{\"a\":1}");
        w.WriteVarString("undefined");
        w.WriteVarString("[2,\"x\"]");
        RootItem(w, YContentRef.Binary, "array"); // 15
        w.WriteVarUint8Array([1, 2, 3]);
        w.WriteUint8(YContentRef.Embed | YContentRef.BitOrigin); // 16
        Id(w, 7, 0);
        w.WriteVarString("{\"image\":\"x\"}");
        w.WriteUint8(YContentRef.Format | YContentRef.BitOrigin); // 17
        Id(w, 7, 1);
        w.WriteVarString("bold");
        w.WriteVarString("true");
        RootItem(w, YContentRef.Type, "xml"); // 18: a YXmlElement named p
        w.WriteVarUint(3);
        w.WriteVarString("p");
        RootItem(w, YContentRef.Doc, "map", "sub"); // 19
        w.WriteVarString("guid-1");
        w.WriteAny(new Dictionary<string, object?>());
        w.WriteUint8(YContentRef.GC); // 20..22
        w.WriteVarUint(2);
        w.WriteUint8(YContentRef.Skip); // 22..23
        w.WriteVarUint(1);
        w.WriteUint8(YContentRef.String); // 23..25, inside the element at 18
        w.WriteVarUint(0);
        Id(w, 7, 18);
        w.WriteVarString("in");

        w.WriteVarUint(1); // structs of client 3
        w.WriteVarUint(3);
        w.WriteVarUint(0);
        w.WriteUint8(YContentRef.String | YContentRef.BitRightOrigin);
        Id(w, 7, 0);
        w.WriteVarString("z");

        w.WriteVarUint(2); // delete set
        w.WriteVarUint(3);
        w.WriteVarUint(1);
        w.WriteVarUint(0);
        w.WriteVarUint(1);
        w.WriteVarUint(7);
        w.WriteVarUint(2);
        w.WriteVarUint(5);
        w.WriteVarUint(1);
        w.WriteVarUint(0);
        w.WriteVarUint(2);
        return w.ToArray();
    }

    /// <summary>One text insert at the start of root "text": <paramref name="text"/> by <paramref name="client"/> from <paramref name="clock"/>.</summary>
    public static byte[] Text(ulong client, ulong clock, string text)
    {
        var w = new Lib0Writer();
        w.WriteVarUint(1);
        w.WriteVarUint(1);
        w.WriteVarUint(client);
        w.WriteVarUint(clock);
        if (clock == 0)
        {
            RootItem(w, YContentRef.String, "text");
        }
        else
        {
            w.WriteUint8(YContentRef.String | YContentRef.BitOrigin);
            Id(w, client, clock - 1);
        }
        w.WriteVarString(text);
        w.WriteVarUint(0);
        return w.ToArray();
    }

    /// <summary>A GC struct of <paramref name="length"/> clocks: deleted content, gone.</summary>
    public static byte[] Gc(ulong client, ulong clock, ulong length)
    {
        var w = new Lib0Writer();
        w.WriteVarUint(1);
        w.WriteVarUint(1);
        w.WriteVarUint(client);
        w.WriteVarUint(clock);
        w.WriteUint8(YContentRef.GC);
        w.WriteVarUint(length);
        w.WriteVarUint(0);
        return w.ToArray();
    }

    public static byte[] StateVector(params (ulong Client, ulong Clock)[] entries) =>
        YUpdate.EncodeStateVector(entries.ToDictionary(e => e.Client, e => e.Clock));

    private static void RootItem(Lib0Writer w, byte contentRef, string root, string? key = null)
    {
        w.WriteUint8((byte)(contentRef | (key is null ? 0 : YContentRef.BitParentSub)));
        w.WriteVarUint(1);
        w.WriteVarString(root);
        if (key is not null)
        {
            w.WriteVarString(key);
        }
    }

    private static void Id(Lib0Writer w, ulong client, ulong clock)
    {
        w.WriteVarUint(client);
        w.WriteVarUint(clock);
    }
}

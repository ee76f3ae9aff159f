namespace Demiurge.Yjs;

/// <summary>The low five bits of a struct's info byte: which kind of struct or content follows.</summary>
internal static class YContentRef
{
    public const byte GC = 0;
    public const byte Deleted = 1;
    public const byte Json = 2;
    public const byte Binary = 3;
    public const byte String = 4;
    public const byte Embed = 5;
    public const byte Format = 6;
    public const byte Type = 7;
    public const byte Any = 8;
    public const byte Doc = 9;
    public const byte Skip = 10;

    /// <summary>The largest type reference (YXmlText); 3 (YXmlElement) and 5 (YXmlHook) carry a name.</summary>
    public const ulong MaxTypeRef = 6;
    public const ulong TypeRefXmlElement = 3;
    public const ulong TypeRefXmlHook = 5;

    public const byte BitOrigin = 0x80;
    public const byte BitRightOrigin = 0x40;
    public const byte BitParentSub = 0x20;
    public const byte ContentMask = 0x1F;
}

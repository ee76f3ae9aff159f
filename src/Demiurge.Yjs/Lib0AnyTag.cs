namespace Demiurge.Yjs;

/// <summary>The first byte of an encoded <c>any</c> value, as lib0 numbers them.</summary>
internal static class Lib0AnyTag
{
    public const byte Bytes = 116;
    public const byte Array = 117;
    public const byte Object = 118;
    public const byte String = 119;
    public const byte True = 120;
    public const byte False = 121;
    public const byte BigInt = 122;
    public const byte Float64 = 123;
    public const byte Float32 = 124;
    public const byte Integer = 125;
    public const byte Null = 126;
    public const byte Undefined = 127;
}

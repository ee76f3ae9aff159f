namespace Demiurge.Yjs;

/// <summary>
/// One struct of an update. Strings and content stay in the update's bytes and are referred to by offset,
/// so decoding copies nothing; <see cref="Source"/> says which input the offsets belong to.
/// </summary>
internal struct YBlock
{
    public YBlockKind Kind;
    public ulong Client;
    public ulong Clock;
    public ulong Length;
    public YId? Origin;
    public YId? RightOrigin;
    public YParentKind Parent;
    public YId ParentId;
    public int ParentKeyStart;
    public int ParentKeyLength;

    /// <summary>The start of the parent-sub (map key) bytes, or −1 when the item has none.</summary>
    public int ParentSubStart;
    public int ParentSubLength;
    public byte ContentRef;
    public int ContentStart;
    public int ContentLength;

    /// <summary>How many leading units of the content a slice has cut off.</summary>
    public ulong ContentOffset;

    /// <summary>The index of the input update the offsets refer to.</summary>
    public int Source;

    public readonly ulong End => Clock + Length;

    public static YBlock Filler(YBlockKind kind, ulong client, ulong clock, ulong length) => new()
    {
        Kind = kind,
        Client = client,
        Clock = clock,
        Length = length,
        ParentSubStart = -1,
    };

    /// <summary>The part of this struct from <paramref name="diff"/> on, as Yjs's lazy writer slices it.</summary>
    public readonly YBlock SliceFrom(ulong diff)
    {
        var right = this;
        right.Clock = Clock + diff;
        right.Length = Length - diff;
        if (Kind == YBlockKind.Item)
        {
            right.Origin = new YId(Client, Clock + diff - 1);
            right.ContentOffset = ContentOffset + diff;
        }
        return right;
    }
}

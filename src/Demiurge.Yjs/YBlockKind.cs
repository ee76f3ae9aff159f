namespace Demiurge.Yjs;

/// <summary>The three kinds of struct in an update.</summary>
internal enum YBlockKind : byte
{
    /// <summary>An item with content, placed between an origin and a right origin.</summary>
    Item,

    /// <summary>A garbage-collected range: deleted content that is gone.</summary>
    GC,

    /// <summary>A range the update does not carry (a gap between parts it does).</summary>
    Skip,
}

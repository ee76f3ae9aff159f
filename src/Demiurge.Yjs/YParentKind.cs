namespace Demiurge.Yjs;

/// <summary>How an item without origins names its parent type.</summary>
internal enum YParentKind : byte
{
    /// <summary>Not written: the item has an origin or a right origin, which imply the parent.</summary>
    None,

    /// <summary>A root type, named by its key in the document.</summary>
    Key,

    /// <summary>A nested type, named by the id of the item that holds it.</summary>
    Id,
}

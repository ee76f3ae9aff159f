namespace Demiurge.Yjs;

/// <summary>JavaScript's <c>undefined</c> inside an <c>any</c> value, which lib0 keeps apart from <c>null</c>.</summary>
public sealed class Lib0Undefined
{
    private Lib0Undefined()
    {
    }

    /// <summary>The one instance.</summary>
    public static Lib0Undefined Value { get; } = new();

    /// <inheritdoc />
    public override string ToString() => "undefined";
}

namespace Demiurge.Yjs;

/// <summary>A run of deleted clocks of one client.</summary>
internal readonly record struct DeleteRange(ulong Clock, ulong Length)
{
    public ulong End => Clock + Length;
}

namespace Demiurge.Yjs;

/// <summary>Consecutive structs of one client in a <see cref="StructWriter"/>: where their bytes start and how many there are.</summary>
internal sealed class StructGroup(ulong client, ulong clock, int start)
{
    public ulong Client { get; } = client;

    /// <summary>The clock of the group's first struct.</summary>
    public ulong Clock { get; } = clock;

    public int Start { get; } = start;

    public int Count { get; set; }
}

namespace Demiurge.GatewayProcess.Rooms;

/// <summary>One client's awareness as y-protocols encodes it: its id, its clock, and its state as JSON text (<c>null</c> once removed).</summary>
internal sealed record AwarenessEntry(ulong ClientId, ulong Clock, string State)
{
    public const string Removed = "null";

    public bool IsRemoved => State == Removed;
}

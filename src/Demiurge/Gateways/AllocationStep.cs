namespace Demiurge.Gateways;

/// <summary>
/// The allocation saga's journal, in order. The step names the last step that completed, so
/// an undo knows what to take back: claim → DNS → route → handshake → active.
/// </summary>
internal enum AllocationStep
{
    Claimed,
    Dns,
    Route,
    Handshake,
    Active,
}

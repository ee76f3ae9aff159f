namespace Demiurge.Reconciliation;

/// <summary>One entity in the scheduler's queue: its kind (<see cref="IReconciler.Kind"/>) and id.</summary>
internal readonly record struct ReconcileKey(string Kind, string Id)
{
    public override string ToString() => $"{Kind}/{Id}";
}

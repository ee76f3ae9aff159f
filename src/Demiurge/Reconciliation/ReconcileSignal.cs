namespace Demiurge.Reconciliation;

/// <summary>
/// How code says "this changed, reconcile it": endpoints, sagas and reconcilers enqueue here, and
/// the <see cref="ReconcileScheduler"/> passes the entity as soon as a worker is free. It stands
/// apart from the scheduler so that reconcilers can enqueue without depending on it.
/// </summary>
internal sealed class ReconcileSignal
{
    private ReconcileQueue? _queue;

    /// <summary>
    /// Asks for a pass over <paramref name="id"/> of <paramref name="kind"/>; one already queued is
    /// not queued twice. While this instance follows this does nothing: a term begins with a resync.
    /// </summary>
    public void Enqueue(string kind, string id) => Volatile.Read(ref _queue)?.Enqueue(new ReconcileKey(kind, id));

    /// <summary>The queue of the term that begins.</summary>
    internal void Attach(ReconcileQueue queue) => Volatile.Write(ref _queue, queue);

    /// <summary>The term of <paramref name="queue"/> ended.</summary>
    internal void Detach(ReconcileQueue queue) => Interlocked.CompareExchange(ref _queue, null, queue);
}

namespace Demiurge.Reconciliation;

/// <summary>
/// Brings the entities of one kind to what the store says they should be, one entity per pass,
/// on the leader only (<see cref="ReconcileScheduler"/>). A pass reloads its entity, returns early
/// through guard clauses, and advances one step; it is idempotent, so a pass run twice, or again
/// after a crash or a change of leader, does no harm. A pass that throws has failed: the scheduler
/// retries it with backoff. A kind whose state is one whole (the pool's size) uses one id.
/// </summary>
internal interface IReconciler
{
    /// <summary>The entity kind, unique among the reconcilers (<c>gateway</c>, <c>pool</c>).</summary>
    string Kind { get; }

    /// <summary>How often every entity listed by <see cref="ListAsync"/> gets a pass, changed or not (jittered).</summary>
    TimeSpan ResyncInterval { get; }

    /// <summary>The ids a resync reconciles: every entity of the kind that may need work.</summary>
    Task<IReadOnlyCollection<string>> ListAsync(CancellationToken cancellationToken);

    /// <summary>One pass over the entity <paramref name="id"/>; the token is cancelled when the term as leader ends.</summary>
    Task ReconcileAsync(string id, CancellationToken cancellationToken);

    /// <summary>This control plane's term as leader begins: called before any pass of the term.</summary>
    void BeginTerm()
    {
    }
}

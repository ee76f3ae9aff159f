using Demiurge.Events;

namespace Demiurge.Gateways;

/// <summary>The pool's state. Every transition is conditional on the state it leaves, so racing actors cannot both win.</summary>
internal interface IGatewayStore
{
    /// <summary>Records a new worker; its <paramref name="token"/> is kept only as a hash.</summary>
    Task GatewayCreateAsync(Gateway gateway, string token, AuditEvent auditEvent, CancellationToken cancellationToken);

    Task<IReadOnlyList<Gateway>> GatewayListAsync(CancellationToken cancellationToken);

    Task<Gateway?> GatewayGetAsync(string gatewayId, CancellationToken cancellationToken);

    Task<Gateway?> GatewayFindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>Moves the gateway to <paramref name="to"/> if it is in one of <paramref name="from"/>; false otherwise.</summary>
    Task<bool> GatewayTransitionAsync(string gatewayId, IReadOnlyCollection<GatewayState> from, GatewayState to, AuditEvent? auditEvent, CancellationToken cancellationToken);

    Task GatewaySetPidAsync(string gatewayId, int pid, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: the organization's current allocation if it has one, else the
    /// longest-ready gateway moved to allocating with a new allocation at step claimed.
    /// </summary>
    Task<ClaimResult> AllocationClaimAsync(string organizationId, string allocationId, DateTimeOffset now, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Journals a completed step of a current allocation; false when it has ended.</summary>
    Task<bool> AllocationAdvanceAsync(string allocationId, AllocationStep step, CancellationToken cancellationToken);

    /// <summary>Records the handshake token (hashed) that the gateway will redeem.</summary>
    Task AllocationSetHandshakeAsync(string allocationId, string handshakeTokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Redeems a handshake token once, storing the allocation token; null when unknown, used or expired.</summary>
    Task<Allocation?> AllocationRedeemHandshakeAsync(string handshakeTokenHash, string allocationTokenHash, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Allocation?> AllocationGetAsync(string allocationId, CancellationToken cancellationToken);

    Task<Allocation?> AllocationCurrentByOrganizationAsync(string organizationId, CancellationToken cancellationToken);

    Task<Allocation?> AllocationCurrentByGatewayAsync(string gatewayId, CancellationToken cancellationToken);

    /// <summary>
    /// The allocation this token was issued to, current or ended. The token is revoked when the
    /// allocation ends: callers check <see cref="Allocation.EndedAt"/>, and pushes check it in
    /// the same transaction as the write.
    /// </summary>
    Task<Allocation?> AllocationFindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>Current allocations, for reconcilers.</summary>
    Task<IReadOnlyList<Allocation>> AllocationListCurrentAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Unfinished sagas (current, not active) whose control plane is gone: claimed by another
    /// store instance that no longer holds its liveness lock, or, on a single-process store, by
    /// any other instance. The leader undoes these and never a saga a live instance still runs.
    /// </summary>
    Task<IReadOnlyList<Allocation>> AllocationListOrphanedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Ends a current allocation (which revokes its token) and moves its gateway to
    /// <paramref name="gatewayState"/>, in one transaction; false when it had already ended.
    /// </summary>
    Task<bool> AllocationEndAsync(string allocationId, string outcome, GatewayState gatewayState, DateTimeOffset now, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>The organization's data, each project's appended updates merged into its document.</summary>
    Task<OrganizationData> OrganizationDataGetAsync(string organizationId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the given projects whole (others are kept), appends <paramref name="projectUpdates"/>
    /// (Yjs updates, base64) to their projects' documents and, when not null, the gateway state, if
    /// the allocation token is current for the organization, <paramref name="baseVersion"/>
    /// is the stored version, every project is one of the organization's, and the stored total
    /// stays within its quota (its own, else <paramref name="defaultQuotaBytes"/>) or does not
    /// grow: the checks and the write are one transaction. Sizes are the stored texts' lengths.
    /// A project's appended updates are compacted into its content when they pass
    /// <see cref="StoredDocuments.CompactAfterUpdates"/> or <see cref="StoredDocuments.CompactAfterBytes"/>,
    /// or when that keeps the push within the quota.
    /// </summary>
    Task<DataPushResult> OrganizationDataPushAsync(
        string organizationId, string allocationTokenHash, long baseVersion, IReadOnlyDictionary<string, string> projects, IReadOnlyDictionary<string, string> projectUpdates,
        string? gatewayState, long defaultQuotaBytes, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Merges every project's appended updates into its content (at release); how many projects it compacted.</summary>
    Task<int> OrganizationDataCompactAsync(string organizationId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the organization's data; false when there was none.</summary>
    Task<bool> OrganizationDataDeleteAsync(string organizationId, AuditEvent auditEvent, CancellationToken cancellationToken);
}

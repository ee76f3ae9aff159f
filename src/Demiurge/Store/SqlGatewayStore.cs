using System.Data.Common;
using Demiurge.Events;
using Demiurge.Gateways;
using Demiurge.Identity;

namespace Demiurge.Store;

/// <summary>The pool, the allocation journal and organization data, in portable SQL.</summary>
internal sealed partial class SqlGatewayStore(Database database) : IGatewayStore
{
    private const string SelectGateway = "SELECT gateway_id, state, runtime, address, port, pid, created_at, updated_at, ready_at, build FROM gateways";
    private const string SelectAllocation = "SELECT allocation_id, organization_id, gateway_id, step, outcome, created_at, updated_at, ended_at FROM allocations";

    public Task GatewayCreateAsync(Gateway gateway, string token, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(async session =>
        {
            await session.ExecuteAsync("""
                INSERT INTO gateways (gateway_id, state, token_hash, runtime, address, port, pid, created_at, updated_at, ready_at, build)
                VALUES (@id, @state, @hash, @runtime, @address, @port, @pid, @at, @at, NULL, @build)
                """, cancellationToken,
                ("@id", gateway.GatewayId), ("@state", gateway.State.ToText()), ("@hash", Tokens.Hash(token)), ("@runtime", gateway.Runtime),
                ("@address", gateway.Address), ("@port", gateway.Port), ("@pid", gateway.Pid), ("@at", gateway.CreatedAt.ToUnixTimeMilliseconds()), ("@build", gateway.Build));
            return true;
        }, auditEvent, cancellationToken);

    public Task<IReadOnlyList<Gateway>> GatewayListAsync(CancellationToken cancellationToken) =>
        database.ListAsync($"{SelectGateway} ORDER BY created_at, gateway_id", ReadGateway, cancellationToken);

    public Task<Gateway?> GatewayGetAsync(string gatewayId, CancellationToken cancellationToken) =>
        database.SingleAsync($"{SelectGateway} WHERE gateway_id = @id", ReadGateway, cancellationToken, ("@id", gatewayId));

    public Task<Gateway?> GatewayFindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken) =>
        database.SingleAsync($"{SelectGateway} WHERE token_hash = @hash", ReadGateway, cancellationToken, ("@hash", tokenHash));

    public Task<bool> GatewayTransitionAsync(string gatewayId, IReadOnlyCollection<GatewayState> from, GatewayState to, AuditEvent? auditEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(session => TransitionAsync(session, gatewayId, from, to, auditEvent?.CreatedAt ?? DateTimeOffset.UtcNow, cancellationToken),
            auditEvent, cancellationToken);

    public Task GatewaySetPidAsync(string gatewayId, int pid, CancellationToken cancellationToken) =>
        database.WriteAsync(async session => await session.ExecuteAsync("UPDATE gateways SET pid = @pid WHERE gateway_id = @id",
            cancellationToken, ("@pid", pid), ("@id", gatewayId)) == 1, null, cancellationToken);

    public async Task<ClaimResult> AllocationClaimAsync(string organizationId, string allocationId, DateTimeOffset now, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var result = ClaimResult.NoneReady;
        try
        {
            await database.WriteAsync(async session =>
            {
                // Claims for one organization follow one another, so a second claim finds the first
                // one's allocation instead of every gateway locked by it and its twins.
                if (database.Dialect.TransactionLockSql(LockKeys.ClaimSpace, "@org") is { } organizationLock)
                {
                    await session.ExecuteAsync(organizationLock, cancellationToken, ("@org", organizationId));
                }

                if (await session.SingleAsync($"{SelectAllocation} WHERE organization_id = @org AND ended_at IS NULL", ReadAllocation, cancellationToken, ("@org", organizationId)) is { } current)
                {
                    var held = await session.SingleAsync($"{SelectGateway} WHERE gateway_id = @id", ReadGateway, cancellationToken, ("@id", current.GatewayId));
                    result = new ClaimResult(current, held, Existing: true);
                    return false;
                }

                var candidate = await session.SingleAsync($"{SelectGateway} WHERE state = 'ready' ORDER BY ready_at, gateway_id LIMIT 1{database.Dialect.SkipLockedClause}", ReadGateway, cancellationToken);
                if (candidate is null
                    || !await TransitionAsync(session, candidate.GatewayId, [GatewayState.Ready], GatewayState.Allocating, now, cancellationToken))
                {
                    return false;
                }

                await session.ExecuteAsync("""
                    INSERT INTO allocations (allocation_id, organization_id, gateway_id, step, created_at, updated_at, owner)
                    VALUES (@id, @org, @gateway, @step, @at, @at, @owner)
                    """, cancellationToken,
                    ("@id", allocationId), ("@org", organizationId), ("@gateway", candidate.GatewayId), ("@step", AllocationStep.Claimed.ToText()), ("@at", now.ToUnixTimeMilliseconds()),
                    ("@owner", database.InstanceId));
                result = new ClaimResult(
                    new Allocation(allocationId, organizationId, candidate.GatewayId, AllocationStep.Claimed, null, now, now, null),
                    candidate with { State = GatewayState.Allocating, UpdatedAt = now },
                    Existing: false);
                return true;
            }, auditEvent with { SubjectId = allocationId }, cancellationToken);
        }
        catch (DbException exception) when (database.IsUniqueViolation(exception))
        {
            // Another control plane claimed for this organization between our read and write.
            return await AllocationClaimAsync(organizationId, allocationId, now, auditEvent, cancellationToken);
        }

        return result;
    }

    public Task<bool> AllocationAdvanceAsync(string allocationId, AllocationStep step, CancellationToken cancellationToken) =>
        database.WriteAsync(async session => await session.ExecuteAsync(
            "UPDATE allocations SET step = @step, updated_at = @at WHERE allocation_id = @id AND ended_at IS NULL",
            cancellationToken, ("@step", step.ToText()), ("@at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("@id", allocationId)) == 1, null, cancellationToken);

    public Task AllocationSetHandshakeAsync(string allocationId, string handshakeTokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        database.WriteAsync(async session => await session.ExecuteAsync(
            "UPDATE allocations SET handshake_token_hash = @hash, handshake_expires_at = @expires WHERE allocation_id = @id AND ended_at IS NULL",
            cancellationToken, ("@hash", handshakeTokenHash), ("@expires", expiresAt.ToUnixTimeMilliseconds()), ("@id", allocationId)) == 1, null, cancellationToken);

    public async Task<Allocation?> AllocationRedeemHandshakeAsync(string handshakeTokenHash, string allocationTokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Allocation? redeemed = null;
        await database.WriteAsync(async session =>
        {
            redeemed = await session.SingleAsync(
                $"{SelectAllocation} WHERE handshake_token_hash = @hash AND ended_at IS NULL AND handshake_expires_at > @now",
                ReadAllocation, cancellationToken, ("@hash", handshakeTokenHash), ("@now", now.ToUnixTimeMilliseconds()));
            // The update repeats the read's conditions: of two concurrent redeemers that both
            // read the row, only the first to write still matches, so the token is single-use.
            if (redeemed is not null && await session.ExecuteAsync("""
                    UPDATE allocations SET handshake_token_hash = NULL, handshake_expires_at = NULL, token_hash = @token
                    WHERE allocation_id = @id AND handshake_token_hash = @hash AND ended_at IS NULL
                    """,
                    cancellationToken, ("@token", allocationTokenHash), ("@id", redeemed.AllocationId), ("@hash", handshakeTokenHash)) != 1)
            {
                redeemed = null;
            }

            return false;
        }, null, cancellationToken);
        return redeemed;
    }

    public Task<Allocation?> AllocationGetAsync(string allocationId, CancellationToken cancellationToken) =>
        database.SingleAsync($"{SelectAllocation} WHERE allocation_id = @id", ReadAllocation, cancellationToken, ("@id", allocationId));

    public Task<Allocation?> AllocationCurrentByOrganizationAsync(string organizationId, CancellationToken cancellationToken) =>
        database.SingleAsync($"{SelectAllocation} WHERE organization_id = @id AND ended_at IS NULL", ReadAllocation, cancellationToken, ("@id", organizationId));

    public Task<Allocation?> AllocationCurrentByGatewayAsync(string gatewayId, CancellationToken cancellationToken) =>
        database.SingleAsync($"{SelectAllocation} WHERE gateway_id = @id AND ended_at IS NULL", ReadAllocation, cancellationToken, ("@id", gatewayId));

    public Task<Allocation?> AllocationFindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken) =>
        database.SingleAsync($"{SelectAllocation} WHERE token_hash = @hash", ReadAllocation, cancellationToken, ("@hash", tokenHash));

    public Task<IReadOnlyList<Allocation>> AllocationListCurrentAsync(CancellationToken cancellationToken) =>
        database.ListAsync($"{SelectAllocation} WHERE ended_at IS NULL ORDER BY created_at", ReadAllocation, cancellationToken);

    public Task<IReadOnlyList<Allocation>> AllocationListOrphanedAsync(CancellationToken cancellationToken) =>
        database.ListAsync($"{SelectAllocation} WHERE ended_at IS NULL AND step <> 'active' AND {OrphanedCondition} ORDER BY created_at", ReadAllocation, cancellationToken,
            ("@me", database.InstanceId));

    public Task<bool> AllocationEndAsync(string allocationId, string outcome, GatewayState gatewayState, DateTimeOffset now, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(async session =>
        {
            var allocation = await session.SingleAsync($"{SelectAllocation} WHERE allocation_id = @id AND ended_at IS NULL", ReadAllocation, cancellationToken, ("@id", allocationId));
            if (allocation is null)
            {
                return false;
            }

            // Ended by a concurrent writer since the read: only one end counts.
            if (await session.ExecuteAsync("""
                UPDATE allocations SET ended_at = @at, updated_at = @at, outcome = @outcome, handshake_token_hash = NULL
                WHERE allocation_id = @id AND ended_at IS NULL
                """, cancellationToken, ("@at", now.ToUnixTimeMilliseconds()), ("@outcome", outcome), ("@id", allocationId)) != 1)
            {
                return false;
            }

            // A gateway the pool already gave up on stays gone.
            await TransitionAsync(session, allocation.GatewayId,
                [GatewayState.Allocating, GatewayState.Allocated, GatewayState.Releasing, GatewayState.Ready, GatewayState.Unhealthy], gatewayState, now, cancellationToken);
            return true;
        }, auditEvent, cancellationToken);

    /// <summary>
    /// The condition on an allocation row (<c>owner</c>, with <c>@me</c> this instance) that its
    /// saga's control plane is gone: it is not this one, and it no longer holds its liveness lock.
    /// </summary>
    private string OrphanedCondition => $"(owner IS NULL OR (owner <> @me AND NOT {database.LivenessHeldSql("owner")}))";

    private static async Task<bool> TransitionAsync(DbSession session, string gatewayId, IReadOnlyCollection<GatewayState> from, GatewayState to, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var states = string.Join(", ", from.Select(s => $"'{s.ToText()}'"));
        var readyAt = to == GatewayState.Ready ? ", ready_at = @at" : string.Empty;
        return await session.ExecuteAsync(
            $"UPDATE gateways SET state = @to, updated_at = @at{readyAt} WHERE gateway_id = @id AND state IN ({states})",
            cancellationToken, ("@to", to.ToText()), ("@at", now.ToUnixTimeMilliseconds()), ("@id", gatewayId)) == 1;
    }

    private static Gateway ReadGateway(DbDataReader r) => new(
        r.GetString(0), EnumText.Parse<GatewayState>(r.GetString(1)), r.GetString(2), r.GetString(3), r.GetInt32(4),
        r.IsDBNull(5) ? null : r.GetInt32(5), r.GetTime(6), r.GetTime(7), r.GetNullableTime(8), r.GetNullableString(9));

    private static Allocation ReadAllocation(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), EnumText.Parse<AllocationStep>(r.GetString(3)), r.GetNullableString(4),
        r.GetTime(5), r.GetTime(6), r.GetNullableTime(7));
}


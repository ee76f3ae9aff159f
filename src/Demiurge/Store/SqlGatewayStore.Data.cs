using Demiurge.Events;
using Demiurge.Gateways;

namespace Demiurge.Store;

/// <summary>
/// Organization data: per-project documents (<c>project_data</c>), the room updates appended to
/// them (<c>project_updates</c>, merged in when read and compacted into the content), and the
/// gateway state.
/// </summary>
internal sealed partial class SqlGatewayStore
{
    public Task<OrganizationData> OrganizationDataGetAsync(string organizationId, CancellationToken cancellationToken) =>
        database.ReadAsync(async session =>
        {
            var head = await session.SingleAsync("SELECT version, stored_at, gateway_state FROM organization_data WHERE organization_id = @org",
                r => (Version: r.GetInt64(0), StoredAt: r.GetTime(1), GatewayState: r.GetNullableString(2)), cancellationToken, ("@org", organizationId));
            if (head == default)
            {
                return OrganizationData.Empty;
            }

            var projects = (await session.ListAsync("SELECT project_id, content FROM project_data WHERE organization_id = @org ORDER BY project_id",
                r => KeyValuePair.Create(r.GetString(0), r.GetString(1)), cancellationToken, ("@org", organizationId))).ToDictionary(StringComparer.Ordinal);
            foreach (var (projectId, updates) in await TailsAsync(session, organizationId, cancellationToken))
            {
                projects[projectId] = StoredDocuments.Merge(projects.GetValueOrDefault(projectId), updates)!;
            }

            return new OrganizationData(head.Version, head.StoredAt, projects, head.GatewayState);
        }, cancellationToken);

    public async Task<DataPushResult> OrganizationDataPushAsync(
        string organizationId, string allocationTokenHash, long baseVersion, IReadOnlyDictionary<string, string> projects, IReadOnlyDictionary<string, string> projectUpdates,
        string? gatewayState, long defaultQuotaBytes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new DataPushResult(PushOutcome.Revoked, 0);
        await database.WriteAsync(async session =>
        {
            // Locked until commit: a release that ends the allocation meanwhile waits for this push
            // to land, or has landed first and this read no longer finds the allocation current.
            var holder = await session.SingleAsync($"SELECT organization_id FROM allocations WHERE token_hash = @hash AND ended_at IS NULL{database.Dialect.RowLockClause}",
                r => r.GetString(0), cancellationToken, ("@hash", allocationTokenHash));
            if (holder != organizationId)
            {
                return false;
            }

            var (current, storedStateLength) = await session.SingleAsync("SELECT version, CAST(COALESCE(length(gateway_state), 0) AS BIGINT) FROM organization_data WHERE organization_id = @org",
                r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken, ("@org", organizationId));
            if (current != baseVersion)
            {
                result = new DataPushResult(PushOutcome.Stale, current);
                return false;
            }

            var owned = (await session.ListAsync("SELECT project_id FROM projects WHERE organization_id = @org",
                r => r.GetString(0), cancellationToken, ("@org", organizationId))).ToHashSet(StringComparer.Ordinal);
            if (projects.Keys.Concat(projectUpdates.Keys).Distinct(StringComparer.Ordinal).Where(id => !owned.Contains(id)).Order(StringComparer.Ordinal).ToList() is { Count: > 0 } unknown)
            {
                result = new DataPushResult(PushOutcome.UnknownProjects, current) { UnknownProjectIds = unknown };
                return false;
            }

            var quota = await session.ScalarAsync<long>("SELECT COALESCE(storage_quota_bytes, @default) FROM organizations WHERE organization_id = @org",
                cancellationToken, ("@default", defaultQuotaBytes), ("@org", organizationId));
            // Each project's stored size: its content and the updates appended since its last compaction.
            var stored = (await session.ListAsync("""
                SELECT project_id, CAST(SUM(length) AS BIGINT), CAST(SUM(updates) AS BIGINT) FROM (
                    SELECT project_id, length(content) AS length, 0 AS updates FROM project_data WHERE organization_id = @org
                    UNION ALL
                    SELECT project_id, length(content) AS length, 1 AS updates FROM project_updates WHERE organization_id = @org) AS parts
                GROUP BY project_id
                """, r => (ProjectId: r.GetString(0), Length: r.GetInt64(1), Updates: r.GetInt64(2)), cancellationToken, ("@org", organizationId)))
                .ToDictionary(p => p.ProjectId, StringComparer.Ordinal);
            var used = stored.Values.Sum(p => p.Length) + storedStateLength;
            var after = SizeAfter(stored.ToDictionary(p => p.Key, p => p.Value.Length, StringComparer.Ordinal), projects, projectUpdates, gatewayState ?? string.Empty, storedStateLength);

            // Projects whose appended updates pass a bound are compacted with this push; over the
            // quota, every project this push appends to is, since merged updates weigh less.
            var compact = projectUpdates.Keys.Where(id => !projects.ContainsKey(id) && stored.TryGetValue(id, out var size)
                && (size.Updates + 1 > StoredDocuments.CompactAfterUpdates || size.Length > StoredDocuments.CompactAfterBytes)).ToHashSet(StringComparer.Ordinal);
            var merged = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (after > quota && after > used)
            {
                compact.UnionWith(projectUpdates.Keys.Where(id => !projects.ContainsKey(id)));
                foreach (var projectId in compact)
                {
                    merged[projectId] = await MergedAsync(session, organizationId, projectId, projectUpdates[projectId], cancellationToken);
                }

                var sizes = stored.ToDictionary(p => p.Key, p => p.Value.Length, StringComparer.Ordinal);
                foreach (var (projectId, content) in merged)
                {
                    sizes[projectId] = content?.Length ?? 0;
                }

                after = SizeAfter(sizes, projects, projectUpdates.Where(u => !merged.ContainsKey(u.Key)).ToDictionary(StringComparer.Ordinal), gatewayState ?? string.Empty, storedStateLength);
            }

            // A push that does not grow the data passes even over the quota (lowered since, say):
            // refusing it would only keep the organization's older state.
            if (after > quota && after > used)
            {
                result = new DataPushResult(PushOutcome.QuotaExceeded, current) { QuotaBytes = quota, UsedBytes = used };
                return false;
            }

            // The write repeats the version check, so of two pushes on one base only the first lands.
            if (await session.ExecuteAsync("""
                INSERT INTO organization_data (organization_id, version, gateway_state, stored_at) VALUES (@org, @version, @state, @at)
                ON CONFLICT (organization_id) DO UPDATE SET
                    version = excluded.version,
                    gateway_state = COALESCE(excluded.gateway_state, organization_data.gateway_state),
                    stored_at = excluded.stored_at
                WHERE organization_data.version = @base
                """, cancellationToken, ("@org", organizationId), ("@version", current + 1), ("@state", gatewayState), ("@at", now.ToUnixTimeMilliseconds()), ("@base", baseVersion)) != 1)
            {
                result = new DataPushResult(PushOutcome.Stale, await session.ScalarAsync<long>(
                    "SELECT version FROM organization_data WHERE organization_id = @org", cancellationToken, ("@org", organizationId)));
                return false;
            }

            foreach (var (projectId, content) in projects)
            {
                // A whole document replaces the updates appended before it.
                await WriteContentAsync(session, organizationId, projectId, content, now, cancellationToken);
            }

            foreach (var (projectId, update) in projectUpdates)
            {
                if (compact.Contains(projectId))
                {
                    var content = merged.TryGetValue(projectId, out var done) ? done : await MergedAsync(session, organizationId, projectId, update, cancellationToken);
                    await WriteContentAsync(session, organizationId, projectId, content!, now, cancellationToken);
                }
                else
                {
                    await session.ExecuteAsync("INSERT INTO project_updates (organization_id, project_id, version, content, stored_at) VALUES (@org, @project, @version, @content, @at)",
                        cancellationToken, ("@org", organizationId), ("@project", projectId), ("@version", current + 1), ("@content", update), ("@at", now.ToUnixTimeMilliseconds()));
                }
            }

            result = new DataPushResult(PushOutcome.Stored, current + 1);
            return false;
        }, null, cancellationToken);
        return result;
    }

    public Task<int> OrganizationDataCompactAsync(string organizationId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteCountAsync(async session =>
        {
            // Locked until commit: a push meanwhile (the next allocation's) waits, so that no update
            // it appends is deleted unmerged.
            if (await session.SingleAsync($"SELECT version FROM organization_data WHERE organization_id = @org{database.Dialect.RowLockClause}",
                r => r.GetInt64(0), cancellationToken, ("@org", organizationId)) == 0)
            {
                return 0;
            }

            var tails = await TailsAsync(session, organizationId, cancellationToken);
            foreach (var projectId in tails.Keys)
            {
                var content = await MergedAsync(session, organizationId, projectId, null, cancellationToken);
                await WriteContentAsync(session, organizationId, projectId, content!, now, cancellationToken);
            }

            return tails.Count;
        }, cancellationToken);

    public Task<bool> OrganizationDataDeleteAsync(string organizationId, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(async session =>
        {
            await session.ExecuteAsync("DELETE FROM project_updates WHERE organization_id = @org", cancellationToken, ("@org", organizationId));
            await session.ExecuteAsync("DELETE FROM project_data WHERE organization_id = @org", cancellationToken, ("@org", organizationId));
            return await session.ExecuteAsync("DELETE FROM organization_data WHERE organization_id = @org", cancellationToken, ("@org", organizationId)) > 0;
        }, auditEvent, cancellationToken);

    /// <summary>The stored total after a push: the projects it replaces whole lose their appended updates.</summary>
    private static long SizeAfter(
        IReadOnlyDictionary<string, long> stored, IReadOnlyDictionary<string, string> projects, IReadOnlyDictionary<string, string> updates, string gatewayState, long storedStateLength) =>
        stored.Where(p => !projects.ContainsKey(p.Key)).Sum(p => p.Value) + projects.Values.Sum(c => (long)c.Length) + updates.Values.Sum(u => (long)u.Length)
        + (gatewayState.Length > 0 ? gatewayState.Length : storedStateLength);

    /// <summary>Every project's appended updates, in the order they were pushed.</summary>
    private static async Task<Dictionary<string, List<string>>> TailsAsync(DbSession session, string organizationId, CancellationToken cancellationToken)
    {
        var tails = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (projectId, update) in await session.ListAsync("SELECT project_id, content FROM project_updates WHERE organization_id = @org ORDER BY project_id, version",
            r => (r.GetString(0), r.GetString(1)), cancellationToken, ("@org", organizationId)))
        {
            if (!tails.TryGetValue(projectId, out var list))
            {
                tails[projectId] = list = [];
            }

            list.Add(update);
        }

        return tails;
    }

    /// <summary>The project's content with its appended updates and <paramref name="next"/> merged in.</summary>
    private static async Task<string?> MergedAsync(DbSession session, string organizationId, string projectId, string? next, CancellationToken cancellationToken)
    {
        var content = await session.SingleAsync("SELECT content FROM project_data WHERE organization_id = @org AND project_id = @project",
            r => r.GetString(0), cancellationToken, ("@org", organizationId), ("@project", projectId));
        var updates = (await session.ListAsync("SELECT content FROM project_updates WHERE organization_id = @org AND project_id = @project ORDER BY version",
            r => r.GetString(0), cancellationToken, ("@org", organizationId), ("@project", projectId))).ToList();
        if (next is not null)
        {
            updates.Add(next);
        }

        return StoredDocuments.Merge(content, updates);
    }

    /// <summary>Writes the project's whole content and deletes the updates appended before it, which it holds or replaces.</summary>
    private static async Task WriteContentAsync(DbSession session, string organizationId, string projectId, string content, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync("""
            INSERT INTO project_data (organization_id, project_id, content, stored_at) VALUES (@org, @project, @content, @at)
            ON CONFLICT (organization_id, project_id) DO UPDATE SET content = excluded.content, stored_at = excluded.stored_at
            """, cancellationToken, ("@org", organizationId), ("@project", projectId), ("@content", content), ("@at", now.ToUnixTimeMilliseconds()));
        await session.ExecuteAsync("DELETE FROM project_updates WHERE organization_id = @org AND project_id = @project",
            cancellationToken, ("@org", organizationId), ("@project", projectId));
    }

    private async Task<int> WriteCountAsync(Func<DbSession, Task<int>> change, CancellationToken cancellationToken)
    {
        var count = 0;
        await database.WriteAsync(async session =>
        {
            count = await change(session);
            return false;
        }, null, cancellationToken);
        return count;
    }
}

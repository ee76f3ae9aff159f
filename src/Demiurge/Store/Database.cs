using System.Data;
using System.Data.Common;
using System.Reflection;
using Demiurge.Events;

namespace Demiurge.Store;

/// <summary>
/// The control plane's database, on the engine its <see cref="SqlDialect"/> speaks: connections,
/// transactions and the migrations. The per-feature stores run their portable SQL through it.
/// Every write that changes the domain appends its audit event in the same transaction, so a
/// change and its record never disagree.
/// </summary>
internal sealed class Database(SqlDialect dialect) : IAsyncDisposable
{
    private const string MigrationResourcePrefix = "Demiurge.Store.Migrations.";

    public SqlDialect Dialect => dialect;

    /// <summary>
    /// This database object, i.e. this control plane: what it journals as its own (an allocation's
    /// <c>owner</c>, its row in <c>control_planes</c>) carries this id.
    /// </summary>
    public string InstanceId { get; } = Ids.New();

    /// <summary>
    /// The statement that takes this instance's liveness lock, for the leadership connection to
    /// hold for as long as it lives; null for a single-writer engine. (The id is a UUID this
    /// object made, so it is inlined.)
    /// </summary>
    public string? LivenessLockSql => dialect.SessionLockSql(LockKeys.InstanceSpace, $"'{InstanceId}'");

    /// <summary>
    /// A condition, true while the instance whose id <paramref name="instanceIdSql"/> evaluates to
    /// holds its liveness lock. On a single-writer engine one process owns the database, so no
    /// other instance lives.
    /// </summary>
    public string LivenessHeldSql(string instanceIdSql) => dialect.SessionLockHeldSql(LockKeys.InstanceSpace, instanceIdSql);

    public bool IsUniqueViolation(DbException exception) => dialect.IsUniqueViolation(exception);

    /// <summary>Applies the versioned migrations that have not run yet.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        using var gate = await dialect.EnterWriteAsync(cancellationToken);
        await using var connection = await dialect.OpenAsync(cancellationToken);
        var session = new DbSession(connection, null);
        if (dialect.PrepareDatabaseSql is { } prepare)
        {
            await session.ExecuteAsync(prepare, cancellationToken);
        }

        // Control planes starting together on one database then migrate once.
        if (dialect.SessionLockSql(LockKeys.Migrations) is not { } migrationLock)
        {
            await MigrateAsync(connection, cancellationToken);
            return;
        }

        await session.ExecuteAsync(migrationLock, cancellationToken);
        try
        {
            await MigrateAsync(connection, cancellationToken);
        }
        finally
        {
            // The connection goes back to the pool still open: a session lock would outlive us.
            await session.ExecuteAsync(dialect.SessionUnlockSql(LockKeys.Migrations)!, CancellationToken.None);
        }
    }

    private static async Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await new DbSession(connection, null).ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )
            """, cancellationToken);

        foreach (var (version, name, sql) in LoadMigrations())
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var session = new DbSession(connection, transaction);
            var applied = await session.ScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations WHERE version = @version", cancellationToken, ("@version", version));
            if (applied == 0)
            {
                await session.ExecuteAsync(sql, cancellationToken);
                await session.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
                    cancellationToken, ("@version", version), ("@name", name), ("@at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>Migrations are embedded files named <c>NNNN_name.sql</c>, applied in version order.</summary>
    internal static IReadOnlyList<(int Version, string Name, string Sql)> LoadMigrations()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var migrations = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(MigrationResourcePrefix, StringComparison.Ordinal)))
        {
            var name = Path.GetFileNameWithoutExtension(resource[MigrationResourcePrefix.Length..]);
            var underscore = name.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(name.AsSpan(0, underscore), out var version))
            {
                throw new InvalidOperationException($"Migration '{name}' is not named NNNN_description.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add((version, name, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return migrations;
    }

    /// <summary>Round-trips a trivial query; used by the readiness check.</summary>
    public Task PingAsync(CancellationToken cancellationToken) =>
        ReadAsync(session => session.ScalarAsync<long>("SELECT 1", cancellationToken), cancellationToken);

    /// <summary>Runs <paramref name="read"/> on a connection of its own, without a transaction.</summary>
    public async Task<T> ReadAsync<T>(Func<DbSession, Task<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        await using var connection = await dialect.OpenAsync(cancellationToken);
        return await read(new DbSession(connection, null));
    }

    /// <summary>Runs <paramref name="read"/> in one snapshot: every statement sees the same committed state.</summary>
    public async Task<T> ReadSnapshotAsync<T>(Func<DbSession, Task<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var result = await read(new DbSession(connection, transaction));
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <inheritdoc cref="DbSession.SingleAsync"/>
    public Task<T?> SingleAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        ReadAsync(session => session.SingleAsync(sql, read, cancellationToken, parameters), cancellationToken);

    /// <inheritdoc cref="DbSession.ListAsync"/>
    public Task<IReadOnlyList<T>> ListAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        ReadAsync(session => session.ListAsync(sql, read, cancellationToken, parameters), cancellationToken);

    /// <summary>
    /// Runs <paramref name="change"/> and appends its audit event in one transaction, and returns
    /// what the change returned: whether it changed anything. A change that changed nothing
    /// commits without an event. Appends are serialized (a single writer, or a transaction lock),
    /// so <c>seq</c>, which is <c>MAX + 1</c>, is unique and follows commit order.
    /// </summary>
    public async Task<bool> WriteAsync(Func<DbSession, Task<bool>> change, AuditEvent? auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        using var gate = await dialect.EnterWriteAsync(cancellationToken);
        await using var connection = await dialect.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var session = new DbSession(connection, transaction);
        var changed = await change(session);
        if (changed && auditEvent is not null)
        {
            await AppendAsync(session, auditEvent, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return changed;
    }

    /// <summary>Like <see cref="WriteAsync"/> for a change that always changes; a unique-constraint violation rolls back and returns false.</summary>
    public async Task<bool> TryWriteAsync(Func<DbSession, Task> change, AuditEvent? auditEvent, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteAsync(async session =>
            {
                await change(session);
                return true;
            }, auditEvent, cancellationToken);
        }
        catch (DbException exception) when (IsUniqueViolation(exception))
        {
            return false;
        }
    }

    private async Task AppendAsync(DbSession session, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        if (dialect.TransactionLockSql(LockKeys.EventAppend) is { } appendLock)
        {
            await session.ExecuteAsync(appendLock, cancellationToken);
        }

        await session.ExecuteAsync("""
            INSERT INTO events (seq, event_id, kind, actor_user_id, organization_id, subject_id, detail, created_at)
            VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM events), @id, @kind, @actor, @org, @subject, @detail, @at)
            """, cancellationToken,
            ("@id", auditEvent.EventId), ("@kind", auditEvent.Kind), ("@actor", auditEvent.ActorUserId), ("@org", auditEvent.OrganizationId),
            ("@subject", auditEvent.SubjectId), ("@detail", auditEvent.Detail), ("@at", auditEvent.CreatedAt.ToUnixTimeMilliseconds()));
    }

    public ValueTask DisposeAsync() => dialect.DisposeAsync();
}

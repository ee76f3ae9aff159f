using System.Data.Common;
using System.Reflection;
using Demiurge.Events;
using Demiurge.Gateways;
using Demiurge.Identity;
using Demiurge.Organizations;
using Demiurge.Projects;

namespace Demiurge.Store;

/// <summary>
/// The store in portable SQL. Dialects supply connections and say which errors are
/// unique-constraint violations; everything else, migrations included, is shared.
/// </summary>
internal abstract partial class SqlStore : IStore, IGatewayStore
{
    private const string MigrationResourcePrefix = "Demiurge.Store.Migrations.";

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    protected abstract bool IsUniqueViolation(DbException exception);

    /// <summary>Statements that run once per database before migrations (e.g. SQLite's journal mode).</summary>
    protected virtual string? PrepareDatabaseSql => null;

    /// <summary>Waits until this process may write; dialects with a single writer queue here instead of retrying.</summary>
    protected virtual ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    /// <summary>
    /// Takes and releases a session lock around migrations, for dialects where several
    /// processes can write at once: control planes starting together then migrate once.
    /// </summary>
    protected virtual (string Lock, string Unlock)? MigrationLockSql => null;

    /// <summary>
    /// Runs in a write transaction just before its event is appended and holds until commit,
    /// for dialects with concurrent writers: <c>seq</c> is <c>MAX + 1</c>, so appends must
    /// follow one another for seqs to be unique and to follow commit order.
    /// </summary>
    protected virtual string? EventAppendLockSql => null;

    /// <summary>
    /// Runs first in a claim's transaction, given <c>@org</c>, for dialects with concurrent
    /// writers: claims for one organization then follow one another, so a second claim finds
    /// the first one's allocation instead of every gateway locked by it and its twins.
    /// </summary>
    protected virtual string? ClaimOrganizationLockSql => null;

    /// <summary>
    /// This store object, i.e. this control plane: the sagas it claims are journaled as its own
    /// (<c>allocations.owner</c>), so that a leader can tell the sagas whose control plane died.
    /// </summary>
    public string InstanceId { get; } = Ids.New();

    /// <summary>
    /// The condition on an allocation row (<c>owner</c>, with <c>@me</c> this instance) that its
    /// saga's control plane is gone. One process owns a single-writer database, so every other
    /// owner is a previous run; dialects shared by live instances ask whether the owner still
    /// holds its liveness lock.
    /// </summary>
    protected virtual string OrphanedCondition => "(owner IS NULL OR owner <> @me)";

    /// <summary>Appended to the claim's read of a ready gateway, so concurrent claims pass over each other's rows instead of queueing on them.</summary>
    protected virtual string ClaimLockClause => string.Empty;

    /// <summary>
    /// Appended to a read whose rows must not change until the transaction ends, for dialects
    /// with concurrent writers (a single writer already holds the whole database): a push's
    /// fencing check then holds its allocation row, and a release waits for the push or the push
    /// sees the release.
    /// </summary>
    protected virtual string RowLockClause => string.Empty;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        if (PrepareDatabaseSql is { } prepare)
        {
            await ExecuteAsync(connection, null, prepare, cancellationToken);
        }

        if (MigrationLockSql is not { } migrationLock)
        {
            await MigrateAsync(connection, cancellationToken);
            return;
        }

        await ExecuteAsync(connection, null, migrationLock.Lock, cancellationToken);
        try
        {
            await MigrateAsync(connection, cancellationToken);
        }
        finally
        {
            // The connection goes back to the pool still open: a session lock would outlive us.
            await ExecuteAsync(connection, null, migrationLock.Unlock, CancellationToken.None);
        }
    }

    private static async Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )
            """, cancellationToken);

        foreach (var (version, name, sql) in LoadMigrations())
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var applied = await ScalarAsync<long>(connection, transaction,
                "SELECT COUNT(*) FROM schema_migrations WHERE version = @version", cancellationToken, ("@version", version));
            if (applied == 0)
            {
                await ExecuteAsync(connection, transaction, sql, cancellationToken);
                await ExecuteAsync(connection, transaction,
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
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

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ScalarAsync<long>(connection, null, "SELECT 1", cancellationToken);
    }

    public Task<bool> UserCreateAsync(User user, string tokenHash, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        TryWriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction, """
                INSERT INTO users (user_id, username, token_hash, is_admin, created_at)
                VALUES (@id, @username, @hash, @admin, @at)
                """, cancellationToken,
                ("@id", user.UserId), ("@username", user.Username), ("@hash", tokenHash), ("@admin", user.IsAdmin), ("@at", Millis(user.CreatedAt)));
        }, auditEvent, cancellationToken);

    public Task<User?> UserGetAsync(string userId, CancellationToken cancellationToken) =>
        SingleAsync($"{SelectUser} WHERE user_id = @value", ReadUser, cancellationToken, ("@value", userId));

    public Task<User?> UserGetByUsernameAsync(string username, CancellationToken cancellationToken) =>
        SingleAsync($"{SelectUser} WHERE username = @value", ReadUser, cancellationToken, ("@value", username));

    public Task<User?> UserFindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken) =>
        SingleAsync($"{SelectUser} WHERE token_hash = @value", ReadUser, cancellationToken, ("@value", tokenHash));

    public async Task<bool> UserSetTokenHashAsync(string userId, string tokenHash, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var updated = 0;
        await WriteAsync(async (connection, transaction) =>
        {
            updated = await ExecuteAsync(connection, transaction, "UPDATE users SET token_hash = @hash WHERE user_id = @id",
                cancellationToken, ("@hash", tokenHash), ("@id", userId));
            return updated == 1;
        }, auditEvent, cancellationToken);
        return updated == 1;
    }

    public Task EventAppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken) =>
        WriteAsync((_, _) => Task.FromResult(true), auditEvent, cancellationToken);

    public Task<IReadOnlyList<AuditEvent>> EventListAsync(long afterSeq, int limit, CancellationToken cancellationToken) =>
        ListAsync("""
            SELECT event_id, kind, actor_user_id, organization_id, subject_id, detail, created_at, seq
            FROM events WHERE seq > @after
            ORDER BY seq LIMIT @limit
            """,
            r => new AuditEvent(r.GetString(0), r.GetString(1), NullableString(r, 2), NullableString(r, 3), NullableString(r, 4), NullableString(r, 5), Time(r.GetInt64(6)))
            {
                Seq = r.GetInt64(7),
            },
            cancellationToken, ("@after", afterSeq), ("@limit", limit));

    private const string SelectUser = "SELECT user_id, username, is_admin, created_at FROM users";

    private static User ReadUser(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetBoolean(2), Time(r.GetInt64(3)));

    private static Organization ReadOrganization(DbDataReader r) => new(r.GetString(0), r.GetString(1), Time(r.GetInt64(2)), r.GetBoolean(3), r.IsDBNull(4) ? null : r.GetInt64(4));

    private static Task<int> InsertMembershipAsync(DbConnection connection, DbTransaction transaction, string organizationId, string userId, OrganizationRole role, DateTimeOffset createdAt, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (@org, @user, @role, @at)",
            cancellationToken, ("@org", organizationId), ("@user", userId), ("@role", FormatRole(role)), ("@at", Millis(createdAt)));

    internal static string FormatRole(OrganizationRole role) => role.ToString().ToLowerInvariant();

    private static OrganizationRole ParseRole(string role) => Enum.Parse<OrganizationRole>(role, ignoreCase: true);

    private static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);

    private static string? NullableString(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    /// <summary>
    /// Runs the change and appends its audit event in one transaction; a change that reports
    /// it changed nothing commits without an event. Appends are serialized (a single writer,
    /// or <see cref="EventAppendLockSql"/>), so <c>seq</c> follows commit order.
    /// </summary>
    private async Task WriteAsync(Func<DbConnection, DbTransaction, Task<bool>> change, AuditEvent? auditEvent, CancellationToken cancellationToken)
    {
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await change(connection, transaction) || auditEvent is null)
        {
            await transaction.CommitAsync(cancellationToken);
            return;
        }

        if (EventAppendLockSql is { } appendLock)
        {
            await ExecuteAsync(connection, transaction, appendLock, cancellationToken);
        }

        await ExecuteAsync(connection, transaction, """
            INSERT INTO events (seq, event_id, kind, actor_user_id, organization_id, subject_id, detail, created_at)
            VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM events), @id, @kind, @actor, @org, @subject, @detail, @at)
            """, cancellationToken,
            ("@id", auditEvent.EventId), ("@kind", auditEvent.Kind), ("@actor", auditEvent.ActorUserId), ("@org", auditEvent.OrganizationId),
            ("@subject", auditEvent.SubjectId), ("@detail", auditEvent.Detail), ("@at", Millis(auditEvent.CreatedAt)));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Like <see cref="WriteAsync"/>, but a unique-constraint violation rolls back and returns false.</summary>
    private async Task<bool> TryWriteAsync(Func<DbConnection, DbTransaction, Task> change, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(async (connection, transaction) =>
            {
                await change(connection, transaction);
                return true;
            }, auditEvent, cancellationToken);
            return true;
        }
        catch (DbException exception) when (IsUniqueViolation(exception))
        {
            return false;
        }
    }

    private async Task<T?> SingleAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var rows = await ListAsync(sql, read, cancellationToken, parameters);
        return rows.Count == 0 ? default : rows[0];
    }

    private async Task<IReadOnlyList<T>> ListAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ListAsync(connection, null, sql, read, cancellationToken, parameters);
    }

    private static async Task<T?> SingleAsync<T>(DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var rows = await ListAsync(connection, transaction, sql, read, cancellationToken, parameters);
        return rows.Count == 0 ? default : rows[0];
    }

    private static async Task<IReadOnlyList<T>> ListAsync<T>(DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = CreateCommand(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static async Task<T> ScalarAsync<T>(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = CreateCommand(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return (T)Convert.ChangeType(value!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = CreateCommand(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand CreateCommand(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
